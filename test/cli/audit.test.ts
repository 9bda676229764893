import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionRunStore } from '../../src/db/action-run-store.ts';
import { createPool } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { runFleetbot } from '../support/cli-process.ts';
import { createTestDatabase } from '../support/databases.ts';
import { captureLogs } from '../support/log-capture.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase();
  const { logger } = captureLogs('silent');
  const pool = createPool(database.url, logger);
  await migrate(pool, logger);
  const store = new ActionRunStore({ pool });
  const { row } = await store.record({
    id: '00000000-0000-4000-8000-000000000001',
    requestId: 'slash.1',
    action: 'restart',
    params: { service: 'api' },
    target: 'Deployment/fleet-api',
    requestedBy: 'U0000ONCALL',
    confirmedBy: undefined,
    origin: 'slack',
    status: 'awaiting_confirmation',
  });
  await pool.query("UPDATE action_runs SET status = 'queued', confirmed_by = 'U0000ONCALL' WHERE id = $1", [
    row.id,
  ]);
  await store.start(row.id, '00000000-0000-4000-8000-000000000001', 60_000);
  await store.finish(row.id, {
    status: 'ok',
    summary: 'fleet-api restarted in 41 s · 3/3 available',
    result: null,
  });
  await pool.end();
});
afterAll(async () => {
  await database.drop();
});

describe('fleetbot audit', () => {
  it('lists who ran what, confirmed by whom, the outcome and how long it took', async () => {
    const run = await runFleetbot(['audit', '--since', '1h'], { DATABASE_URL: database.url });
    expect(run.code).toBe(0);
    const [header, line] = run.stdout.trim().split('\n');
    expect(header).toMatch(
      /^REQUESTED \(UTC\)\s+BY\s+ACTION\s+PARAMETERS\s+CONFIRMED BY\s+OUTCOME\s+TOOK\s+SUMMARY$/,
    );
    expect(line).toMatch(
      /U0000ONCALL\s+restart\s+\{"service":"api"\}\s+U0000ONCALL\s+ok\s+\d+\.\d s\s+fleet-api restarted/,
    );
  });

  it('says what it expects for a bad --since', async () => {
    const run = await runFleetbot(['audit', '--since', 'lately'], { DATABASE_URL: database.url });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--since expects a duration like 30m, 24h or 7d, got "lately".');
  });
});
