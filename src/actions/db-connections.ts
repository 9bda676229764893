import { z } from 'zod';
import type { Config } from '../config/index.ts';
import { FleetbotError } from '../domain/errors.ts';
import { type ConnectionSnapshot, type DatabaseSession, idleSessions } from '../domain/fleet-database.ts';
import { defineAction, type Section } from './action.ts';
import { databaseRef } from './backups.ts';

/** The idle age `db kill-idle` uses unless told otherwise; `db connections` says how many it would end. */
export const DEFAULT_IDLE_AGE = '5m';
const DEFAULT_IDLE_AGE_MS = 5 * 60_000;
/** The most applications listed by name; the rest are summed into one row. */
const TOP_APPLICATIONS = 15;

/** Connection age buckets: upper bound (exclusive) in ms and label. */
const AGE_BUCKETS: readonly [number, string][] = [
  [60_000, '< 1m'],
  [5 * 60_000, '1–5m'],
  [30 * 60_000, '5–30m'],
  [60 * 60_000, '30m–1h'],
  [6 * 3_600_000, '1–6h'],
  [Number.POSITIVE_INFINITY, '≥ 6h'],
];

export interface ConnectionBreakdown {
  /** Every row of pg_stat_activity: the runbook's `SELECT count(*) FROM pg_stat_activity`. */
  total: number;
  /** Client connections (`backend_type = 'client backend'`): what `max_connections` limits. */
  clients: number;
  /** Replication senders, the checkpointer, autovacuum and other server processes. */
  serverProcesses: number;
  maxConnections: number;
  /** `clients` as a percentage of `maxConnections`, rounded. */
  percentUsed: number;
  byState: { state: string; connections: number }[];
  byApplication: { application: string; connections: number; active: number; idle: number }[];
  byAge: { age: string; connections: number; idle: number }[];
  /** Idle client connections `db kill-idle` (default age) would terminate now. */
  idleOverDefault: number;
}

const isClient = (session: DatabaseSession) => session.backendType === 'client backend';
/** State as people read it: sessions of other roles show no state without pg_read_all_stats. */
const stateOf = (session: DatabaseSession) => session.state ?? '(not visible to this user)';

/** The runbook's count, broken down: the sums of `byState` and of `byAge` plus server processes are `total`. */
export function connectionBreakdown(snapshot: ConnectionSnapshot): ConnectionBreakdown {
  const clients = snapshot.sessions.filter(isClient);
  const servers = snapshot.sessions.length - clients.length;
  const byState = countBy(clients, stateOf).map(([state, connections]) => ({ state, connections }));
  if (servers > 0) byState.push({ state: 'server processes', connections: servers });

  const apps = new Map<string, { connections: number; active: number; idle: number }>();
  for (const session of clients) {
    const name = session.applicationName || '(none)';
    const row = apps.get(name) ?? { connections: 0, active: 0, idle: 0 };
    row.connections++;
    if (session.state === 'active') row.active++;
    if (session.state === 'idle') row.idle++;
    apps.set(name, row);
  }
  const sorted = [...apps.entries()]
    .sort(([a, x], [b, y]) => y.connections - x.connections || a.localeCompare(b))
    .map(([application, row]) => ({ application, ...row }));
  const byApplication = sorted.slice(0, TOP_APPLICATIONS);
  const rest = sorted.slice(TOP_APPLICATIONS);
  if (rest.length > 0) {
    byApplication.push({
      application: `${rest.length} others`,
      connections: sum(rest, (row) => row.connections),
      active: sum(rest, (row) => row.active),
      idle: sum(rest, (row) => row.idle),
    });
  }

  const now = snapshot.at.getTime();
  const byAge = AGE_BUCKETS.map(([, age]) => ({ age, connections: 0, idle: 0 }));
  for (const session of clients) {
    const age = session.backendStart ? now - session.backendStart.getTime() : 0;
    const bucket = byAge[AGE_BUCKETS.findIndex(([below]) => age < below)];
    if (!bucket) continue;
    bucket.connections++;
    if (session.state === 'idle') bucket.idle++;
  }

  return {
    total: snapshot.sessions.length,
    clients: clients.length,
    serverProcesses: servers,
    maxConnections: snapshot.maxConnections,
    percentUsed: Math.round((clients.length / Math.max(snapshot.maxConnections, 1)) * 100),
    byState,
    byApplication,
    byAge: byAge.filter((bucket) => bucket.connections > 0),
    idleOverDefault: idleSessions(snapshot, DEFAULT_IDLE_AGE_MS).length,
  };
}

/**
 * The fleet database's workload (`backups.service`, as backups and restores lock it): a second
 * destructive database operation, or a restart of it, is refused while one runs.
 */
export const databaseWorkload = databaseRef;

/** Refuses before anything is queued or confirmed when fleetbot does not know the fleet database. */
export function requireFleetDatabase(config: Config): void {
  if (!config.fleet.databaseUrl) {
    throw new FleetbotError(
      'config',
      'FLEET_DATABASE_URL is not set: fleetbot does not know the fleet database.',
      {
        hint: 'Set FLEET_DATABASE_URL to the Fleet Management System database (postgres://user:password@host:5432/fleetdb).',
      },
    );
  }
}

/** The runbook's "Database Connection Pool Exhausted" check, with the count broken down. */
export const dbConnections = defineAction({
  name: 'db connections',
  group: 'Database',
  summary:
    'Count database connections (pg_stat_activity) by state, application and age, against max_connections',
  usage: '[--warn-at PERCENT]',
  example: 'db connections',
  syntax: { positionals: [], flags: { 'warn-at': 'number' } },
  params: z.object({
    /** Client connections above this share of max_connections make the result a warning. */
    warnAt: z.number().min(1).max(100).default(80),
  }),
  retryable: true,
  timeoutMs: 30_000,
  classify(_params, config) {
    requireFleetDatabase(config);
    return { permission: 'read', destructive: false };
  },
  async run(context, params, signal) {
    const snapshot = await context.fleetDatabase.connections(signal);
    const b = connectionBreakdown(snapshot);
    const over = b.percentUsed >= params.warnAt;
    const usage = `${b.clients} of max_connections ${b.maxConnections} in use (${b.percentUsed}%)`;
    const sections: Section[] = [
      {
        fields: [
          {
            label: 'Connections',
            value: `${b.total} (every row of pg_stat_activity: ${b.clients} client, ${b.serverProcesses} server processes)`,
          },
          {
            label: 'Pool',
            value: usage,
            status: over ? 'warning' : 'ok',
            ...(over ? { note: `≥ ${params.warnAt}%` } : {}),
          },
          {
            label: 'Idle ≥ 5m',
            value:
              b.idleOverDefault > 0
                ? `${b.idleOverDefault} — /fleet db kill-idle would terminate them`
                : 'none (nothing for db kill-idle to do)',
          },
        ],
      },
      {
        title: 'By state',
        table: {
          headers: ['State', 'Connections'],
          rows: b.byState.map((row) => [row.state, String(row.connections)]),
        },
      },
      {
        title: 'By application (client connections)',
        table: {
          headers: ['Application', 'Connections', 'Active', 'Idle'],
          rows: b.byApplication.map((row) => [
            row.application,
            String(row.connections),
            String(row.active),
            String(row.idle),
          ]),
        },
      },
      {
        title: 'By age (client connections)',
        table: {
          headers: ['Open for', 'Connections', 'Idle'],
          rows: b.byAge.map((row) => [row.age, String(row.connections), String(row.idle)]),
        },
      },
    ];
    return {
      status: over ? 'warning' : 'ok',
      summary: `${b.total} connections on ${context.fleetDatabase.target} · ${usage}${over ? ' — near the limit' : ''}`,
      sections,
      data: { ...b, warnAt: params.warnAt, database: context.fleetDatabase.target },
    };
  },
});

function countBy<T>(items: readonly T[], key: (item: T) => string): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts.entries()].sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
}

function sum<T>(items: readonly T[], value: (item: T) => number): number {
  return items.reduce((total, item) => total + value(item), 0);
}
