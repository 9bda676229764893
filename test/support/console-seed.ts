import type pg from 'pg';

const TITLES = [
  'fleet-api 5xx above 5%',
  'redis memory above 90%',
  'postgres connections exhausted',
  'frontend p95 latency',
];
const SERVICES = ['api', 'redis', 'postgres', 'frontend'];

export interface ConsoleSeed {
  /** Incidents to create, numbered 1…n in opening order (one every 5 minutes up to `now`). */
  incidents: number;
  /** Timeline events of every incident. */
  eventsEach: number;
  /** Incident numbers given this many events instead. */
  big?: { number: number; events: number };
  /** Action runs in the audit log. */
  runs?: number;
  now?: Date;
}

/**
 * Fills fleetbot's tables as months of use would, in a few statements (generate_series): incident
 * n has severity P(n mod 4), service SERVICES[n mod 4], title TITLES[n mod 4]; every tenth is still
 * triggered, every tenth + 1 acknowledged, the rest resolved 40 min after opening (acknowledged
 * after 4 min). Run n of the audit log is by U0000USER(n mod 3), action health/restart/scale
 * (n mod 3), status ok but every fifth failed.
 */
export async function seedConsole(pool: pg.Pool, seed: ConsoleSeed): Promise<void> {
  const now = seed.now ?? new Date();
  await pool.query(
    `INSERT INTO incidents (title, severity, status, service, summary, opened_at, acknowledged_at, acknowledged_by,
                            resolved_at, resolved_by, alert_count, version, synced_version)
     SELECT 'Incident ' || g || ': ' || ($2::text[])[1 + g % 4],
            'P' || (g % 4),
            CASE WHEN g % 10 = 0 THEN 'triggered' WHEN g % 10 = 1 THEN 'acknowledged' ELSE 'resolved' END,
            ($3::text[])[1 + g % 4],
            'seeded for the console',
            $4::timestamptz - ($1 - g) * interval '5 minutes',
            CASE WHEN g % 10 = 0 THEN NULL ELSE $4::timestamptz - ($1 - g) * interval '5 minutes' + interval '4 minutes' END,
            CASE WHEN g % 10 = 0 THEN NULL ELSE 'U0000ONCALL' END,
            CASE WHEN g % 10 IN (0, 1) THEN NULL ELSE $4::timestamptz - ($1 - g) * interval '5 minutes' + interval '40 minutes' END,
            CASE WHEN g % 10 IN (0, 1) THEN NULL ELSE 'U0000ONCALL' END,
            1 + g % 3, 1, 1
       FROM generate_series(1, $1) AS g`,
    [seed.incidents, TITLES, SERVICES, now],
  );
  await pool.query(
    `INSERT INTO timeline_events (incident_id, at, kind, actor, details)
     SELECT i.id, i.opened_at + e * interval '1 second', 'alert-repeat', 'alert:generic',
            jsonb_build_object('text', 'received again (' || e || ')')
       FROM incidents i, generate_series(1, CASE WHEN i.id = $2::int THEN $3::int ELSE $1::int END) AS e`,
    [seed.eventsEach, seed.big?.number ?? 0, seed.big?.events ?? 0],
  );
  if (seed.runs) {
    await pool.query(
      `INSERT INTO action_runs (id, request_id, action, params, target, requested_by, origin, status, summary,
                                requested_at, finished_at)
       SELECT gen_random_uuid(), 'seed.' || g, (ARRAY['health', 'restart', 'scale'])[1 + g % 3],
              '{}'::jsonb, CASE WHEN g % 3 = 0 THEN NULL ELSE 'fleet-api' END, 'U0000USER' || (g % 3), 'slack',
              CASE WHEN g % 5 = 0 THEN 'failed' ELSE 'ok' END, 'seeded run ' || g,
              $2::timestamptz - ($1 - g) * interval '1 minute', $2::timestamptz - ($1 - g) * interval '1 minute' + interval '2 seconds'
         FROM generate_series(1, $1) AS g`,
      [seed.runs, now],
    );
  }
  await pool.query('ANALYZE incidents, timeline_events, action_runs');
}
