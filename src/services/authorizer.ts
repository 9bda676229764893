import type { Config } from '../config/index.ts';
import type { Clock } from '../domain/clock.ts';
import { FleetbotError } from '../domain/errors.ts';
import { PERMISSIONS, type Permission } from '../domain/permissions.ts';

export interface AuthorizerOptions {
  config: Config;
  /** Members of a Slack user group (usergroups.users.list). */
  groupMembers: (groupId: string) => Promise<readonly string[]>;
  /** How long a group's membership is trusted before it is read again. @defaultValue 60 s */
  ttlMs?: number;
  clock: Clock;
}

export interface Decision {
  allowed: boolean;
  /** The permission asked for. */
  permission: Permission;
  /** The user's roles, by id. */
  roles: string[];
  /** Names of the roles that grant the permission (what a denial tells the user to get). */
  granting: string[];
}

/**
 * Who may do what: roles from fleetbot.yml hold Slack users and user groups;
 * each permission class lists the roles (or `*`) that may use it. Group
 * membership is read at start (`warm`) and then served from memory, refreshed
 * in the background once it is older than the TTL: a removed on-call engineer
 * loses access within about the TTL, and no acknowledgement ever waits on Slack.
 */
export class Authorizer {
  private readonly options: AuthorizerOptions;
  private readonly groups = new Map<string, { members: Set<string>; until: number }>();
  private readonly refreshing = new Map<string, Promise<Set<string>>>();

  constructor(options: AuthorizerOptions) {
    this.options = options;
  }

  async check(userId: string, permission: Permission): Promise<Decision> {
    const { config } = this.options;
    const allowedRoles = config.permissions[permission];
    const roles = await this.rolesOf(userId);
    // Stryker disable OptionalChaining: equivalent, loadConfig refuses a permission naming a role not under roles
    const granting = allowedRoles.includes('*')
      ? ['anyone in the workspace']
      : allowedRoles.map((id) => config.roles[id]?.name ?? id);
    // Stryker restore OptionalChaining
    const allowed = allowedRoles.includes('*') || roles.some((role) => allowedRoles.includes(role));
    return { allowed, permission, roles, granting };
  }

  /** Every permission the user's roles grant now (the web console asks on each request; nothing is stored). */
  async permissionsOf(userId: string): Promise<Permission[]> {
    const roles = await this.rolesOf(userId);
    const { permissions } = this.options.config;
    return PERMISSIONS.filter((permission) => {
      const allowedRoles = permissions[permission];
      return allowedRoles.includes('*') || roles.some((role) => allowedRoles.includes(role));
    });
  }

  async rolesOf(userId: string): Promise<string[]> {
    const held: string[] = [];
    for (const [id, role] of Object.entries(this.options.config.roles)) {
      if (role.slack.users.includes(userId)) {
        held.push(id);
        continue;
      }
      for (const group of role.slack.groups) {
        if ((await this.members(group)).has(userId)) {
          held.push(id);
          break;
        }
      }
    }
    return held;
  }

  /** Reads every configured group now, so the first requests find them in memory. */
  async warm(): Promise<void> {
    const groups = new Set(Object.values(this.options.config.roles).flatMap((role) => role.slack.groups));
    await Promise.all([...groups].map((group) => this.refresh(group).catch(() => undefined)));
  }

  /**
   * A group's members from memory; never a call to Slack on the way (this runs inside Slack's 3 s).
   * A group never read yet (Slack was down at start) is read behind the request, and the request
   * is answered with "try again" rather than a wrong refusal.
   */
  private async members(groupId: string): Promise<Set<string>> {
    const now = this.options.clock.now().getTime();
    const cached = this.groups.get(groupId);
    if (!cached) {
      void this.refresh(groupId).catch(() => undefined);
      throw new FleetbotError(
        'slack',
        `fleetbot has not been able to read the members of Slack user group ${groupId} yet, so it cannot tell your role.`,
        { hint: 'Try again in a few seconds.' },
      );
    }
    // Stale while revalidating: answer from memory, refresh behind the request.
    if (cached.until <= now) void this.refresh(groupId).catch(() => undefined);
    return cached.members;
  }

  /** One read of a group at a time: callers while it is in flight share it. */
  private refresh(groupId: string): Promise<Set<string>> {
    const inFlight = this.refreshing.get(groupId);
    if (inFlight) return inFlight;
    const read = (async () => {
      const members = new Set(await this.options.groupMembers(groupId));
      const now = this.options.clock.now().getTime();
      this.groups.set(groupId, { members, until: now + (this.options.ttlMs ?? 60_000) });
      return members;
    })().finally(() => this.refreshing.delete(groupId));
    this.refreshing.set(groupId, read);
    return read;
  }
}
