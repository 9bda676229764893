import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import {
  DEVOPS,
  LEAD,
  ONCALL,
  SIGNING_SECRET,
  type SlackHarness,
  startSlackHarness,
} from '../support/slack-harness.ts';
import {
  blockActionsBody,
  postSigned,
  slashCommandBody,
  viewSubmissionBody,
} from '../support/slack-requests.ts';

// permissions.twoPerson covers secret changes and its cancellations too (hardening findings 2).

const CHANNEL = 'C0000INCIDENT';
const VALUE =
  'InstrumentationKey=2p-s3cr3t-9d8c;IngestionEndpoint=https://eastus2.in.applicationinsights.azure.com/';
const FRAGMENT = '2p-s3cr3t-9d8c';

function textOf(message: { text?: unknown; blocks?: unknown }): string {
  return `${String(message.text ?? '')}\n${JSON.stringify(message.blocks ?? [])}`;
}

let h: SlackHarness;
beforeAll(async () => {
  h = await startSlackHarness({}, { twoPerson: ['secret', 'rollback'] });
});
afterAll(async () => {
  await h.close();
});

const send = (body: string) => postSigned(h.events, body, { secret: SIGNING_SECRET });
const click = (actionId: string, user: string, value: string, responseUrl = h.slack.responseUrl()) =>
  send(
    blockActionsBody({
      user: { id: user },
      channel: { id: CHANNEL },
      response_url: responseUrl,
      actions: [{ action_id: actionId, value, type: 'button', action_ts: `${Date.now() / 1000}` }],
    }),
  );

async function runOf(action: string) {
  return eventually(
    async () => (await h.db.query('SELECT * FROM action_runs WHERE action = $1', [action])).rows[0],
    10_000,
    `the ${action} run`,
  );
}

describe('a secret change listed in permissions.twoPerson', () => {
  it('is approved by a second admin before its value is asked for; the value then reaches the cluster only', async () => {
    const requesterUrl = h.slack.responseUrl();
    const ack = await send(
      slashCommandBody({
        text: 'secret set fleet-api-secrets APPLICATIONINSIGHTS_CONNECTION_STRING',
        user_id: LEAD,
        channel_id: CHANNEL,
        response_url: requesterUrl,
      }),
    );
    expect(ack.text).toContain('a second person must approve it');
    expect(h.slack.callsTo('views.open')).toEqual([]);
    await h.slack.waitFor('chat.postMessage', (call) => textOf(call.args).includes('second person'), 10_000);
    const run = await runOf('secret');

    const own = h.slack.responseUrl();
    await click('fleet.confirm', LEAD, run.id, own);
    await h.slack.waitForResponse(
      (post) => post.url === own && textOf(post.body).includes('A second person'),
    );

    await click('fleet.confirm', DEVOPS, run.id);
    const ask = await h.slack.waitForResponse(
      (post) => post.url === requesterUrl && textOf(post.body).includes('Enter the value'),
      10_000,
    );
    expect(ask.body.response_type).toBe('ephemeral');
    // Approved, and nothing has changed yet: the value does not exist anywhere.
    expect(h.kube.requests.filter((r) => r.method === 'PATCH')).toEqual([]);

    // Someone else cannot open the form; the requester can.
    const other = h.slack.responseUrl();
    await click('fleet.secret-value', DEVOPS, run.id, other);
    await h.slack.waitForResponse(
      (post) => post.url === other && textOf(post.body).includes('enters the value'),
    );
    await click('fleet.secret-value', LEAD, run.id);
    const opened = await h.slack.waitFor('views.open', undefined, 10_000);
    const view = (typeof opened.args.view === 'string' ? JSON.parse(opened.args.view) : opened.args.view) as {
      private_metadata: string;
    };
    expect(JSON.parse(view.private_metadata)).toEqual({ runId: run.id, requestedBy: LEAD });

    await send(
      viewSubmissionBody({
        user: { id: LEAD },
        view: {
          id: 'V0000TWOPERSON',
          callback_id: 'fleet.secret',
          private_metadata: view.private_metadata,
          state: { values: { secret_value: { value: { type: 'plain_text_input', value: VALUE } } } },
        },
      }),
    );
    const patch = await eventually(
      () =>
        h.kube.requests.find((r) => r.method === 'PATCH' && r.path.endsWith('/secrets/fleet-api-secrets')),
      15_000,
      'the secret patch',
    );
    expect(patch?.body).toEqual({ stringData: { APPLICATIONINSIGHTS_CONNECTION_STRING: VALUE } });
    await eventually(
      async () =>
        (await h.db.query('SELECT status FROM action_runs WHERE id = $1', [run.id])).rows[0].status === 'ok',
      15_000,
      'the run to finish',
    );
    const finished = (await h.db.query('SELECT confirmed_by FROM action_runs WHERE id = $1', [run.id]))
      .rows[0];
    expect(finished.confirmed_by).toBe(DEVOPS);

    expect(h.logs()).not.toContain(FRAGMENT);
    for (const call of h.slack.calls) expect(JSON.stringify(call.args)).not.toContain(FRAGMENT);
    for (const table of ['action_runs', 'slack_messages']) {
      const rows = await h.db.query(`SELECT row_to_json(t)::text AS text FROM ${table} t`);
      for (const { text } of rows.rows) expect(text).not.toContain(FRAGMENT);
    }
  });
});

describe('cancelling a two-person action', () => {
  it('needs the permission that confirming it needs, unless you asked for it', async () => {
    await send(slashCommandBody({ text: 'rollback api', user_id: ONCALL, channel_id: CHANNEL }));
    const run = await runOf('rollback');
    await h.slack.waitFor('chat.postMessage', (call) => textOf(call.args).includes('Roll back'), 10_000);

    const viewerUrl = h.slack.responseUrl();
    await click('fleet.cancel', 'U0000VIEWER', run.id, viewerUrl);
    const refused = await h.slack.waitForResponse((post) => post.url === viewerUrl, 10_000);
    expect(textOf(refused.body)).toContain('You may not cancel');
    expect((await h.db.query('SELECT status FROM action_runs WHERE id = $1', [run.id])).rows[0].status).toBe(
      'awaiting_confirmation',
    );

    await click('fleet.cancel', DEVOPS, run.id);
    await eventually(
      async () =>
        (await h.db.query('SELECT status FROM action_runs WHERE id = $1', [run.id])).rows[0].status ===
        'cancelled',
      10_000,
      'the cancellation',
    );
  });
});
