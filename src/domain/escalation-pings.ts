/**
 * The delivery keys (`slack_messages.key`) of an escalation step's pings, built and read back here
 * only. A key makes its ping sent once however often a check runs, and lets a drill read from
 * delivery alone whom each step reached:
 *
 *   escalation.<n>.<step>.<user>     a direct message to one person
 *   escalation.<n>.<step>.thread     the mention under the incident's message
 *   escalation.<n>.<step>.here       @here in a P0's incident channel
 *
 * Step keys may hold dots (`deadline.1`); a phase's nudge is keyed `escalation.<n>.<phase>`.
 */

export type PingRoute = { route: 'direct'; user: string } | { route: 'thread' } | { route: 'here' };

/** What every key of an incident's escalation starts with. */
export function escalationKeyPrefix(incident: number): string {
  return `escalation.${incident}.`;
}

/** The key of one ping of a step (or, with no route, the step's own key: a phase's nudge). */
export function escalationKey(incident: number, step: string, to?: PingRoute): string {
  const stem = `${escalationKeyPrefix(incident)}${step}`;
  if (!to) return stem;
  return `${stem}.${to.route === 'direct' ? to.user : to.route}`;
}

/** A Slack user id (`U…`, or `W…` on Enterprise Grid): what ends a direct message's key. */
const USER_ID = /^[UW][A-Z0-9]+$/;

/** A ping's key read back (its step and route), or undefined for any other key, a nudge included. */
export function readPingKey(incident: number, key: string): ({ step: string } & PingRoute) | undefined {
  const prefix = escalationKeyPrefix(incident);
  if (!key.startsWith(prefix)) return undefined;
  const rest = key.slice(prefix.length);
  const dot = rest.lastIndexOf('.');
  if (dot < 1) return undefined;
  const step = rest.slice(0, dot);
  const last = rest.slice(dot + 1);
  if (last === 'thread' || last === 'here') return { step, route: last };
  return USER_ID.test(last) ? { step, route: 'direct', user: last } : undefined;
}
