import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRILL_BASE } from '../../src/domain/incident.ts';
import { type Hop, type HttpBrowser, last, signInByFetch } from '../support/console-client.ts';
import {
  CLIENT_SECRET,
  type ConsoleHarness,
  SESSION_SECRET,
  startConsoleHarness,
} from '../support/console-harness.ts';
import { DRILL_NOTE, seedDrill } from '../support/console-seed.ts';
import { eventually } from '../support/eventually.ts';
import { ONCALL, SIGNING_SECRET, VIEWER } from '../support/slack-harness.ts';

// Every page of the console, through the real app with a signed-in person (fetch with a cookie
// jar): what each answers, to which methods, with which headers, and that no secret reaches a page.

const TOKEN = 'alerts-token-0000fakefakefake0000';
const SLACK_TOKEN_IN_ALERT = 'xoxb-1234567890-0987654321-abcdefghijklmnopqrstuvwx';
const PASSWORD_IN_ALERT = 'hunter2-not-for-pages';
let h: ConsoleHarness;
let oncall: HttpBrowser;
let viewer: HttpBrowser;
let number: number;

beforeAll(async () => {
  h = await startConsoleHarness({
    env: { ALERTS_TOKEN: TOKEN },
    yaml: 'channels: { alerts: C0000ALERTS }\nalerts: { incidentChannel: [], groupWindow: 0s }\nmaintenance: { notices: [] }',
  });
  // An alert that carries secrets, as a careless alert rule's text does.
  const response = await fetch(`${h.origin}/alerts/generic`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({
      title: `fleet-api auth failing with token ${SLACK_TOKEN_IN_ALERT}`,
      description: `DATABASE_URL=postgres://fleet:${PASSWORD_IN_ALERT}@fleet-postgres:5432/fleet password=${PASSWORD_IN_ALERT}`,
      severity: 'P2',
      service: 'api',
      fingerprint: 'secret-alert',
    }),
  });
  expect(response.status).toBe(202);
  number = await eventually(
    async () => Number((await h.fleetbot.db.query('SELECT max(id) AS id FROM incidents')).rows[0]?.id ?? 0),
    10_000,
    'the incident',
  );
  // 450 more timeline events: the incident page shows them 200 at a time.
  await h.fleetbot.db.query(
    `INSERT INTO timeline_events (incident_id, at, kind, actor, details)
     SELECT $1, now() + e * interval '1 second', 'alert-repeat', 'alert:generic', jsonb_build_object('text', 'repeat ' || e)
       FROM generate_series(1, 450) AS e`,
    [number],
  );
  await eventually(
    async () =>
      (await h.fleetbot.db.query('SELECT ts FROM slack_messages WHERE key = $1', [`incident.${number}`]))
        .rows[0]?.ts,
    10_000,
    "the incident's message in Slack",
  );
  // A restart run from the incident, as its Restart button records it.
  await h.fleetbot.db.query(
    `INSERT INTO action_runs (id, request_id, action, target, requested_by, origin, status, summary, incident_id,
                              requested_at, finished_at)
     VALUES (gen_random_uuid(), 'pages-test', 'restart', 'fleet-api', $2, 'slack', 'ok', 'fleet-api rolled out 2/2', $1,
             now(), now() + interval '40 seconds')`,
    [number, ONCALL],
  );
  // DRILL-1 ended a day ago with its report (and a run from it); DRILL-2, a P1, runs now.
  await seedDrill(h.fleetbot.db, { n: 1, openedAt: new Date(Date.now() - 86_400_000) });
  await seedDrill(h.fleetbot.db, { n: 2, openedAt: new Date(), running: true, policyOf: number });
  await h.fleetbot.db.query(
    `INSERT INTO action_runs (id, request_id, action, target, requested_by, origin, status, summary, incident_id,
                              requested_at, finished_at)
     VALUES (gen_random_uuid(), 'pages-test-drill', 'health', NULL, $2, 'slack', 'ok', 'all green', $1,
             now(), now() + interval '2 seconds')`,
    [DRILL_BASE + 1, ONCALL],
  );
  oncall = (await signInByFetch(h.origin, ONCALL)).browser;
  viewer = (await signInByFetch(h.origin, VIEWER)).browser;
}, 120_000);

afterAll(async () => {
  await h?.close();
});

async function open(browser: HttpBrowser, path: string, method = 'GET'): Promise<Hop> {
  return last(await browser.get(`${h.origin}${path}`, { follow: false, method }));
}

const PAGES = () => [
  '/console/',
  '/console/incidents',
  '/console/incidents?status=open&severity=P2&service=api&q=auth&from=2026-01-01&to=2030-12-31',
  '/console/incidents?kind=drills&status=resolved',
  `/console/incidents/${number}`,
  `/console/incidents/INC-${number}`,
  `/console/incidents/${number}/postmortem`,
  '/console/incidents/DRILL-1',
  `/console/incidents/${DRILL_BASE + 2}`,
  '/console/incidents/DRILL-1/postmortem',
  '/console/oncall',
  '/console/oncall?severity=P0&flag=customer-data&flag=database',
  '/console/maintenance',
  '/console/audit',
  `/console/audit?user=${ONCALL}&action=restart&service=fleet-api&outcome=failed`,
];

describe('the console pages', () => {
  it('answers every page with HTML, the CSP and no secret', async () => {
    for (const path of PAGES()) {
      const hop = await open(oncall, path);
      expect(hop.status, path).toBe(200);
      expect(hop.headers.get('content-type'), path).toMatch(/^text\/html/);
      expect(hop.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
      expect(hop.body, path).toMatch(/^<!doctype html>/);
      for (const secret of [
        SLACK_TOKEN_IN_ALERT,
        PASSWORD_IN_ALERT,
        CLIENT_SECRET,
        SESSION_SECRET,
        SIGNING_SECRET,
      ]) {
        expect(hop.body, `${path} shows a secret`).not.toContain(secret);
      }
    }
    const incident = await open(oncall, `/console/incidents/${number}`);
    expect(incident.body).toContain('fleet-api auth failing with token [REDACTED]');
    // Its alert, the run from it, and the link to its message in Slack.
    expect(incident.body).toMatch(/<td>restart fleet-api<\/td><td><span class="user">@U0000ONCALL<\/span>/);
    expect(incident.body).toContain('fleet-api rolled out 2/2');
    expect(incident.body).toMatch(/<td>generic<\/td><td>firing/);
    expect(incident.body).toMatch(/href="https:\/\/slack\.com\/archives\/C0000ALERTS\/p\d+">Alert thread/);
  });

  it('keeps drills out of the figures and the incident list, and lists them on their own', async () => {
    const overview = (await open(oncall, '/console/')).body;
    expect(overview).toContain('Drills are not counted');
    // The open drill is a P1, the real incident a P2: only the P2 is counted, and opened.
    expect(overview).toMatch(/severity-p1">P1<\/span> <strong>0<\/strong> open/);
    expect(overview).toMatch(/severity-p2">P2<\/span> <strong>1<\/strong> open/);
    expect(overview).toContain('<dt>Incidents opened</dt><dd>1</dd>');
    // Listed among the open incidents all the same, marked.
    expect(overview).toContain('DRILL-2</a> <span class="badge drill">DRILL</span>');

    const incidents = (await open(oncall, '/console/incidents')).body;
    expect(incidents).toContain(`>INC-${number}</a>`);
    expect(incidents).not.toContain('DRILL-');
    expect(incidents).toContain('href="/console/incidents?kind=drills"');
    const drills = (await open(oncall, '/console/incidents?kind=drills')).body;
    expect(drills).toContain('<h1>Drills</h1>');
    expect(drills).toContain('<option value="drills" selected>drills</option>');
    expect(drills).toMatch(/DRILL-2<\/a> <span class="badge drill">DRILL<\/span>[\s\S]*DRILL-1<\/a>/);
    expect(drills).not.toContain(`INC-${number}`);
    // A later page of drills links back to the first page of drills.
    const older = (await open(oncall, `/console/incidents?kind=drills&before=${DRILL_BASE + 2}`)).body;
    expect(older).toContain('DRILL-1</a>');
    expect(older).not.toContain('DRILL-2</a>');
    expect(older).toContain('<a href="/console/incidents?kind=drills">Newest</a>');
    const unknown = (await open(oncall, '/console/incidents?kind=practice')).body;
    expect(unknown).toContain('Show &quot;practice&quot;: use drills');

    const audit = (await open(oncall, '/console/audit')).body;
    expect(audit).toContain(`<a href="/console/incidents/${DRILL_BASE + 1}">DRILL-1</a>`);
  });

  it("shows a drill's mark and its report, or when the report comes", async () => {
    const ended = await open(oncall, '/console/incidents/DRILL-1');
    expect(ended.body).toContain('<title>DRILL-1 Practice P1 on fleet-api · fleetbot</title>');
    expect(ended.body).toContain('<span class="badge drill">DRILL</span>');
    expect(ended.body).toContain('Drill report DRILL-1</h3>');
    expect(ended.body).toContain('Acknowledged by @U0000ONCALL after 42 s (42 min in production).');
    expect(ended.body).toContain(
      'deadline.1: DevOps Lead → @U0000DEVOPS by DM + thread mention, due at +15 s (15 min in production), fired at +21 s — ⚠️ late by 6 s',
    );
    expect(ended.body).toContain('Database Admin has no Slack id in fleetbot.yml');
    expect(ended.body).toContain('DM to @U0000DEVOPS (deadline.1) failed: user_not_found.');
    // What people typed is text on the page, never markup.
    expect(ended.body).toContain('app=&lt;api&gt; &amp; the dashboards look fine');
    expect(ended.body).not.toContain(DRILL_NOTE);

    const running = await open(oncall, `/console/incidents/${DRILL_BASE + 2}`);
    expect(running.body).toContain('<h1>DRILL-2 · Practice P1 on fleet-api</h1>');
    expect(running.body).toContain('<span class="badge drill">DRILL</span>');
    expect(running.body).toContain('The report is posted when the drill ends.');
    expect(running.body).not.toContain('Drill report');

    const real = await open(oncall, `/console/incidents/${number}`);
    expect(real.body).not.toContain('badge drill');
    expect(real.body).not.toContain('h-drill');
  });

  it('refuses every other method on every page, saying the console is read-only', async () => {
    for (const path of PAGES()) {
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        const hop = await open(oncall, path, method);
        expect(hop.status, `${method} ${path}`).toBe(405);
        expect(hop.headers.get('allow')).toBe('GET, HEAD');
      }
    }
  });

  it('pages a long timeline 200 events at a time, with a link to the next', async () => {
    const first = await open(oncall, `/console/incidents/${number}`);
    expect(first.body).toMatch(/\d+ events, 200 shown/);
    const next = /href="(\/console\/incidents\/\d+\?after=[^"]+)" rel="next"|rel="next" href="([^"]+)"/.exec(
      first.body,
    );
    const href = (next?.[1] ?? next?.[2] ?? '').replaceAll('&amp;', '&');
    expect(href).toContain('after=');
    const second = await open(oncall, href);
    expect(second.status).toBe(200);
    expect(second.body).toContain('First events');
    expect(second.body).not.toContain('>repeat 1<');
    // The cursor is the last event's time to the microsecond; a link kept from before, in milliseconds,
    // still opens a page, and one that is not a cursor opens the first page.
    expect(decodeURIComponent(href)).toMatch(
      /after=\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+00:00~\d+#timeline$/,
    );
    for (const kept of ['2020-01-01T00%3A00%3A00.000Z~1', '2026-02-30T00%3A00%3A00.12-05%3A00~1']) {
      const page = await open(oncall, `/console/incidents/${number}?after=${kept}`);
      expect(page.status, kept).toBe(200);
      expect(page.body, kept).toContain('First events');
    }
    for (const garbage of [
      'yesterday~1',
      '2026-11-30T00%3A00%3A00Z~x',
      '2026-13-45T99%3A00%3A00Z~1',
      '0000-01-01T00%3A00%3A00Z~1',
    ]) {
      const page = await open(oncall, `/console/incidents/${number}?after=${garbage}`);
      expect(page.status, garbage).toBe(200);
      expect(page.body, garbage).not.toContain('First events');
    }
  });

  it('says what is wrong with a filter instead of failing the page', async () => {
    const hop = await open(oncall, '/console/incidents?severity=P9&from=yesterday');
    expect(hop.status).toBe(200);
    expect(hop.body).toContain('Severity &quot;P9&quot;: use P0, P1, P2, P3.');
    expect(hop.body).toContain('Date &quot;yesterday&quot;: use YYYY-MM-DD');
  });

  it('answers 404 with what to do for an incident that does not exist, and a page that does not', async () => {
    for (const path of [
      '/console/incidents/999999',
      '/console/incidents/abc',
      '/console/incidents/999999/postmortem',
    ]) {
      const hop = await open(oncall, path);
      expect(hop.status, path).toBe(404);
      expect(hop.body, path).toContain('No such incident');
      expect(hop.body, path).toContain('incident list');
    }
    expect((await open(oncall, '/console/nothing-here')).status).toBe(404);
  });

  it('shows the audit log only to operate and admin, with a 403 saying why', async () => {
    const refused = await open(viewer, '/console/audit');
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('operate or admin');
    expect((await open(viewer, '/console/')).body).not.toContain('href="/console/audit"');
    expect((await open(oncall, '/console/')).body).toContain('href="/console/audit"');
  });
});
