import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgConsoleReads } from '../../src/db/console-reads.ts';
import { DRILL_BASE } from '../../src/domain/incident.ts';
import { seedConsole, seedDrill } from '../support/console-seed.ts';
import { migratedTestDatabase } from '../support/databases.ts';
import { allPages } from '../support/keyset-pages.ts';

const NOW = new Date('2026-11-30T12:00:00Z');
let database: Awaited<ReturnType<typeof migratedTestDatabase>>;
let pool: pg.Pool;
let reads: PgConsoleReads;
let ended: Awaited<ReturnType<typeof seedDrill>>;

beforeAll(async () => {
  database = await migratedTestDatabase();
  pool = database.pool;
  await seedConsole(pool, {
    incidents: 120,
    eventsEach: 3,
    big: { number: 7, events: 450 },
    runs: 130,
    now: NOW,
  });
  // Two drills in the period: DRILL-1 acknowledged after 42 s and resolved after 6 min, DRILL-2 open.
  ended = await seedDrill(pool, { n: 1, openedAt: new Date(NOW.getTime() - 2 * 86_400_000) });
  await seedDrill(pool, { n: 2, openedAt: new Date(NOW.getTime() - 600_000), running: true });
  reads = new PgConsoleReads({ pool });
}, 60_000);

afterAll(async () => {
  await database?.close();
});

describe('the console read models (PostgreSQL)', () => {
  it('pages the incident list newest first, each page starting where the last ended', async () => {
    const pages = await allPages<number>(async (before) => {
      const rows = await reads.incidents({ limit: 51, ...(before ? { before } : {}) });
      const shown = rows.slice(0, 50);
      return { rows: shown, ...(rows.length > 50 ? { next: shown.at(-1)?.number } : {}) };
    });
    expect(pages.map((rows) => rows.length)).toEqual([50, 50, 20]);
    const numbers = pages.flat().map((row) => (row as { number: number }).number);
    expect(numbers).toEqual(Array.from({ length: 120 }, (_, index) => 120 - index));
  });

  it('filters by status, severity, service, date range and text, together', async () => {
    const open = await reads.incidents({ status: 'open', limit: 200 });
    expect(open.map((row) => row.number).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 120 }, (_, index) => index + 1).filter((n) => n % 10 === 0 || n % 10 === 1),
    );
    const p1Redis = await reads.incidents({ severity: 'P1', service: 'redis', limit: 200 });
    expect(p1Redis.length).toBe(30);
    expect(p1Redis.every((row) => row.severity === 'P1' && row.service === 'redis')).toBe(true);
    const text = await reads.incidents({ text: 'REDIS MEMORY', status: 'resolved', limit: 200 });
    expect(text.length).toBeGreaterThan(0);
    expect(text.every((row) => row.title.includes('redis memory') && row.status === 'resolved')).toBe(true);
    // Incident n opened (120 - n) × 5 min before NOW: the last hour holds 109…120 (and 108 at exactly 60 min).
    const lastHour = await reads.incidents({
      from: new Date(NOW.getTime() - 3_600_000),
      to: NOW,
      limit: 200,
    });
    expect(lastHour.map((row) => row.number)).toEqual([
      119, 118, 117, 116, 115, 114, 113, 112, 111, 110, 109, 108,
    ]);
    // Typed text is matched as typed: `_` and `%` are not wildcards.
    expect(await reads.incidents({ text: '_', limit: 10 })).toEqual([]);
    expect((await reads.incidents({ text: '5%', limit: 200 })).every((row) => row.title.includes('5%'))).toBe(
      true,
    );
  });

  it("pages one incident's timeline oldest first, with the total", async () => {
    const first = await reads.timeline(7, undefined, 200);
    expect(first.total).toBe(450);
    expect(first.events.length).toBe(200);
    const second = await reads.timeline(7, first.next, 200);
    const third = await reads.timeline(7, second.next, 200);
    expect([second.events.length, third.events.length, third.next]).toEqual([200, 50, undefined]);
    const texts = [...first.events, ...second.events, ...third.events].map((event) => event.text);
    expect(new Set(texts).size).toBe(450);
    expect(texts[0]).toBe('received again (1)');
    expect(texts.at(-1)).toBe('received again (450)');
  });

  it('filters the audit log by user, action, service and outcome, and pages it', async () => {
    const failedRestarts = await reads.audit({ action: 'restart', outcome: 'failed', limit: 200 });
    expect(failedRestarts.length).toBeGreaterThan(0);
    expect(failedRestarts.every((row) => row.action === 'restart' && row.status === 'failed')).toBe(true);
    const byUser = await reads.audit({ user: 'U0000USER1', service: 'fleet-api', limit: 200 });
    expect(byUser.every((row) => row.requestedBy === 'U0000USER1' && row.target === 'fleet-api')).toBe(true);
    const pages = await allPages<{ at: string; id: string }>(async (before) => {
      const rows = await reads.audit({ limit: 51, ...(before ? { before } : {}) });
      const shown = rows.slice(0, 50);
      const last = shown.at(-1);
      return {
        rows: shown,
        ...(rows.length > 50 && last ? { next: { at: last.requestedAtExact, id: last.id } } : {}),
      };
    });
    expect(pages.map((rows) => rows.length)).toEqual([50, 50, 30]);
    expect(new Set(pages.flat().map((row) => (row as { id: string }).id)).size).toBe(130);
  });

  it('counts open incidents by severity and the mean response times of the period', async () => {
    const stats = {
      ...(await reads.periodStats(new Date(NOW.getTime() - 30 * 86_400_000), new Date(NOW.getTime() + 1))),
      openBySeverity: await reads.openCounts(),
    };
    // Open: n ≡ 0 or 1 (mod 10) → severities P0 (n ≡ 0 mod 4)… of 24 incidents. The drills (one
    // open, one acknowledged after 42 s and resolved after 6 min) would change each figure: not counted.
    const open = Object.values(stats.openBySeverity).reduce((sum, count) => sum + count, 0);
    expect(open).toBe(24);
    expect(stats.opened).toBe(120);
    expect(stats.mttaMs).toBe(4 * 60_000);
    expect(stats.mttrMs).toBe(40 * 60_000);
    expect(stats.alertsPerDay.at(-1)?.day).toBe('2026-11-30');
  });

  it('lists drills apart from incidents, and reads a drill with its report in the page read', async () => {
    const drills = await reads.incidents({ drills: true, limit: 51 });
    expect(drills.map((row) => row.number)).toEqual([DRILL_BASE + 2, DRILL_BASE + 1]);
    // Keyset paging and the filters work the same on drills.
    expect(
      (await reads.incidents({ drills: true, before: DRILL_BASE + 2, limit: 51 })).map((row) => row.number),
    ).toEqual([DRILL_BASE + 1]);
    expect(
      (await reads.incidents({ drills: true, status: 'open', limit: 51 })).map((row) => row.number),
    ).toEqual([DRILL_BASE + 2]);
    expect(
      (await reads.incidents({ status: 'open', limit: 200 })).some((row) => row.number > DRILL_BASE),
    ).toBe(false);
    // The App Home's open incidents do show the open drill (it is marked there).
    expect((await reads.openIncidents(50)).map((row) => row.number)).toContain(DRILL_BASE + 2);

    const record = await reads.incident(DRILL_BASE + 1, 'incident.none');
    expect(record?.incident.drill).toEqual({
      speed: 60,
      notify: 'people',
      includeCto: false,
      startedBy: 'U0000LEAD',
    });
    expect(record?.drillReport).toEqual(ended.report);
    const running = await reads.incident(DRILL_BASE + 2, 'incident.none');
    expect(running?.incident.drill?.speed).toBe(60);
    expect(running?.drillReport).toBeUndefined();
    expect((await reads.incident(7, 'incident.none'))?.incident.drill).toBeUndefined();
  });
});
