import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/adapters/clock.ts';
import { PgIncidentStore } from '../../src/db/incident-store.ts';
import type { Notifier } from '../../src/domain/notifier.ts';
import { IncidentTickets } from '../../src/services/incident-tickets.ts';
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
import { postSigned, slashCommandBody, viewSubmissionBody } from '../support/slack-requests.ts';

const ALERTS_CHANNEL = 'C0000ALERTS';
let h: SlackHarness;

beforeAll(async () => {
  h = await startSlackHarness(
    {},
    {
      yaml: [
        `channels: { alerts: ${ALERTS_CHANNEL} }`,
        'alerts: { postmortemReminder: 2s, incidentChannel: [P0] }',
      ].join('\n'),
    },
  );
}, 60_000);

afterAll(async () => {
  await h?.close();
});

/** `/fleet <text>` as `user`; the acknowledgement's text (what only the requester sees). */
async function fleet(text: string, user = ONCALL): Promise<string> {
  const response = await postSigned(
    h.events,
    slashCommandBody({ text, user_id: user, channel_id: 'C0000INCIDENT' }),
    {
      secret: SIGNING_SECRET,
    },
  );
  expect(response.status).toBe(200);
  const body = response.json<{ text?: string; blocks?: unknown }>();
  return `${body.text ?? ''}\n${JSON.stringify(body.blocks ?? [])}`;
}

async function timeline(number: number): Promise<string[]> {
  const { rows } = await h.db.query(
    'SELECT kind, actor, details FROM timeline_events WHERE incident_id = $1 ORDER BY at, id',
    [number],
  );
  return rows.map((row) => `${row.kind} ${row.actor}: ${row.details.text}`);
}

describe('/fleet incident', () => {
  it('declares, changes and shows an incident, each change on the timeline with who', async () => {
    const opened = await fleet('incident open P2 Slow vehicle search --service api');
    const number = Number(/INC-(\d+) declared \(P2\)/.exec(opened)?.[1]);
    expect(number).toBeGreaterThan(0);
    expect(await fleet(`incident note ${number} customers report 10 s searches`, VIEWER)).toContain(
      `Note added to INC-${number}`,
    );
    expect(await fleet(`incident severity INC-${number} P1`)).toContain(`INC-${number} is now P1`);
    expect(await fleet(`incident assign ${number} <@${DEVOPS}|devops>`)).toContain('Commander of');
    expect(await fleet(`incident flag ${number} needs-deploy`)).toContain('flagged needs-deploy');
    expect(await fleet(`incident check ${number} during.impact`)).toContain('Ticked "Impact documented"');
    expect(await fleet(`incident mitigate ${number}`)).toContain(`INC-${number} mitigated`);
    expect(await fleet(`incident ack ${number}`)).toContain('it cannot be acknowledged again');

    const row = (await h.db.query('SELECT * FROM incidents WHERE id = $1', [number])).rows[0];
    expect(row).toMatchObject({
      severity: 'P1',
      commander: DEVOPS,
      flags: ['needs-deploy'],
      status: 'mitigated',
      service: 'api',
    });
    expect(row.checklist['during.impact'].by).toBe(ONCALL);
    // Escalation follows each change: the page at declare, the P1 roles and the 0s rule when the
    // severity rises, the flag's role at once.
    expect(await timeline(number)).toEqual([
      `opened ${ONCALL}: Declared (P2): Slow vehicle search`,
      'escalated fleetbot: Paged On-Call Engineer: P2 incident opened',
      `note ${VIEWER}: customers report 10 s searches`,
      `severity ${ONCALL}: Severity P2 → P1`,
      'escalated fleetbot: Paged On-Call Engineer, Engineering Manager: P1 incident opened',
      'escalated fleetbot: Escalated to Team Lead: P1 incident (escalation rule: P0 or P1 incident)',
      `assigned ${ONCALL}: Commander assigned`,
      `flag ${ONCALL}: Flagged needs-deploy`,
      'escalated fleetbot: Escalated to Team Lead: flagged needs-deploy',
      `checklist ${ONCALL}: Ticked: Impact documented`,
      `mitigated ${ONCALL}: Mitigated`,
      `note ${ONCALL}: No change: INC-${number} is already mitigated; it cannot be acknowledged again.`,
    ]);

    const shown = await fleet(`incident show ${number}`);
    expect(shown).toContain('Timeline');
    expect(shown).toContain('Flagged needs-deploy');
    expect(shown).toContain('During incident: 2 of 9');
    expect(await fleet('incident list')).toContain(`INC-${number}`);
  }, 30_000);

  it('refuses changes without the respond permission, but takes anyone’s note', async () => {
    const number = Number(/INC-(\d+)/.exec(await fleet('incident open P3 Stale map tiles'))?.[1]);
    expect(await fleet(`incident resolve ${number}`, VIEWER)).toContain('You may not change an incident');
    expect(await fleet(`incident open P1 Anything`, VIEWER)).toContain('You may not declare an incident');
    expect((await h.db.query('SELECT status FROM incidents WHERE id = $1', [number])).rows[0].status).toBe(
      'triggered',
    );
  });

  it('says what is wrong and what to type', async () => {
    expect(await fleet('incident resolv 1')).toContain('Did you mean `resolve`?');
    expect(await fleet('incident ack')).toContain('needs an incident number');
    expect(await fleet('incident ack 99999')).toContain('There is no incident INC-99999');
    expect(await fleet('incident severity 1 P7')).toContain('Give one of P0, P1, P2, P3');
    expect(await fleet('incident flag 1 data-breech')).toContain('Did you mean `data-breach`?');
    expect(await fleet('incident open P9 title')).toContain('Start with the severity');
    expect(await fleet('incident open P2 title --service billing')).toContain('Unknown service "billing"');
    expect(await fleet('incident assign 1 dana')).toContain('Mention the person');
    expect(await fleet('incident help')).toContain('/fleet incident open P1 &lt;title&gt;');
  });

  it('declares from the form: /fleet incident open without words opens it, submitting declares', async () => {
    expect(await fleet('incident open')).toContain('Opening the form');
    const view = await h.slack.waitFor('views.open', (call) =>
      JSON.stringify(call.args.view).includes('fleet_declare_incident'),
    );
    expect(JSON.stringify(view.args.view)).toContain('Declare an incident');
    const submitted = await postSigned(
      h.events,
      viewSubmissionBody({
        user: { id: ONCALL },
        view: {
          callback_id: 'fleet_declare_incident',
          state: {
            values: {
              title: { title_input: { type: 'plain_text_input', value: 'Fleet map not loading' } },
              severity: {
                severity_select: {
                  type: 'static_select',
                  selected_option: { text: { type: 'plain_text', text: 'SEV2' }, value: 'sev2' },
                },
              },
            },
          },
        },
      }),
      { secret: SIGNING_SECRET },
    );
    expect(submitted.status).toBe(200);
    await eventually(
      async () =>
        (
          await h.db.query(
            "SELECT * FROM incidents WHERE title = 'Fleet map not loading' AND severity = 'P2'",
          )
        ).rows[0],
      10_000,
      'the declared incident',
    );
  });

  it('Escalate pages the roles of escalation.unacknowledged: a DM to each, a mention in the incident thread', async () => {
    const number = Number(
      /INC-(\d+)/.exec(await fleet('incident open P2 Payments webhook failing --service frontend'))?.[1],
    );
    expect(await fleet(`incident escalate ${number} customers cannot pay`)).toContain(
      `INC-${number} escalated to Team Lead`,
    );
    // The harness's team leads are the user group S0000LEADS, whose member is LEAD.
    const dm = await h.slack.waitFor(
      'chat.postMessage',
      (call) => call.args.channel === LEAD && String(call.args.text).includes(`INC-${number} (P2)`),
      10_000,
    );
    expect(JSON.stringify(dm.args.blocks)).toContain('incident.ack');
    const thread = await h.slack.waitFor(
      'chat.postMessage',
      (call) =>
        String(call.args.text).startsWith('🔔 Escalated to Team Lead') &&
        String(call.args.text).includes(`<@${LEAD}>`),
      10_000,
    );
    expect(thread.args.thread_ts).toBeDefined();
    const events = await timeline(number);
    expect(events).toContain(`note ${ONCALL}: Asked to escalate to Team Lead: customers cannot pay`);
    expect(events).toContainEqual(expect.stringMatching(/^escalated fleetbot: Escalated to Team Lead/));
    expect(await fleet(`incident escalate ${number} cto`)).toContain(`INC-${number} escalated to CTO`);
  });

  it('checklist boxes ticked in Slack are stored with who ticked them; the post-mortem reminder comes unless marked done', async () => {
    const first = Number(/INC-(\d+)/.exec(await fleet('incident open P3 Reminder comes'))?.[1]);
    const second = Number(/INC-(\d+)/.exec(await fleet('incident open P3 Reminder does not come'))?.[1]);
    const tick = await clickAction(h, ONCALL, ALERTS_CHANNEL, {
      type: 'checkboxes',
      action_id: 'incident.check.during',
      block_id: 'checklist.during',
      selected_options: [
        {
          text: { type: 'plain_text', text: 'Incident ticket created' },
          value: `${first} during.ticket`,
        },
        {
          text: { type: 'plain_text', text: 'Stakeholders notified' },
          value: `${first} during.stakeholders`,
        },
      ],
      initial_options: [
        {
          text: { type: 'plain_text', text: 'Incident ticket created' },
          value: `${first} during.ticket`,
        },
      ],
    });
    expect(tick.status).toBe(200);
    await eventually(
      async () =>
        (await h.db.query('SELECT checklist FROM incidents WHERE id = $1', [first])).rows[0].checklist[
          'during.stakeholders'
        ]?.by === ONCALL,
      10_000,
      'the tick',
    );

    expect(await fleet(`incident resolve ${first} fixed by restart`)).toContain(`INC-${first} resolved`);
    expect(await fleet(`incident resolve ${second}`)).toContain(`INC-${second} resolved`);
    expect(await fleet(`incident postmortem ${second} done`)).toContain('marked done');
    const reminder = await h.slack.waitFor(
      'chat.postMessage',
      (call) => String(call.args.text).includes(`post-mortem of INC-${first}`),
      15_000,
    );
    expect(reminder.args.text).toContain('not marked done yet');
    // The second incident's reminder job ran too (same delay), and found the post-mortem done.
    await eventually(
      async () =>
        (await h.app.queue.job('incidents', `postmortem-reminder.${second}`))?.finishedOn !== undefined,
      15_000,
      'the second reminder job to finish',
    );
    expect(
      h.slack
        .callsTo('chat.postMessage')
        .filter((call) => String(call.args.text).includes(`post-mortem of INC-${second}`)),
    ).toEqual([]);
  }, 40_000);

  it('a reminder the queue lost (a flushed store, a move to another database) is queued again at worker start, and sent once', async () => {
    const number = Number(/INC-(\d+)/.exec(await fleet('incident open P3 Reminder after a lost queue'))?.[1]);
    expect(await fleet(`incident resolve ${number}`)).toContain(`INC-${number} resolved`);
    const lost = await eventually(
      () => h.app.queue.job('incidents', `postmortem-reminder.${number}`),
      10_000,
      'the reminder queued',
    );
    await lost.remove();
    // What the worker runs at start, beside the escalation timers' reconciliation.
    const tickets = new IncidentTickets({
      config: h.config,
      store: new PgIncidentStore({ pool: h.app.database.pool }),
      notifier: {} as Notifier,
      jobs: h.app.queue,
      clock: systemClock,
    });
    expect(await tickets.reconcileReminders()).toBe(1);
    const reminders = () =>
      h.slack
        .callsTo('chat.postMessage')
        .filter((call) => String(call.args.text).includes(`post-mortem of INC-${number}`));
    await eventually(() => reminders().length === 1, 15_000, 'the reminder');
    // Sent: nothing is left to reconcile, and a second start queues nothing.
    await eventually(async () => (await tickets.reconcileReminders()) === 0, 10_000, 'the reminder recorded');
    expect(reminders()).toHaveLength(1);
  }, 40_000);
});
