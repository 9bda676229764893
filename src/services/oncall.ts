import type { Config } from '../config/index.ts';
import type { Clock } from '../domain/clock.ts';
import { type Jobs, jobId } from '../domain/jobs.ts';
import type { OnCallOverride, OnCallStore } from '../domain/oncall.ts';
import type { SlackChannels } from '../domain/slack-api.ts';
import { type Turn, turnAt } from '../escalation/rotation.ts';
import type { Authorizer } from './authorizer.ts';

/** Who a role pages now, and why them. */
export interface RolePeople {
  users: string[];
  /** User groups paged as such (their members are looked up when paging). */
  groups: string[];
  via: 'override' | 'rotation' | 'config';
  /** The override or rotation turn that decided it. */
  override?: OnCallOverride;
  turn?: Turn & { rotation: string };
}

export interface OnCallOptions {
  config: Config;
  store: OnCallStore;
  authorizer: Authorizer;
  clock: Clock;
  slack: Pick<SlackChannels, 'setGroupMembers'>;
  jobs: Jobs;
  /** Told when who is on call changed (an override, a handoff): the App Home follows. */
  changed?: () => Promise<void>;
}

/** Longest override accepted: longer cover belongs in the rotation. */
const MAX_OVERRIDE_MS = 14 * 86_400_000;

/**
 * Who holds a role at a given time: an override in force (the newest), else the member on call in
 * the rotation that fills the role, else the role's users and groups from fleetbot.yml. Paging a
 * role pages these people; `/fleet oncall` shows them.
 */
export class OnCall {
  private readonly options: OnCallOptions;

  constructor(options: OnCallOptions) {
    this.options = options;
  }

  async people(role: string, at: Date): Promise<RolePeople> {
    const [people] = await this.peopleOf([role], at);
    return people as RolePeople;
  }

  /** Several roles' people at one time, in the order given, from one read of the overrides. */
  async peopleOf(roles: readonly string[], at: Date): Promise<RolePeople[]> {
    const overrides = await this.options.store.active(at);
    return roles.map((role) => this.resolve(role, at, overrides));
  }

  /** Every role's people now: the matrix as it stands. */
  async matrix(at: Date): Promise<{ role: string; name: string; people: RolePeople }[]> {
    const roles = Object.entries(this.options.config.roles);
    const people = await this.peopleOf(
      roles.map(([role]) => role),
      at,
    );
    return roles.map(([role, { name }], index) => ({ role, name, people: people[index] as RolePeople }));
  }

  /** Each rotation's turn now, and the overrides in force. */
  async status(
    at: Date,
  ): Promise<{ rotations: (Turn & { rotation: string; role: string })[]; overrides: OnCallOverride[] }> {
    const rotations = Object.entries(this.options.config.oncall.rotations).map(([rotation, config]) => ({
      rotation,
      role: config.role,
      ...turnAt(config, at),
    }));
    return { rotations, overrides: await this.options.store.active(at) };
  }

  /** `who` covers `role` (default the first rotation's role, else `oncall`) from now until `until`. */
  async override(
    requestedBy: string,
    cover: { user: string; until: Date; role?: string; reason?: string },
  ): Promise<{ ok: true; message: string } | { ok: false; message: string }> {
    const { config, store, authorizer, clock } = this.options;
    const decision = await authorizer.check(requestedBy, 'respond');
    if (!decision.allowed) {
      return {
        ok: false,
        message: `You may not change who is on call: it needs the respond permission, granted by ${decision.granting.join(', ') || 'no role yet'}.`,
      };
    }
    const role = cover.role ?? Object.values(config.oncall.rotations)[0]?.role ?? 'oncall';
    if (!config.roles[role]) {
      return { ok: false, message: `No role "${role}". Roles: ${Object.keys(config.roles).join(', ')}.` };
    }
    const now = clock.now();
    const span = cover.until.getTime() - now.getTime();
    if (span <= 0)
      return { ok: false, message: 'The override would already be over: give a time in the future.' };
    if (span > MAX_OVERRIDE_MS)
      return { ok: false, message: 'At most 14 days: longer cover belongs in the rotation.' };
    await store.add(
      {
        role,
        user: cover.user,
        startsAt: now,
        endsAt: cover.until,
        ...(cover.reason ? { reason: cover.reason } : {}),
        createdBy: requestedBy,
      },
      now,
    );
    await this.options.changed?.();
    return {
      ok: true,
      message: `<@${cover.user}> covers ${config.roles[role]?.name ?? role} until <!date^${Math.floor(cover.until.getTime() / 1000)}^{date_short_pretty} {time}|${cover.until.toISOString()}>.`,
    };
  }

  /**
   * A rotation's handoff: its user group (when it has one) set to whoever is on call now, the App
   * Homes told, and the next handoff queued, under an id made of the rotation and the handoff time
   * (a repeat is a no-op). Run by the handoff job and at worker start.
   */
  async handoff(rotation: string): Promise<void> {
    const { config, slack, jobs, clock } = this.options;
    const settings = config.oncall.rotations[rotation];
    if (!settings) return;
    const now = clock.now();
    // The next handoff first: a group update that fails (and is retried) never loses the schedule.
    const { until } = turnAt(settings, now);
    await jobs.enqueue(
      'oncall.handoff',
      { rotation },
      {
        jobId: jobId('oncall', rotation, until.getTime()),
        delayMs: Math.max(0, until.getTime() - now.getTime()),
      },
    );
    await this.options.changed?.();
    if (!settings.usergroup) return;
    const people = await this.people(settings.role, now);
    if (people.users.length > 0) await slack.setGroupMembers(settings.usergroup, people.users);
  }

  private resolve(role: string, at: Date, overrides: readonly OnCallOverride[]): RolePeople {
    const { config } = this.options;
    const override = overrides.find((candidate) => candidate.role === role);
    if (override) return { users: [override.user], groups: [], via: 'override', override };
    const rotation = Object.entries(config.oncall.rotations).find(([, candidate]) => candidate.role === role);
    if (rotation) {
      const turn = turnAt(rotation[1], at);
      return { users: [turn.member], groups: [], via: 'rotation', turn: { ...turn, rotation: rotation[0] } };
    }
    const configured = config.roles[role]?.slack;
    return { users: [...(configured?.users ?? [])], groups: [...(configured?.groups ?? [])], via: 'config' };
  }
}
