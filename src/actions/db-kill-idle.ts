import { z } from 'zod';
import { formatDuration, parseDuration } from '../config/index.ts';
import {
  type DatabaseSession,
  FLEETBOT_APPLICATION_PREFIX,
  idleSessions,
  type TerminateOutcome,
} from '../domain/fleet-database.ts';
import { defineAction } from './action.ts';
import { DEFAULT_IDLE_AGE, databaseWorkload, requireFleetDatabase } from './db-connections.ts';

/** How many sessions a preview or result lists one by one. */
const LISTED = 20;

const params = z.object({
  olderThan: z
    .string()
    .default(DEFAULT_IDLE_AGE)
    .refine(
      (text) => {
        try {
          return parseDuration(text) >= 1_000;
        } catch {
          return false;
        }
      },
      { message: 'expected --older-than to be a duration of at least 1s, like 5m' },
    ),
  /**
   * The sessions the confirmation listed (pinned by the preview): Confirm terminates those, if still
   * idle since the moment they were seen, and none that went idle after. Never typed.
   */
  sessions: z.array(z.object({ pid: z.number(), fingerprint: z.string() })).optional(),
});

/**
 * The runbook's "Kill idle connections", made safe: only client connections to the fleet database
 * idle for at least `--older-than` (never active ones, never `idle in transaction`, never
 * replication or server processes, never fleetbot's own), each terminated only if it is still idle
 * since the moment it was seen.
 */
export const dbKillIdle = defineAction({
  name: 'db kill-idle',
  group: 'Database',
  summary: 'Terminate database connections idle for longer than --older-than (default 5m); never active ones',
  usage: '[--older-than 5m]',
  example: 'db kill-idle --older-than 10m',
  syntax: { positionals: [], flags: { 'older-than': 'string' } },
  params,
  retryable: false,
  timeoutMs: 120_000,
  classify(_params, config) {
    requireFleetDatabase(config);
    return { permission: 'operate', destructive: true, target: databaseWorkload(config) };
  },
  async preview(context, input, signal) {
    const olderThanMs = parseDuration(input.olderThan);
    const snapshot = await context.fleetDatabase.connections(signal);
    const idle = idleSessions(snapshot, olderThanMs);
    const clients = snapshot.sessions.filter((session) => session.backendType === 'client backend').length;
    return {
      question: `Terminate ${idle.length} connection${idle.length === 1 ? '' : 's'} idle for ${input.olderThan} or more on ${context.fleetDatabase.target}?`,
      details: [
        `${snapshot.sessions.length} connections now (${clients} client, max_connections ${snapshot.maxConnections}).`,
        idle.length > 0
          ? `By application: ${byApplication(idle)}.`
          : 'No connection is idle that long: nothing would be terminated.',
        ...listSessions(idle, snapshot.at),
        `Left alone: active and "idle in transaction" sessions, replication and server processes, connections to other databases than ${snapshot.database}, fleetbot's own (${FLEETBOT_APPLICATION_PREFIX}*), and any used again before Confirm.`,
      ],
      warnings: idle.length > 0 ? ['Applications must reconnect; a pool that does not will see errors.'] : [],
      verb: 'Terminate',
      pin: { sessions: idle.map(({ pid, fingerprint }) => ({ pid, fingerprint })) },
    };
  },
  async run(context, input, signal) {
    const olderThanMs = parseDuration(input.olderThan);
    const snapshot = await context.fleetDatabase.connections(signal);
    const pinned = input.sessions;
    const idle = idleSessions(snapshot, olderThanMs).filter(
      (session) =>
        !pinned || pinned.some((p) => p.pid === session.pid && p.fingerprint === session.fingerprint),
    );
    // Listed in the confirmation but no longer idle since then: used again, or closed.
    const gone = pinned ? pinned.length - idle.length : 0;
    const target = context.fleetDatabase.target;
    if (idle.length === 0) {
      return {
        status: 'ok',
        summary: `No connection idle for ${formatDuration(olderThanMs)} or more on ${target}; nothing terminated${gone > 0 ? ` (${gone} listed were used again or closed)` : ''}`,
        sections: [],
        data: { terminated: 0, changed: gone, refused: 0, olderThan: input.olderThan, applications: {} },
      };
    }
    context.progress({ message: `Terminating ${idle.length} idle connections`, fraction: 0 });
    const outcomes = await context.fleetDatabase.terminate(idle, signal, (_outcome, index) =>
      context.progress({
        message: `Terminated ${index + 1} of ${idle.length}`,
        fraction: (index + 1) / idle.length,
      }),
    );
    const terminated = outcomes.filter((o) => o.outcome === 'terminated');
    const changed = outcomes.filter((o) => o.outcome === 'changed').length + gone;
    const refused = outcomes.filter(
      (o): o is Extract<TerminateOutcome, { outcome: 'refused' }> => o.outcome === 'refused',
    );
    const terminatedSessions = idle.filter((s) => terminated.some((o) => o.pid === s.pid));
    const notes = [
      changed > 0 ? `${changed} left alone (used again or closed meanwhile)` : '',
      refused.length > 0 ? `${refused.length} refused by PostgreSQL` : '',
    ].filter(Boolean);
    return {
      status: refused.length > 0 ? 'warning' : 'ok',
      summary: `Terminated ${terminated.length} idle connection${terminated.length === 1 ? '' : 's'} on ${target}${terminated.length > 0 ? ` (${byApplication(terminatedSessions)})` : ''}${notes.length > 0 ? ` · ${notes.join(' · ')}` : ''}`,
      sections: [
        {
          title: 'Connections',
          table: {
            headers: ['PID', 'Application', 'User', 'Idle for', 'Outcome'],
            rows: outcomes.slice(0, LISTED).map((outcome) => {
              const session = idle.find((s) => s.pid === outcome.pid);
              return [
                String(outcome.pid),
                outcome.applicationName || '(none)',
                session?.user ?? '',
                session ? idleFor(session, snapshot.at) : '',
                outcome.outcome === 'refused' ? `refused: ${outcome.reason}` : outcome.outcome,
              ];
            }),
          },
        },
        ...(outcomes.length > LISTED ? [{ text: `…and ${outcomes.length - LISTED} more.` }] : []),
        ...(refused.length > 0
          ? [
              {
                text: 'PostgreSQL refuses to end sessions of other roles unless the user of FLEET_DATABASE_URL has pg_signal_backend (and superusers\u2019 sessions to anyone but a superuser).',
              },
            ]
          : []),
      ],
      data: {
        olderThan: input.olderThan,
        terminated: terminated.length,
        changed,
        refused: refused.length,
        applications: Object.fromEntries(countApplications(terminatedSessions)),
        pids: terminated.map((o) => o.pid),
      },
    };
  },
});

function countApplications(sessions: readonly DatabaseSession[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { applicationName } of sessions) {
    const name = applicationName || '(none)';
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return new Map([...counts.entries()].sort(([a, x], [b, y]) => y - x || a.localeCompare(b)));
}

/** `fleet-api ×12, (none) ×2`. */
function byApplication(sessions: readonly DatabaseSession[]): string {
  return [...countApplications(sessions).entries()].map(([name, count]) => `${name} ×${count}`).join(', ');
}

function idleFor(session: DatabaseSession, at: Date): string {
  return session.stateChange ? formatDuration(Math.max(0, at.getTime() - session.stateChange.getTime())) : '';
}

function listSessions(sessions: readonly DatabaseSession[], at: Date): string[] {
  const lines = sessions
    .slice(0, LISTED)
    .map(
      (session) =>
        `pid ${session.pid} · ${session.applicationName || '(no application name)'} · ${session.user ?? '?'}@${session.database ?? '?'} · idle ${idleFor(session, at)}`,
    );
  if (sessions.length > LISTED) lines.push(`…and ${sessions.length - LISTED} more.`);
  return lines;
}
