import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/db/database.ts';
import { PgIncidentStore } from '../../src/db/incident-store.ts';
import { migrate } from '../../src/db/migrate.ts';
import { runFleetbot } from '../support/cli-process.ts';
import { DRILL_NOTE, seedDrill } from '../support/console-seed.ts';
import { createTestDatabase } from '../support/databases.ts';
import { captureLogs } from '../support/log-capture.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let number: number;
const OPENED = new Date('2025-06-12T14:02:00Z');

beforeAll(async () => {
  database = await createTestDatabase();
  const { logger } = captureLogs('silent');
  const pool = createPool(database.url, logger);
  await migrate(pool, logger);
  const store = new PgIncidentStore({ pool });
  number = await store.transaction(async (tx) => {
    const incident = await tx.create({
      title: 'HTTP 5xx rate above 5%',
      severity: 'P1',
      service: 'api',
      openedAt: OPENED,
      openedBy: 'alert:generic',
    });
    await tx.addTimeline(incident.number, {
      at: OPENED,
      kind: 'opened',
      actor: 'alert:generic',
      text: 'Opened from generic alert (P1): HTTP 5xx rate above 5%',
    });
    return incident.number;
  });
  await pool.end();
});
afterAll(async () => {
  await database.drop();
});

describe('fleetbot incidents', () => {
  const env = () => ({ DATABASE_URL: database.url, USER: 'dana' });

  it('lists the open incidents, shows one, acknowledges and resolves it, and prints the post-mortem', async () => {
    const list = await runFleetbot(['incidents', 'list'], env());
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`INC-${number}\\s+P1\\s+triggered\\s+api\\s+2025-06-12 14:02`));

    const ack = await runFleetbot(['incidents', 'ack', `INC-${number}`], env());
    expect([ack.code, ack.stdout.trim()]).toEqual([0, `INC-${number} acknowledged.`]);
    const again = await runFleetbot(['incidents', 'ack', String(number)], env());
    expect([again.code, again.stdout.trim()]).toEqual([0, `INC-${number} is already acknowledged.`]);

    const resolve = await runFleetbot(
      ['incidents', 'resolve', String(number), '--note', 'rolled back to 1.4.1'],
      env(),
    );
    expect(resolve.code).toBe(0);
    const show = await runFleetbot(['incidents', 'show', String(number)], env());
    expect(show.stdout).toContain(`INC-${number} · P1 · resolved · HTTP 5xx rate above 5%`);
    expect(show.stdout).toMatch(/cli:dana\s+Acknowledged/);
    expect(show.stdout).toMatch(/cli:dana\s+Resolved: rolled back to 1\.4\.1/);

    const draft = await runFleetbot(['incidents', 'postmortem', String(number)], env());
    expect(draft.code).toBe(0);
    expect(draft.stdout).toContain(`# INC-${number} · HTTP 5xx rate above 5% (P1)`);
    expect(draft.stdout).toMatch(/acknowledged after .+ · resolved after/);
    expect(draft.stdout).toContain('cli:dana · Resolved: rolled back to 1.4.1');
    expect(draft.stdout).toContain('## Root cause');

    const json = await runFleetbot(['incidents', 'list', '--all', '--json'], env());
    expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ number, status: 'resolved' })]);
  }, 60_000);

  it('shows a drill by its DRILL-n reference, marked, with its report once it ended', async () => {
    const { logger } = captureLogs('silent');
    const pool = createPool(database.url, logger);
    const ended = await seedDrill(pool, { n: 1, openedAt: OPENED });
    await seedDrill(pool, { n: 2, openedAt: new Date(), running: true });
    await pool.end();

    const show = await runFleetbot(['incidents', 'show', 'DRILL-1'], env());
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('DRILL-1 · P1 · resolved · Practice P1 on fleet-api');
    expect(show.stdout).toContain('DRILL (practice) · ×60 · started by U0000LEAD');
    expect(show.stdout).toContain('Drill report DRILL-1:');
    expect(show.stdout).toContain('  Acknowledged by U0000ONCALL after 42 s (42 min 0 s in production).');
    expect(show.stdout).toContain(
      '  deadline.1: DevOps Lead → U0000DEVOPS by DM + thread mention, due at +15 s (15 min 0 s in production), fired at +21.4 s — ⚠️ late by 6.4 s',
    );
    // Plain text: what was typed is printed as typed.
    expect(show.stdout).toContain(`U0000ONCALL answered after 30 s: ${DRILL_NOTE}`);
    const json = await runFleetbot(['incidents', 'show', 'drill-1', '--json'], env());
    expect(JSON.parse(json.stdout).drillReport).toEqual(JSON.parse(JSON.stringify(ended.report)));

    const running = await runFleetbot(['incidents', 'show', 'DRILL-2'], env());
    expect(running.code).toBe(0);
    expect(running.stdout).toContain('DRILL-2 · P1 · triggered · Practice P1 on fleet-api');
    expect(running.stdout).toContain('DRILL (practice) · ×60');
    expect(running.stdout).not.toContain('Drill report');
  }, 60_000);

  it('says what is wrong: no such incident (exit 1), no number or an unknown verb (exit 2)', async () => {
    const missing = await runFleetbot(['incidents', 'show', '9999'], env());
    expect([missing.code, missing.stderr.trim()]).toEqual([
      1,
      'There is no incident INC-9999. `fleetbot incidents list --all` shows them all.',
    ]);
    const noNumber = await runFleetbot(['incidents', 'ack'], env());
    expect(noNumber.code).toBe(2);
    expect(noNumber.stderr).toContain('"incidents ack" needs an incident number');
    const unknown = await runFleetbot(['incidents', 'close', '1'], env());
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Usage: fleetbot incidents list');
  }, 30_000);
});
