import type pg from 'pg';
import type { DrillReport } from '../../src/domain/drill.ts';
import { DRILL_BASE, type DrillSettings } from '../../src/domain/incident.ts';

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

/** Who seeded drills involve: the lead starts them, on-call answers, devops never does. */
const STARTER = 'U0000LEAD';
const RESPONDER = 'U0000ONCALL';
const SILENT = 'U0000DEVOPS';

/** What on-call wrote first during the drill: a page must show it as text, not as markup. */
export const DRILL_NOTE = 'Note: kubectl get pods -l app=<api> & the dashboards look fine';

/**
 * The report of a P1 drill at ×60 that on-call acknowledged after 42 s and resolved after 6 min: one
 * step late, a role nobody holds, a DM Slack refused (to the person who then never answered).
 */
function drillReport(number: number, startedAt: Date): DrillReport {
  return {
    number,
    title: 'Practice P1 on fleet-api',
    severity: 'P1',
    speed: 60,
    notify: 'people',
    includeCto: false,
    startedBy: STARTER,
    startedAt,
    endedAt: new Date(startedAt.getTime() + 6 * 60_000),
    ended: 'resolved',
    endedBy: RESPONDER,
    steps: [
      {
        key: 'page',
        roles: ['oncall'],
        people: [RESPONDER],
        route: 'dm',
        dueAfterMs: 0,
        firedAfterMs: 800,
        lateMs: 0,
      },
      {
        key: 'deadline.1',
        roles: ['devopsLead'],
        people: [SILENT],
        route: 'dm',
        dueAfterMs: 15_000,
        firedAfterMs: 21_400,
        lateMs: 6_400,
      },
      {
        key: 'rule.0',
        roles: ['databaseAdmin'],
        people: [],
        route: 'dm',
        dueAfterMs: 30_000,
        firedAfterMs: 30_200,
        lateMs: 0,
      },
    ],
    acknowledged: { by: RESPONDER, afterMs: 42_000 },
    answered: [{ user: RESPONDER, what: DRILL_NOTE, afterMs: 30_000 }],
    silent: [SILENT],
    checklist: { ticked: 3, total: 9 },
    unheld: ['databaseAdmin'],
    failedDms: [{ user: SILENT, step: 'deadline.1', error: 'user_not_found' }],
  };
}

/**
 * DRILL-n as `/fleet drill P1 --speed 60` leaves it, written directly: ended (resolved, with its
 * report) unless `running`. A running one takes the escalation policy of incident `policyOf`, as
 * if planned: fleetbot's sweep plans (and pages for) an open incident without one. The drills'
 * sequence is left as it is: a test that also starts drills with `/fleet drill` seeds none.
 */
export async function seedDrill(
  pool: pg.Pool | pg.Client,
  drill: { n: number; openedAt: Date; running?: boolean; policyOf?: number },
): Promise<{ number: number; report?: DrillReport }> {
  const number = DRILL_BASE + drill.n;
  const settings: DrillSettings = { speed: 60, notify: 'people', includeCto: false, startedBy: STARTER };
  const report = drill.running ? undefined : drillReport(number, drill.openedAt);
  const at = (ms: number) => (drill.running ? null : new Date(drill.openedAt.getTime() + ms));
  await pool.query(
    `INSERT INTO incidents (id, title, severity, status, service, opened_at, opened_by, acknowledged_at, acknowledged_by,
                            resolved_at, resolved_by, alert_count, version, synced_version, drill, drill_report,
                            escalation_policy)
     VALUES ($1, 'Practice P1 on fleet-api', 'P1', $2, 'api', $3, $4, $5, $6, $7, $6, 0, 1, 1, $8, $9,
             (SELECT escalation_policy FROM incidents WHERE id = $10))`,
    [
      number,
      drill.running ? 'triggered' : 'resolved',
      drill.openedAt,
      STARTER,
      at(42_000),
      drill.running ? null : RESPONDER,
      at(6 * 60_000),
      JSON.stringify(settings),
      report ? JSON.stringify(report) : null,
      drill.policyOf ?? null,
    ],
  );
  return { number, ...(report ? { report } : {}) };
}
