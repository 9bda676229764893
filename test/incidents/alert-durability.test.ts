import pg from 'pg';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import {
  DEPLOYMENT_ALERTS_CHANNEL as ALERTS_CHANNEL,
  type Cleanups,
  deployment,
  ready,
  ALERTS_TOKEN as TOKEN,
  workerStarted,
} from '../support/deployment.ts';
import { eventually } from '../support/eventually.ts';
import { MALFORMED_ALERTS } from '../support/malformed-alerts.ts';

const cleanups: Cleanups = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

function send(url: string, body: unknown) {
  return fetch(`${url}/alerts/generic`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(body),
  });
}

describe('no alert acknowledged with 2xx is ever lost', () => {
  it('a 50-case table of malformed payloads: each is answered 400 naming the problem, none 500, nothing stored', async () => {
    const d = await deployment(cleanups);
    const web = d.start('web');
    await ready(d.url, web);
    for (const row of MALFORMED_ALERTS) {
      const response = await fetch(`${d.url}/alerts/${row.route}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(row.body),
      });
      const answer = (await response.json()) as { problems?: { path: string }[] };
      expect({ row: row.name, status: response.status }).toEqual({ row: row.name, status: 400 });
      expect(
        answer.problems?.some((problem) => problem.path.startsWith(row.problemPath)),
        row.name,
      ).toBe(true);
    }
    await d.db.connect();
    cleanups.push(() => d.db.end());
    expect((await d.db.query('SELECT count(*)::int AS n FROM alert_events')).rows[0].n).toBe(0);
  }, 90_000);

  it('database refusing connections: intake answers 503; once it is back, the retried alert is stored exactly once', async () => {
    const d = await deployment(cleanups);
    const web = d.start('web');
    await ready(d.url, web);
    const name = new URL(d.database.url).pathname.slice(1);
    const admin = new pg.Client({ connectionString: inject('postgresUrl') });
    await admin.connect();
    cleanups.push(async () => {
      await admin.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS true`);
      await admin.end();
    });
    await admin.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS false`);
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);

    const alert = {
      title: 'Disk 95% full',
      severity: 'P2',
      service: 'postgres',
      fingerprint: 'disk-95',
      startsAt: '2026-11-30T03:00:00Z',
    };
    const refused = await send(d.url, alert);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(((await refused.json()) as { message: string }).message).toContain('send it again');

    await admin.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS true`);
    // The sender retries until it gets its 2xx (Alertmanager and Azure both do).
    const accepted = await eventually(
      async () => ((await send(d.url, alert)).status === 202 ? true : undefined),
      30_000,
      '202',
    );
    expect(accepted).toBe(true);
    expect((await send(d.url, alert)).status).toBe(202);
    await d.db.connect();
    cleanups.push(() => d.db.end());
    const rows = (
      await d.db.query("SELECT deliveries FROM alert_events WHERE fingerprint = 'generic:disk-95'")
    ).rows;
    expect(rows).toEqual([{ deliveries: 2 }]);
  }, 90_000);

  it('worker killed (SIGKILL) mid-storm: every acknowledged alert is stored, and every incident gets one message after restart', async () => {
    const d = await deployment(cleanups);
    const web = d.start('web');
    await ready(d.url, web);
    const first = d.start('worker');
    await workerStarted(first);

    const acknowledged: string[] = [];
    const storm = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const fingerprint = `storm-${i % 40}`;
        const startsAt = new Date(Date.UTC(2026, 10, 30, 3, 0, i % 60, Math.floor(i / 60))).toISOString();
        const response = await send(d.url, {
          title: `Storm ${i % 40}`,
          severity: 'P3',
          service: `svc-${i % 40}`,
          fingerprint,
          startsAt,
        });
        if (response.status === 202) acknowledged.push(`generic:${fingerprint}|${startsAt}`);
      }
    };
    const senders = Array.from({ length: 5 }, (_, k) => storm(k * 200, k * 200 + 200));
    await eventually(() => acknowledged.length >= 300, 60_000, 'the storm to be under way');
    const killedAt = Date.now();
    first.kill('SIGKILL');
    await Promise.all(senders);
    expect(acknowledged).toHaveLength(1000);

    const restartedAt = Date.now();
    const second = d.start('worker');
    await workerStarted(second);
    await d.db.connect();
    cleanups.push(() => d.db.end());
    await eventually(
      async () =>
        (await d.db.query('SELECT count(*)::int AS n FROM alert_events WHERE processed_at IS NULL')).rows[0]
          .n === 0,
      60_000,
      'every stored alert applied',
    );
    const stored = (
      await d.db.query(
        "SELECT fingerprint || '|' || to_char(starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS id FROM alert_events",
      )
    ).rows.map((row) => row.id as string);
    expect(new Set(stored)).toEqual(new Set(acknowledged));
    const incidents = (await d.db.query('SELECT id FROM incidents ORDER BY id')).rows.map((row) =>
      Number(row.id),
    );
    expect(incidents).toHaveLength(40);
    await eventually(
      async () =>
        (
          await d.db.query(
            "SELECT count(*)::int AS n FROM slack_messages WHERE key ~ '^incident\\.[0-9]+$' AND status = 'delivered'",
          )
        ).rows[0].n === 40,
      60_000,
      'every incident message delivered',
    );
    const posted = d.slack
      .callsTo('chat.postMessage')
      .filter((call) => call.args.channel === ALERTS_CHANNEL && !call.args.thread_ts && call.status === 200);
    const perIncident = new Map<number, number[]>();
    for (const call of posted) {
      const number = Number(/INC-(\d+)/.exec(String(call.args.text))?.[1]);
      perIncident.set(number, [...(perIncident.get(number) ?? []), call.at]);
    }
    expect([...perIncident.keys()].sort((a, b) => a - b)).toEqual(incidents);
    // Once each, but for the delivery path's one crash window (README, "one delivery path"): Slack took
    // the post and the worker died before recording it, so the next worker posts it again. Such a
    // message was posted before the kill and again after the restart, and at most the deliveries
    // running at the kill (10) are in that window.
    const twice = [...perIncident.values()].filter((times) => times.length > 1);
    for (const times of twice) {
      expect(times).toHaveLength(2);
      expect(times[0]).toBeLessThanOrEqual(killedAt);
      expect(times[1]).toBeGreaterThanOrEqual(restartedAt);
    }
    expect(twice.length).toBeLessThanOrEqual(10);
  }, 180_000);

  it('escalation timers of a killed worker, its queue flushed: reconciled at start, overdue steps fire once, marked late', async () => {
    const d = await deployment(
      cleanups,
      `severities: { P2: { responseTime: 8s } }\nroles: { oncall: { slack: { users: [U0000ONCALL] } } }`,
    );
    const web = d.start('web');
    await ready(d.url, web);
    const first = d.start('worker');
    await workerStarted(first);
    await d.db.connect();
    cleanups.push(() => d.db.end());
    for (let i = 0; i < 20; i++) {
      expect(
        (
          await send(d.url, {
            title: `Timer ${i}`,
            severity: 'P2',
            service: `timer-${i}`,
            fingerprint: `timer-${i}`,
          })
        ).status,
      ).toBe(202);
    }
    // Every incident paged, its deadline timer pending; then the worker dies and the queue is lost.
    await eventually(
      async () =>
        (
          await d.db.query(
            "SELECT count(*)::int AS n FROM incidents WHERE 'page' = ANY(escalation_done) AND escalation_due_at IS NOT NULL",
          )
        ).rows[0].n === 20,
      30_000,
      'twenty pages and pending timers',
    );
    // The pages delivered too: a DM in flight at the kill is the delivery path's crash window (the
    // test above), not what this one is about.
    await eventually(
      async () =>
        (
          await d.db.query(
            "SELECT count(*)::int AS n FROM slack_messages WHERE key ~ '^escalation\\.[0-9]+\\.page\\.U0000ONCALL$' AND status = 'delivered'",
          )
        ).rows[0].n === 20,
      30_000,
      'the twenty page DMs delivered',
    );
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    expect(
      (
        await d.db.query(
          "SELECT count(*)::int AS n FROM timeline_events WHERE details->>'step' = 'deadline.1'",
        )
      ).rows[0].n,
    ).toBe(0);
    await d.db.query('TRUNCATE fleetbot_queue.job CASCADE');
    // Past every deadline while nothing runs.
    await eventually(
      async () =>
        (
          await d.db.query(
            "SELECT count(*)::int AS n FROM incidents WHERE escalation_due_at > now() - interval '6 seconds'",
          )
        ).rows[0].n === 0,
      30_000,
      'the deadlines to pass',
    );
    const second = d.start('worker');
    await workerStarted(second);
    await eventually(
      async () =>
        (
          await d.db.query(
            "SELECT count(*)::int AS n FROM timeline_events WHERE kind = 'escalated' AND details->>'step' = 'deadline.1'",
          )
        ).rows[0].n === 20,
      30_000,
      `every overdue deadline fired; the worker said:\n${second.output().slice(-4000)}`,
    );
    const { rows } = await d.db.query(
      "SELECT incident_id, details->>'text' AS text, at, (details->>'dueAt')::timestamptz AS due FROM timeline_events WHERE kind = 'escalated' AND details->>'step' = 'deadline.1'",
    );
    expect(new Set(rows.map((row) => row.incident_id)).size).toBe(20);
    for (const row of rows) {
      expect(row.at.getTime()).toBeGreaterThanOrEqual(row.due.getTime());
      expect(row.text).toMatch(/late by/);
    }
    // One DM per step per person, even though the sweep and start-up both looked for lost timers:
    // every escalation DM recorded was posted exactly once.
    const recorded = await eventually(
      async () => {
        const { rows: dms } = await d.db.query(
          "SELECT key, status FROM slack_messages WHERE key ~ '^escalation\\.[0-9]+\\.[a-z.0-9]+\\.U0000ONCALL$'",
        );
        return dms.every((row) => row.status === 'delivered') ? dms : undefined;
      },
      // A DM recorded before the kill lost its delivery job with the flushed queue: the delivery
      // sweep (every 30 s, for messages pending over 30 s) sends it, so this takes up to a minute
      // alone; with every test file running at once on CI (Chromium among them) it took over 90 s.
      150_000,
      'every escalation DM delivered',
    );
    expect(recorded?.filter((row) => row.key.includes('.deadline.1.'))).toHaveLength(20);
    const posted = d.slack
      .callsTo('chat.postMessage')
      .filter((call) => call.args.channel === 'U0000ONCALL' && call.status === 200);
    expect(posted).toHaveLength(recorded?.length ?? -1);
  }, 270_000);

  // Correctness with two workers over 100 incidents; the scale of issue 10 (500 incidents, 10,000
  // timers) is measured by `npm run bench:timers`, where the throughput figures belong.
  it('two workers: each escalation step of 100 incidents is delivered exactly once', async () => {
    const d = await deployment(
      cleanups,
      // 8 s between re-pages: fewer repeats competing with the DMs counted below on a loaded CI machine.
      `severities: { P2: { responseTime: 8s } }\nroles: { oncall: { slack: { users: [U0000ONCALL] } } }\nescalation: { unacknowledged: [], rules: [] }`,
    );
    const web = d.start('web');
    await ready(d.url, web);
    const workers = [d.start('worker'), d.start('worker')];
    for (const worker of workers) await workerStarted(worker);
    await d.db.connect();
    cleanups.push(() => d.db.end());
    const senders = Array.from({ length: 10 }, async (_, k) => {
      for (let i = k * 10; i < k * 10 + 10; i++) {
        const response = await send(d.url, {
          title: `Two ${i}`,
          severity: 'P2',
          service: `two-${i}`,
          fingerprint: `two-${i}`,
        });
        expect(response.status).toBe(202);
      }
    });
    await Promise.all(senders);
    // The page at open, and the first deadline 8 s later (then more re-pages: only these two are counted).
    let progress = '';
    await eventually(
      async () => {
        const counts = await d.db.query(
          `SELECT (SELECT count(*)::int FROM incidents) AS incidents,
                  (SELECT count(*)::int FROM incidents WHERE escalation_policy IS NOT NULL) AS planned,
                  (SELECT count(*)::int FROM timeline_events WHERE details->>'step' = 'page') AS pages,
                  (SELECT count(*)::int FROM timeline_events WHERE details->>'step' = 'deadline.1') AS deadlines,
                  (SELECT count(*)::int FROM alert_events WHERE processed_at IS NULL) AS unapplied`,
        );
        progress = JSON.stringify(counts.rows[0]);
        return counts.rows[0].deadlines >= 100;
      },
      120_000,
      'every first deadline',
    ).catch((error: Error) => {
      throw new Error(`${error.message}: ${progress}`);
    });
    const { rows } = await d.db.query(
      `SELECT details->>'step' AS step, count(*)::int AS n, count(DISTINCT incident_id)::int AS incidents
         FROM timeline_events WHERE details->>'step' IN ('page', 'deadline.1') GROUP BY 1 ORDER BY 1`,
    );
    expect(rows).toEqual([
      { step: 'deadline.1', n: 100, incidents: 100 },
      { step: 'page', n: 100, incidents: 100 },
    ]);
    // The alerts resolve, and the incidents with them: re-pages every 8 s of 100 incidents to one
    // person (12 DMs a second, more than Slack lets one channel take) would otherwise crowd out
    // the DMs counted below on a loaded CI machine.
    await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const response = await send(d.url, {
          title: `Two ${i}`,
          severity: 'P2',
          service: `two-${i}`,
          fingerprint: `two-${i}`,
          status: 'resolved',
        });
        expect(response.status).toBe(202);
      }),
    );
    const dms = await eventually(
      async () => {
        const { rows: keys } = await d.db.query(
          "SELECT key, status FROM slack_messages WHERE key ~ '^escalation\\.[0-9]+\\.(page|deadline\\.1)\\.U0000ONCALL$'",
        );
        return keys.length === 200 && keys.every((row) => row.status === 'delivered') ? keys : undefined;
      },
      180_000,
      'the 200 DMs delivered',
    );
    expect(dms).toHaveLength(200);
    // Each recorded DM reached Slack once: no step was delivered by both workers. Re-pages keep
    // coming every 8 s, so the workers are stopped (drained) before counting both sides.
    for (const worker of workers) {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.kill('SIGTERM');
      await exited;
    }
    const texts = d.slack
      .callsTo('chat.postMessage')
      .filter((call) => call.args.channel === 'U0000ONCALL' && call.status === 200);
    expect(texts.length).toBeGreaterThanOrEqual(200);
    const { rows: delivered } = await d.db.query(
      "SELECT count(*)::int AS n FROM slack_messages WHERE key ~ '^escalation\\.[0-9]+\\..*\\.U0000ONCALL$' AND status = 'delivered'",
    );
    expect(texts).toHaveLength(delivered[0].n);
  }, 420_000);
});
