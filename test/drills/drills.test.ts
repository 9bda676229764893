import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrillReport } from '../../src/domain/drill.ts';
import { DRILL_BASE } from '../../src/domain/incident.ts';
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
  VIEWER,
} from '../support/slack-harness.ts';
import { postSigned, slashCommandBody } from '../support/slack-requests.ts';

const ALERTS_CHANNEL = 'C0000ALERTS';
const TOKEN = 'alerts-token-0000fakefakefake0000';
const CTO = 'U0000CTO';
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
let h: SlackHarness;

// The runbook's own matrix and durations (fleetbot.yml's defaults): only who holds the roles is
// set. The engineering manager has no Slack id, which a drill is there to find out.
beforeAll(async () => {
  h = await startSlackHarness(
    { ALERTS_TOKEN: TOKEN },
    {
      yaml: `channels: { alerts: ${ALERTS_CHANNEL} }\nmaintenance: { notices: [] }`,
      roles: `  cto:\n    slack: { users: [${CTO}] }`,
    },
  );
}, 60_000);

afterAll(async () => {
  await h?.close();
});

function fleet(user: string, text: string) {
  return postSigned(h.events, slashCommandBody({ user_id: user, channel_id: ALERTS_CHANNEL, text }), {
    secret: SIGNING_SECRET,
  });
}

/** Asks for a drill and presses its Start button; returns the drill's incident number. */
async function startDrill(user: string, text: string): Promise<number> {
  const ack = await fleet(user, text);
  expect(ack.status).toBe(200);
  const confirmation = JSON.stringify(ack.json());
  expect(confirmation).toContain('DRILL');
  const start = /"action_id":"drill\.start","value":"((?:[^"\\]|\\.)*)"/.exec(confirmation)?.[1];
  expect(start, confirmation).toBeDefined();
  const before = await runningDrill();
  expect(before).toBeUndefined();
  const click = await clickAction(h, user, ALERTS_CHANNEL, {
    action_id: 'drill.start',
    value: JSON.parse(`"${start}"`),
  });
  expect(click.status).toBe(200);
  return eventually(runningDrill, 10_000, 'the drill to start');
}

async function runningDrill(): Promise<number | undefined> {
  const { rows } = await h.db.query(
    "SELECT id FROM incidents WHERE drill IS NOT NULL AND status <> 'resolved' ORDER BY id DESC LIMIT 1",
  );
  return rows[0] ? Number(rows[0].id) : undefined;
}

function report(number: number): Promise<DrillReport> {
  return eventually(
    async () =>
      (await h.db.query('SELECT drill_report FROM incidents WHERE id = $1', [number])).rows[0]?.drill_report,
    150_000,
    'the drill report',
  );
}

/** Every message fleetbot sent through Slack's API or a response_url since `from` (ms), as text. */
function sentSince(from: number): { where: string; text: string }[] {
  const calls = ['chat.postMessage', 'chat.update', 'chat.postEphemeral'].flatMap((method) =>
    h.slack
      .callsTo(method)
      .filter((call) => call.at >= from && call.status === 200)
      .map((call) => ({ where: `${method} ${String(call.args.channel)}`, text: JSON.stringify(call.args) })),
  );
  const responses = h.slack.responses
    .filter((post) => post.at >= from)
    .map((post) => ({ where: 'response_url', text: JSON.stringify(post.body) }));
  return [...calls, ...responses];
}

describe('a drill', () => {
  it('P1 at ×60: every step of the matrix in order, all marked DRILL, buttons that only preview, a second drill refused, then timed out with its report', async () => {
    const refused = await fleet(VIEWER, 'drill P1');
    expect(JSON.stringify(refused.json())).toContain('needs the drill permission');

    const from = Date.now();
    const number = await startDrill(DEVOPS, 'drill P1 --service api --speed 60');
    expect(number).toBe(DRILL_BASE + 1);

    const second = await fleet(LEAD, 'drill P2');
    expect(JSON.stringify(second.json())).toContain(
      `A drill is already running: DRILL-1, started by <@${DEVOPS}>`,
    );

    // The drill's restart button: a preview of the restart, and no request that changes anything.
    const message = await eventually(
      () =>
        h.slack.messages.find(
          (posted) =>
            posted.channel === ALERTS_CHANNEL && !posted.thread_ts && posted.text?.includes('DRILL-1'),
        ),
      10_000,
      'the drill message',
    );
    expect(JSON.stringify(message.blocks)).toContain(`"value":"${number} restart api"`);
    await clickAction(h, ONCALL, ALERTS_CHANNEL, {
      action_id: 'incident.run.restart',
      value: `${number} restart api`,
    });
    const preview = await eventually(
      () => h.slack.responses.find((post) => JSON.stringify(post.body).includes('DRILL preview')),
      15_000,
      'the restart preview',
    );
    expect(JSON.stringify(preview.body)).not.toContain('"action_id":"confirm');
    const run = await h.db.query('SELECT status, summary FROM action_runs WHERE incident_id = $1', [number]);
    expect(run.rows).toEqual([
      { status: 'cancelled', summary: 'previewed only: a drill never changes the cluster' },
    ]);

    const kept = await report(number);
    expect(kept.ended).toBe('timed-out');
    // The runbook's matrix at ×60: P1 pages on-call and the manager at once, the team lead by the
    // 0s rule; each 15 min (15 s) without an acknowledgement goes one step up; the duration rules
    // at 30 min and 1 h. The CTO's 2 h rule is left out of a drill without --include cto.
    expect(kept.steps.map((step) => [step.key, step.dueAfterMs])).toEqual([
      ['page', 0],
      ['rule.0', 0],
      ['deadline.1', 15_000],
      ['deadline.2', 30_000],
      ['rule.1', 30_000],
      ['rule.2', 60_000],
    ]);
    for (const step of kept.steps) {
      expect(step.firedAfterMs - step.dueAfterMs, step.key).toBeGreaterThanOrEqual(0);
      expect(step.firedAfterMs - step.dueAfterMs, step.key).toBeLessThan(5_000);
      expect(step.lateMs).toBe(0);
    }
    // Pressing a runbook button is an answer; the team lead, paged three times, never answered.
    expect(kept.answered).toEqual([
      expect.objectContaining({ user: ONCALL, what: 'Asked to run `/fleet restart api`' }),
    ]);
    expect(kept.silent).toEqual([LEAD]);
    expect(kept.unheld).toContain('engineeringManager');
    expect(kept.acknowledged).toBeUndefined();

    // Delivered as a real P1's: each DM once, and the report posted in the drill's thread.
    const dms = h.slack
      .callsTo('chat.postMessage')
      .filter((call) => /^U/.test(String(call.args.channel)) && call.at >= from && call.status === 200);
    const recorded = await h.db.query(
      "SELECT key FROM slack_messages WHERE key LIKE $1 AND key ~ '\\.U[A-Z0-9]+$' AND status = 'delivered'",
      [`escalation.${number}.%`],
    );
    expect(dms).toHaveLength(recorded.rows.length);
    expect(new Set(dms.map((call) => call.args.channel))).toEqual(new Set([ONCALL, LEAD]));
    expect(dms.some((call) => call.args.channel === CTO)).toBe(false);
    await eventually(
      () => h.slack.messages.some((posted) => posted.text?.includes('DRILL report DRILL-1')),
      60_000,
      'the report in the thread',
    );

    // Every message, DM, channel and post-mortem of the drill says so.
    for (const sent of sentSince(from).filter((one) => !one.where.endsWith(VIEWER))) {
      expect(sent.text, sent.where).toMatch(/DRILL/);
    }
    const channel = h.slack.callsTo('conversations.create').find((call) => call.at >= from);
    expect(channel?.args.name).toBe('inc-drill-1-practice-p1-on-fleet-api');
    const postmortem = await eventually(
      () =>
        h.slack.uploads.find(
          // Complete: its bytes uploaded and its title given (files.completeUploadExternal).
          (upload) => upload.filename.startsWith('postmortem-drill-1-') && upload.title && upload.bytes,
        ),
      10_000,
      'the post-mortem draft',
    );
    expect(postmortem.title).toContain('DRILL-1');
    expect(postmortem.bytes).toContain('**DRILL**');

    expect(h.kube.requests.filter((request) => MUTATING.has(request.method))).toEqual([]);
  }, 200_000);

  it('--notify channel: mentions in the thread and no DMs; /fleet drill stop ends it with its report', async () => {
    const from = Date.now();
    const number = await startDrill(LEAD, 'drill P2 --notify channel --speed 600');
    expect(number).toBe(DRILL_BASE + 2);
    await eventually(
      () =>
        h.slack.messages.some(
          (posted) =>
            posted.channel === ALERTS_CHANNEL && posted.thread_ts && posted.text?.includes(`<@${ONCALL}>`),
        ),
      10_000,
      'the page in the thread',
    );
    const stopped = await fleet(LEAD, 'drill stop');
    expect(JSON.stringify(stopped.json())).toContain('DRILL-2 stopped');
    const kept = await report(number);
    expect(kept).toMatchObject({ ended: 'stopped', endedBy: LEAD, notify: 'channel' });
    expect(kept.steps[0]).toMatchObject({ key: 'page', route: 'thread', people: [ONCALL] });
    const dms = h.slack
      .callsTo('chat.postMessage')
      .filter((call) => /^U/.test(String(call.args.channel)) && call.at >= from);
    expect(dms).toEqual([]);
  }, 60_000);

  it('is never where a real alert goes, and never pages the CTO by hand unless included', async () => {
    const number = await startDrill(DEVOPS, 'drill P3 --service api --notify channel --speed 600');
    const real = await openByAlert(h, TOKEN, { title: 'api 5xx above 5%', severity: 'P2', service: 'api' });
    expect(real).toBeLessThan(DRILL_BASE);
    const attached = await h.db.query('SELECT count(*)::int AS n FROM alerts WHERE incident_id = $1', [
      number,
    ]);
    expect(attached.rows[0].n).toBe(0);
    const escalated = await fleet(LEAD, 'incident escalate DRILL-3 cto');
    expect(JSON.stringify(escalated.json())).toContain('Drills never page the CTO unless started with');
    expect(JSON.stringify((await fleet(DEVOPS, 'drill stop')).json())).toContain('DRILL-3 stopped');
  }, 60_000);
});
