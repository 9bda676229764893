import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { DrillReport } from '../../src/domain/drill.ts';
import {
  DEPLOYMENT_ALERTS_CHANNEL as ALERTS_CHANNEL,
  type Cleanups,
  deployment,
  ready,
  DEPLOYMENT_SIGNING_SECRET as SECRET,
  workerStarted,
} from '../support/deployment.ts';
import { eventually } from '../support/eventually.ts';
import { blockActionsBody, postSigned, slashCommandBody } from '../support/slack-requests.ts';

const ONCALL = 'U0000ONCALL';
const LEAD = 'U0000LEAD';
const cleanups: Cleanups = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

describe('a drill whose worker is killed', () => {
  it('is reconciled as a real incident is: the missed step fires late, once, and the report says by how much', async () => {
    const d = await deployment(
      cleanups,
      `roles: { oncall: { slack: { users: [${ONCALL}] } }, teamLead: { slack: { users: [${LEAD}] } } }`,
    );
    const web = d.start('web');
    await ready(d.url, web);
    const worker = d.start('worker');
    await workerStarted(worker);
    await d.db.connect();
    cleanups.push(() => d.db.end());
    const events = `${d.url}/slack/events`;
    const command = (text: string) =>
      postSigned(events, slashCommandBody({ user_id: LEAD, channel_id: ALERTS_CHANNEL, text }), {
        secret: SECRET,
      });

    const asked = JSON.stringify((await command('drill P1 --speed 60')).json());
    const value = /"action_id":"drill\.start","value":"((?:[^"\\]|\\.)*)"/.exec(asked)?.[1];
    expect(value, asked).toBeDefined();
    const click = await postSigned(
      events,
      blockActionsBody({
        user: { id: LEAD },
        channel: { id: ALERTS_CHANNEL },
        response_url: d.slack.responseUrl(),
        actions: [
          {
            type: 'button',
            action_id: 'drill.start',
            value: JSON.parse(`"${value}"`),
            action_ts: `${Date.now() / 1000}`,
          },
        ],
      }),
      { secret: SECRET },
    );
    expect(click.status).toBe(200);
    const number = await eventually(
      async () => (await d.db.query('SELECT id FROM incidents WHERE drill IS NOT NULL')).rows[0]?.id,
      15_000,
      'the drill',
    );
    const delivered = (key: string) =>
      eventually(
        async () =>
          (await d.db.query("SELECT 1 FROM slack_messages WHERE key = $1 AND status = 'delivered'", [key]))
            .rows[0],
        60_000,
        `${key} delivered`,
      );
    await delivered(`escalation.${number}.page.${ONCALL}`);

    // Killed before the first deadline (15 s at ×60) and back 10 s after it.
    worker.kill('SIGKILL');
    await new Promise((resolve) => worker.once('exit', resolve));
    const opened = (await d.db.query('SELECT opened_at FROM incidents WHERE id = $1', [number])).rows[0]
      .opened_at;
    await eventually(() => Date.now() > opened.getTime() + 25_000, 30_000, 'the deadline to pass');
    await workerStarted(d.start('worker'));
    await delivered(`escalation.${number}.deadline.1.${ONCALL}`);

    const stopped = JSON.stringify((await command('drill stop')).json());
    expect(stopped).toContain('stopped');
    const report: DrillReport = await eventually(
      async () =>
        (await d.db.query('SELECT drill_report FROM incidents WHERE id = $1', [number])).rows[0]
          ?.drill_report,
      60_000,
      'the drill report',
    );
    const late = report.steps.find((step) => step.key === 'deadline.1');
    expect(late?.lateMs).toBeGreaterThan(5_000);
    // Steps due while the worker ran are on time; on a loaded machine the new worker may start late
    // enough for later steps to be late too, so only those due before the kill are checked.
    const beforeKill = report.steps.filter((step) => step.dueAfterMs < 15_000);
    expect(beforeKill.map((step) => step.key)).toContain('page');
    expect(beforeKill.filter((step) => step.lateMs > 0)).toEqual([]);
    await eventually(
      () =>
        d.slack.messages.some((message) => /Steps late: deadline\.1 by/.test(JSON.stringify(message.blocks))),
      // Behind the thread's other messages, paced per channel by the delivery path: slow on a loaded machine.
      60_000,
      'the report saying which step was late',
    );

    // Nothing doubled: each step once on the timeline, each DM sent once.
    const steps = await d.db.query(
      "SELECT details->>'step' AS step, count(*)::int AS n FROM timeline_events WHERE incident_id = $1 AND kind = 'escalated' GROUP BY 1",
      [number],
    );
    expect(steps.rows.every((row) => row.n === 1)).toBe(true);
    // A DM posted a moment ago is recorded delivered just after Slack answers: compare once none is pending.
    await eventually(
      async () =>
        (
          await d.db.query("SELECT 1 FROM slack_messages WHERE key LIKE $1 AND status = 'pending' LIMIT 1", [
            `escalation.${number}.%`,
          ])
        ).rows.length === 0,
      30_000,
      'the drill’s messages settled',
    );
    const keys = await d.db.query(
      "SELECT key FROM slack_messages WHERE key LIKE $1 AND key ~ '\\.U[A-Z0-9]+$' AND status = 'delivered'",
      [`escalation.${number}.%`],
    );
    const dms = d.slack
      .callsTo('chat.postMessage')
      .filter((call) => /^U/.test(String(call.args.channel)) && call.status === 200);
    expect(dms).toHaveLength(keys.rows.length);
  }, 180_000);
});
