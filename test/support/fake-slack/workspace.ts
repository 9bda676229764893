/**
 * The people and channels of the fake workspace. Well-formed ids exist without being arranged (`U…`/`W…`
 * users, `C…`/`G…`/`D…` channels), because Slack ids are opaque and tests should not have to list every
 * one; names must be known (seeded, set, or created through conversations.create). To make a lookup fail,
 * script it: `failNext('conversations.info', 'channel_not_found')`.
 */
import { BOT, TEAM } from './identity.ts';
import { slackId } from './ids.ts';

const USER_ID = /^[UW][A-Z0-9]+$/;
const CHANNEL_ID = /^[CGD][A-Z0-9]+$/;

export interface UserSeed {
  id: string;
  /** Default: the id, lowercased. */
  name?: string;
  /** Default: the name. */
  real_name?: string;
  /** IANA zone. Default `America/Los_Angeles`, the zone of Slack's own samples. */
  tz?: string;
  email?: string;
  is_bot?: boolean;
  deleted?: boolean;
}

export interface ChannelSeed {
  id?: string;
  name: string;
  is_private?: boolean;
  is_archived?: boolean;
  /** User ids; the bot is always a member of the channels it knows. */
  members?: readonly string[];
}

export interface Channel {
  id: string;
  name: string;
  is_private: boolean;
  is_archived: boolean;
  created: number;
  creator: string;
  members: Set<string>;
  /** `ts` of the messages pinned in it (pins.add). */
  pinned: Set<string>;
}

/** Offset and label of a zone now, as Slack's user object carries them (`-25200`, `Pacific Daylight Time`). */
function zoneNow(tz: string): { tz_label: string; tz_offset: number } {
  const part = (style: 'long' | 'longOffset') =>
    new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: style })
      .formatToParts(new Date())
      .find((p) => p.type === 'timeZoneName')?.value ?? '';
  const offset = /GMT([+-])(\d{2}):(\d{2})/.exec(part('longOffset'));
  const seconds = offset
    ? (Number(offset[2]) * 3600 + Number(offset[3]) * 60) * (offset[1] === '-' ? -1 : 1)
    : 0;
  return { tz_label: part('long'), tz_offset: seconds };
}

export class Workspace {
  #users = new Map<string, UserSeed>();
  #usergroups = new Map<string, readonly string[]>();
  #channels = new Map<string, Channel>();

  constructor() {
    this.setUser({ id: BOT.userId, name: BOT.name, real_name: BOT.name, is_bot: true });
    // The fixtures' on-call engineer and incident channel.
    this.setUser({ id: 'U0000ONCALL', name: 'oncall.engineer', real_name: 'On-call Engineer' });
    this.setChannel({ id: 'C0000INCIDENT', name: 'fleet-incidents' });
  }

  setUser(seed: UserSeed): void {
    this.#users.set(seed.id, seed);
  }

  /** Slack's user object, or undefined when the id is malformed (`user_not_found`). */
  user(id: string): Record<string, unknown> | undefined {
    const seed = this.#users.get(id) ?? (USER_ID.test(id) ? { id } : undefined);
    if (!seed) return undefined;
    const name = seed.name ?? id.toLowerCase();
    const realName = seed.real_name ?? name;
    const tz = seed.tz ?? 'America/Los_Angeles';
    return {
      id,
      team_id: TEAM.id,
      name,
      deleted: seed.deleted ?? false,
      real_name: realName,
      tz,
      ...zoneNow(tz),
      is_bot: seed.is_bot ?? false,
      is_app_user: false,
      profile: {
        real_name: realName,
        display_name: name,
        ...(seed.email ? { email: seed.email } : {}),
        team: TEAM.id,
      },
    };
  }

  setUsergroup(id: string, members: readonly string[]): void {
    this.#usergroups.set(id, [...members]);
  }

  usergroupMembers(id: string): readonly string[] | undefined {
    return this.#usergroups.get(id);
  }

  setChannel(seed: ChannelSeed): string {
    const id = seed.id ?? slackId('C');
    this.#channels.set(id, {
      id,
      name: seed.name,
      is_private: seed.is_private ?? false,
      is_archived: seed.is_archived ?? false,
      created: Math.floor(Date.now() / 1000),
      creator: BOT.userId,
      members: new Set([BOT.userId, ...(seed.members ?? [])]),
      pinned: new Set(),
    });
    return id;
  }

  /**
   * By id, `#name` or name, as chat.postMessage accepts; undefined for an unknown name. A well-formed id
   * seen for the first time becomes a channel named after it. A user id is the app's direct-message
   * channel with that user (`U0000ONCALL` → `D0000ONCALL`), as Slack resolves `channel: <user id>`.
   */
  channel(reference: string): Channel | undefined {
    const known = this.#channels.get(reference);
    if (known) return known;
    if (USER_ID.test(reference)) return this.channel(`D${reference.slice(1)}`);
    const name = reference.replace(/^#/, '');
    const named = [...this.#channels.values()].find((channel) => channel.name === name);
    if (named) return named;
    if (!CHANNEL_ID.test(reference)) return undefined;
    this.setChannel({ id: reference, name: reference.toLowerCase() });
    return this.#channels.get(reference);
  }

  hasChannelNamed(name: string): boolean {
    return [...this.#channels.values()].some((channel) => channel.name === name);
  }
}

/** Slack's conversation object for conversations.info / create / invite answers. */
export function conversationObject(channel: Channel): Record<string, unknown> {
  return {
    id: channel.id,
    name: channel.name,
    name_normalized: channel.name,
    is_channel: true,
    is_group: false,
    is_im: false,
    is_mpim: false,
    is_private: channel.is_private,
    is_archived: channel.is_archived,
    is_general: false,
    is_member: channel.members.has(BOT.userId),
    created: channel.created,
    creator: channel.creator,
    context_team_id: TEAM.id,
    num_members: channel.members.size,
  };
}
