import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/db/database.ts';
import { PgIncidentStore } from '../../src/db/incident-store.ts';
import { migrate } from '../../src/db/migrate.ts';
import { runFleetbot } from '../support/cli-process.ts';
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
