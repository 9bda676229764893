import pg from 'pg';
import { eventually } from './eventually.ts';

/**
 * Waits until PostgreSQL itself reports every session of `pids` idle for at least `ms` (its
 * `state_change` that long ago): the age `db kill-idle` reads, rather than a guess at a sleep.
 */
export async function idleFor(url: string, pids: readonly number[], ms: number): Promise<void> {
  const observer = new pg.Client({ connectionString: url, application_name: 'test-observer' });
  await observer.connect();
  try {
    await eventually(
      async () => {
        const { rows } = await observer.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE pid = ANY($1::int[]) AND state = 'idle' AND state_change <= clock_timestamp() - make_interval(secs => $2 / 1000.0)`,
          [pids, ms],
        );
        return rows[0]?.n === pids.length;
      },
      10_000 + ms,
      `sessions ${pids.join(', ')} idle for ${ms} ms`,
    );
  } finally {
    await observer.end();
  }
}
