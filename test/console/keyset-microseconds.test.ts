import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PgConsoleReads } from '../../src/db/console-reads.ts';
import { migratedTestDatabase } from '../support/databases.ts';
import { allPages } from '../support/keyset-pages.ts';

// The console's keyset pages (timeline, audit log) start where the last one ended, to the
// microsecond: times written by PostgreSQL's now() carry microseconds, a JavaScript Date does not.

const NOW = new Date('2026-11-30T12:00:00Z');
let database: Awaited<ReturnType<typeof migratedTestDatabase>>;
let pool: pg.Pool;
let reads: PgConsoleReads;

beforeAll(async () => {
  database = await migratedTestDatabase();
  pool = database.pool;
  reads = new PgConsoleReads({ pool });
}, 60_000);

afterAll(async () => {
  await database?.close();
});

it('pages rows recorded within one millisecond (now() keeps microseconds) once each, none skipped', async () => {
  // Five events and five runs, 100 µs apart within one millisecond, in an order their ids do not follow.
  const { rows } = await pool.query(
    "INSERT INTO incidents (title, severity, status, opened_at) VALUES ('µs', 'P2', 'resolved', $1) RETURNING id",
    [NOW],
  );
  const number = Number(rows[0].id);
  const micros = [500, 100, 400, 200, 300];
  for (const [index, us] of micros.entries()) {
    await pool.query(
      `INSERT INTO timeline_events (incident_id, at, kind, actor, details)
       VALUES ($1, '2026-11-29T10:00:00.123Z'::timestamptz + $2 * interval '1 microsecond', 'note', 'fleetbot', $3)`,
      [number, us, JSON.stringify({ text: `event ${index}` })],
    );
    await pool.query(
      `INSERT INTO action_runs (id, action, target, params, requested_by, origin, status, requested_at, request_id)
       VALUES (gen_random_uuid(), 'status', 'µs', '{}', 'U0000MICRO', 'slack', 'ok', '2030-01-01T00:00:00.123Z'::timestamptz + $1 * interval '1 microsecond', $2)`,
      [us, `micro-${index}`],
    );
  }
  const events = await allPages<{ at: string; id: number }>(async (after) => {
    const page = await reads.timeline(number, after, 2);
    return { rows: page.events, ...(page.next ? { next: page.next } : {}) };
  });
  expect(events.flat().map((event) => (event as { text: string }).text)).toEqual([
    'event 1',
    'event 3',
    'event 4',
    'event 2',
    'event 0',
  ]);
  const runs = await allPages<{ at: string; id: string }>(async (before) => {
    const page = await reads.audit({ user: 'U0000MICRO', limit: 3, ...(before ? { before } : {}) });
    const shown = page.slice(0, 2);
    const last = shown.at(-1);
    return {
      rows: shown,
      ...(page.length > 2 && last ? { next: { at: last.requestedAtExact, id: last.id } } : {}),
    };
  });
  // The runs newest first, told apart by their microseconds (PostgreSQL writes no trailing zeros).
  const micro = (at: string) => (/\.(\d+)/.exec(at)?.[1] ?? '').padEnd(6, '0');
  expect(runs.flat().map((run) => micro((run as { requestedAtExact: string }).requestedAtExact))).toEqual([
    '123500',
    '123400',
    '123300',
    '123200',
    '123100',
  ]);
});
