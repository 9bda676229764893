import type { PoolEvidence } from './evidence.ts';
import type { Finding } from './finding.ts';

/** Client connections above this share of max_connections make the pool a warning (as `db connections`). */
export const POOL_WARN_PERCENT = 80;
/** … and above this, exhausted: new connections are about to be refused. */
export const POOL_CRITICAL_PERCENT = 95;

/**
 * The runbook's "Database Connection Pool Exhausted": pg_stat_activity by state against
 * max_connections; the fix it gives is killing idle connections. `explicit`: asked for by name, so a
 * healthy pool is reported too.
 */
export function analysePool(pool: PoolEvidence, explicit: boolean): Finding[] {
  const severity =
    pool.percentUsed >= POOL_CRITICAL_PERCENT
      ? 'critical'
      : pool.percentUsed >= POOL_WARN_PERCENT
        ? 'warning'
        : 'ok';
  if (severity === 'ok' && !explicit) return [];
  const usage = `${pool.clients} of max_connections ${pool.maxConnections} in use (${pool.percentUsed}%)`;
  const states = pool.byState.map((s) => `${s.connections} ${s.state}`).join(', ');
  const idle =
    pool.idleOverDefault > 0
      ? `${pool.idleOverDefault} idle for ${pool.idleAge} or more, which db kill-idle would end`
      : `none idle for ${pool.idleAge} or more`;
  const verdict =
    severity === 'critical'
      ? 'the pool is exhausted: new connections are refused ("No more connections available")'
      : severity === 'warning'
        ? `the pool is near its limit (≥ ${POOL_WARN_PERCENT}%)`
        : 'the pool is not exhausted';
  return [
    {
      case: 'pool',
      severity,
      subject: pool.database,
      finding: `${usage}: ${verdict}; ${idle}.${severity !== 'ok' && pool.idleOverDefault === 0 ? " The connections are in use: the runbook's next step is a larger pool (a code change)." : ''}`,
      evidence: [
        { label: 'Connections', value: usage },
        { label: 'By state', value: states || '(none)' },
        { label: `Idle ≥ ${pool.idleAge}`, value: String(pool.idleOverDefault) },
      ],
      ...(severity !== 'ok' || pool.idleOverDefault > 0
        ? {
            fix:
              pool.idleOverDefault > 0
                ? { label: 'Kill idle connections…', command: 'db kill-idle' }
                : { label: 'Connections by application', command: 'db connections' },
          }
        : {}),
    },
  ];
}
