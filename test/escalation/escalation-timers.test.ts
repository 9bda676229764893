import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { turnAt } from '../../src/escalation/rotation.ts';
import { openByAlert } from '../support/alerts.ts';
import { eventually } from '../support/eventually.ts';
import {
  clickAction,
  DEVOPS,
  LEAD,
  ONCALL,
  SIGNING_SECRET,
  type SlackHarness,
  startSlackHarness,
} from '../support/slack-harness.ts';
import { postSigned, slashCommandBody } from '../support/slack-requests.ts';

const TOKEN = 'alerts-token-0000fakefakefake0000';
// Business hours only on the weekday three days from now: a P3 opened during the test waits for them.
const BUSINESS_DAY = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][(new Date().getUTCDay() + 3) % 7];
const ALERTS_CHANNEL = 'C0000ALERTS';
let h: SlackHarness;

// The runbook's shape with its durations shrunk: a P1 must be acknowledged within 2 s; nobody doing
// so pages the DevOps lead, then the team lead (up the matrix); a duration rule fires at 4 s whether
// or not someone acknowledged. Nothing here may assume a minimum duration.
beforeAll(async () => {
  h = await startSlackHarness(
    { ALERTS_TOKEN: TOKEN },
    {
      yaml: [
        `channels: { alerts: ${ALERTS_CHANNEL} }`,
        'alerts: { incidentChannel: [] }',
        `businessHours: { days: [${BUSINESS_DAY}], start: "09:00", end: "17:00", timezone: UTC }`,
        'maintenance: { approvers: [teamLead], extendedMonitoring: 1h }',
        'severities: { P1: { responseTime: 2s }, P2: { responseTime: 2s } }',
        'escalation:',
        '  phases: { assessment: 3s, investigation: 1h, mitigation: 2h }',
        '  unacknowledged: [devopsLead]',
        '  rules:',
        '    - { after: 0s, to: teamLead, severities: [P0, P1] }',
        '    - { after: 4s, to: devopsLead, when: [Incident exceeds 4 seconds] }',
        'oncall:',
        '  rotations:',
        '    dba: { role: databaseAdmin, members: [U0000DBA1, U0000DBA2], start: "2026-01-01",',
        '           handoff: { every: daily, time: "09:00", timezone: UTC }, usergroup: S0000DBAS }',
      ].join('\n'),
    },
  );
}, 60_000);

afterAll(async () => {
  await h?.close();
});

function open(title: string, severity: string): Promise<number> {
  return openByAlert(h, TOKEN, { title, severity, service: title.split(' ')[0] ?? title });
}

/** The escalation steps delivered, in order, as the timeline records them. */
async function steps(number: number): Promise<string[]> {
  const { rows } = await h.db.query(
    "SELECT details->>'step' AS step FROM timeline_events WHERE incident_id = $1 AND kind = 'escalated' ORDER BY at, id",
    [number],
  );
  return rows.map((row) => row.step as string);
}

/** Who got a DM about the incident, in order. */
function dms(number: number): string[] {
  return h.slack
    .callsTo('chat.postMessage')
    .filter(
      (call) => /^[UW]/.test(String(call.args.channel)) && String(call.args.text).includes(`INC-${number} `),
    )
    .map((call) => String(call.args.channel));
}

describe('escalation timers, end to end on PostgreSQL and the queue', () => {
  it('P1 nobody acknowledges: paged at open, the 0s rule, then each missed deadline one step up the matrix', async () => {
    const number = await open('api 5xx above 5%', 'P1');
    await eventually(async () => (await steps(number)).length >= 5, 15_000, 'five steps');
    const delivered = await steps(number);
    expect(delivered.slice(0, 5)).toEqual(['page', 'rule.0', 'deadline.1', 'deadline.2', 'rule.1']);
    // The page: on-call (and the manager, whom nobody holds here); the 0s rule: the team lead
    // (group S0000LEADS); deadline 1: the on-call again and the DevOps lead; deadline 2: the team lead.
    // Each DM is a delivery job of its own, so DMs of one moment may reach Slack in either order;
    // the slack_messages keys say which step each one belongs to.
    const { rows: keys } = await h.db.query('SELECT key FROM slack_messages WHERE key ~ $1 ORDER BY key', [
      `^escalation\\.${number}\\.(page|rule\\.0|deadline\\.1)\\.U`,
    ]);
    expect(keys.map((row) => row.key.replace(`escalation.${number}.`, ''))).toEqual([
      `deadline.1.${DEVOPS}`,
      `deadline.1.${ONCALL}`,
      `page.${ONCALL}`,
      `rule.0.${LEAD}`,
    ]);
    await eventually(() => dms(number).length >= 4, 10_000, 'the DMs delivered');
    expect([...dms(number).slice(0, 4)].sort()).toEqual([DEVOPS, LEAD, ONCALL, ONCALL].sort());
    // Each step also mentions its people under the incident's message.
    await eventually(
      () =>
        h.slack
          .callsTo('chat.postMessage')
          .filter(
            (call) =>
              call.args.channel === ALERTS_CHANNEL &&
              call.args.thread_ts &&
              String(call.args.text).startsWith('🔔'),
          ).length >= 5,
      15_000,
      'five mentions in the thread',
    );
    // Not acknowledged within the 3 s assessment target: a nudge with the runbook's next moves.
    const nudge = await h.slack.waitFor(
      'chat.postMessage',
      (call) =>
        String(call.args.text).startsWith(`⏳ INC-${number}: Initial assessment has run over its 3 s target`),
      10_000,
    );
    expect(nudge.args.thread_ts).toBeDefined();
    expect(String(nudge.args.text)).toContain('/fleet health');
    // None early: each step's delivery comes at or after the time it was due.
    const { rows } = await h.db.query(
      "SELECT at, (details->>'dueAt')::timestamptz AS due FROM timeline_events WHERE incident_id = $1 AND kind = 'escalated'",
      [number],
    );
    for (const row of rows) expect(row.at.getTime()).toBeGreaterThanOrEqual(row.due.getTime());
  }, 30_000);

  it('acknowledged: no more deadline pings, the duration rule still fires', async () => {
    const number = await open('frontend slow pages', 'P1');
    await eventually(async () => (await steps(number)).includes('rule.0'), 10_000, 'the first steps');
    // Acknowledged with the button on the alert message, before the 2 s deadline.
    await clickAction(h, ONCALL, ALERTS_CHANNEL, { action_id: 'incident.ack', value: String(number) });
    await eventually(async () => (await steps(number)).includes('rule.1'), 15_000, 'the duration rule');
    // Acknowledged within the 3 s assessment target: no nudge for it.
    expect(
      h.slack
        .callsTo('chat.postMessage')
        .filter((call) => String(call.args.text).startsWith(`⏳ INC-${number}: Initial assessment`)),
    ).toEqual([]);
    const delivered = await steps(number);
    expect(delivered.filter((step) => step.startsWith('deadline.'))).toEqual([]);
    expect(delivered).toEqual(['page', 'rule.0', 'rule.1']);
  }, 30_000);

  it('an override changes who is paged; /fleet oncall shows rotations, overrides and the matrix', async () => {
    const oncall = async (text: string, user = ONCALL) => {
      const response = await postSigned(
        h.events,
        slashCommandBody({ text: `oncall ${text}`.trim(), user_id: user, channel_id: 'C0000INCIDENT' }),
        { secret: SIGNING_SECRET },
      );
      return JSON.stringify(response.json());
    };
    const dba = turnAt(
      {
        role: 'databaseAdmin',
        members: ['U0000DBA1', 'U0000DBA2'],
        start: '2026-01-01',
        handoff: { every: 'daily', day: 'mon', time: '09:00', timezone: 'UTC' },
      },
      new Date(),
    );
    // At start the rotation's user group was set to whoever is on call, and the next handoff queued.
    const sync = await h.slack.waitFor(
      'usergroups.users.update',
      (call) => call.args.usergroup === 'S0000DBAS',
      10_000,
    );
    expect(sync.args.users).toBe(dba.member);
    expect(await h.app.queue.job('escalations', `oncall.dba.${dba.until.getTime()}`)).toBeDefined();
    const now = await oncall('');
    expect(now).toContain(`dba* (Database Admin): <@${dba.member}>`);
    expect(
      await oncall(
        `override <@${DEVOPS}|devops> 1h oncall covering for a dentist appointment`,
        'U0000VIEWER',
      ),
    ).toContain('You may not change who is on call');
    expect(
      await oncall(`override <@${DEVOPS}|devops> 1h oncall covering for a dentist appointment`),
    ).toContain(`<@${DEVOPS}> covers On-Call Engineer until`);
    const matrix = await oncall('matrix');
    expect(matrix).toContain(`On-Call Engineer: <@${DEVOPS}> (override)`);
    expect(matrix).toContain(`Database Admin: <@${dba.member}> (rotation)`);
    expect(await oncall('preview P2')).toContain('P2 (Medium) opened');

    // The page goes to whoever covers the on-call role now.
    const number = await open('redis evictions rising', 'P2');
    await eventually(async () => (await steps(number)).includes('page'), 10_000, 'the page');
    await eventually(() => dms(number).includes(DEVOPS), 10_000, 'the DM to the cover');
    expect(dms(number)).not.toContain(ONCALL);
  }, 30_000);

  it('emergency maintenance: asked for, approved by a team lead, holds a P2 page until it ends (a P0 pages during it), notices with checklists, then extended monitoring pages a P3 at once', async () => {
    const command = (text: string, user: string) =>
      postSigned(h.events, slashCommandBody({ text, user_id: user, channel_id: 'C0000INCIDENT' }), {
        secret: SIGNING_SECRET,
      });
    const viewer = await command('maintenance start 1h anything', 'U0000VIEWER');
    expect(JSON.stringify(viewer.json())).toContain('needs the admin permission');

    const nightP3 = await open('disk usage warning', 'P3');
    const asked = await command('maintenance start 6s node pool upgrade', DEVOPS);
    expect(JSON.stringify(asked.json())).toContain('needs approval by Team Lead');
    const { rows } = await h.db.query('SELECT id, ends_at FROM maintenance_windows ORDER BY id DESC LIMIT 1');
    const id = Number(rows[0].id);
    const request = await eventually(
      () =>
        h.slack
          .callsTo('chat.postMessage')
          .find(
            (call) =>
              call.args.channel === ALERTS_CHANNEL &&
              JSON.stringify(call.args).includes('maintenance.approve'),
          ),
      10_000,
      'the approval request',
    );
    expect(String(request?.args.text)).toContain(`Emergency maintenance #${id} (needs approval)`);

    // Not yet approved: it holds nothing, so a P2 opened now pages at once.
    const before = await open('checkout latency before approval', 'P2');
    await eventually(async () => (await steps(before)).includes('page'), 10_000, 'the P2 page');
    const refused = await clickAction(h, DEVOPS, ALERTS_CHANNEL, {
      action_id: 'maintenance.approve',
      value: String(id),
    });
    expect(refused.status).toBe(200);
    await clickAction(h, LEAD, ALERTS_CHANNEL, { action_id: 'maintenance.approve', value: String(id) });
    const approvedAt = Date.now();
    await eventually(
      () =>
        h.slack
          .callsTo('chat.update')
          .some(
            (call) =>
              call.args.channel === ALERTS_CHANNEL && JSON.stringify(call.args).includes('Approved by'),
          ),
      10_000,
      'the request shown approved',
    );
    const { rows: decided } = await h.db.query(
      'SELECT ends_at, approved_by FROM maintenance_windows WHERE id = $1',
      [id],
    );
    expect(decided[0].approved_by).toBe(LEAD);
    const endsAt: Date = decided[0].ends_at;
    expect(endsAt.getTime()).toBeGreaterThan(approvedAt);

    const p2 = await open('postgres replication lag', 'P2');
    const p0 = await open('fleet api down', 'P0');
    await eventually(async () => (await steps(p0)).includes('page'), 10_000, 'the P0 page');
    expect(await steps(p2)).toEqual([]);

    // The start notice carries the during-maintenance checklist; a tick shows who ticked it.
    const startKey = `maintenance.window-${id}.start`;
    await eventually(
      async () =>
        (await h.db.query('SELECT 1 FROM slack_messages WHERE key = $1', [startKey])).rowCount === 1,
      10_000,
      'the start notice',
    );
    const notice = h.slack
      .callsTo('chat.postMessage')
      .find((call) => String(call.args.text).includes('starting now'));
    expect(JSON.stringify(notice?.args.blocks)).toContain('System health dashboard monitored');
    await clickAction(h, ONCALL, ALERTS_CHANNEL, {
      type: 'checkboxes',
      action_id: 'maintenance.check.during',
      selected_options: [{ value: `window-${id} during.dashboard` }],
    });
    await eventually(
      () =>
        h.slack
          .callsTo('chat.update')
          .some((call) =>
            JSON.stringify(call.args.blocks ?? '').includes(
              `☑ System health dashboard monitored: <@${ONCALL}>`,
            ),
          ),
      10_000,
      'the tick shown',
    );

    await eventually(async () => (await steps(p2)).includes('page'), 20_000, 'the held P2 page');
    const page = await h.db.query(
      "SELECT at FROM timeline_events WHERE incident_id = $1 AND details->>'step' = 'page'",
      [p2],
    );
    expect(page.rows[0].at.getTime()).toBeGreaterThanOrEqual(endsAt.getTime());
    const p0Page = await h.db.query(
      "SELECT at FROM timeline_events WHERE incident_id = $1 AND details->>'step' = 'page'",
      [p0],
    );
    expect(p0Page.rows[0].at.getTime()).toBeLessThan(endsAt.getTime());

    // The end notice, with the post-maintenance checklist and the extended monitoring.
    const end = await eventually(
      () =>
        h.slack
          .callsTo('chat.postMessage')
          .find((call) => String(call.args.text).includes('Emergency maintenance over')),
      20_000,
      'the end notice',
    );
    expect(JSON.stringify(end?.args.blocks)).toContain('Full smoke test executed');
    expect(JSON.stringify(end?.args.blocks)).toContain('Extended monitoring until');

    // Extended monitoring: a P3 opened now pages at once, though business hours are days away; the
    // P3 opened before the window still waits for them.
    const monitored = await open('certificate expiry warning', 'P3');
    await eventually(async () => (await steps(monitored)).includes('page'), 10_000, 'the P3 page');
    expect(await steps(nightP3)).toEqual([]);
    const held = await h.db.query(
      "SELECT details->>'text' AS text FROM timeline_events WHERE incident_id = $1 ORDER BY id",
      [nightP3],
    );
    expect(JSON.stringify(held.rows)).not.toContain('Paged');
  }, 60_000);
});
