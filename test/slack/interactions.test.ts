import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import { loadSlackFixture } from '../support/fake-slack/index.ts';
import {
  LEAD,
  ONCALL,
  SIGNING_SECRET,
  type SlackHarness,
  startSlackHarness,
} from '../support/slack-harness.ts';
import {
  appMentionEvent,
  blockActionsBody,
  eventBody,
  postSigned,
  slashCommandBody,
  viewSubmissionBody,
} from '../support/slack-requests.ts';

function textOf(message: { text?: unknown; blocks?: unknown }): string {
  return `${String(message.text ?? '')}\n${JSON.stringify(message.blocks ?? [])}`;
}

describe('over HTTP', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness();
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    h.slack.clearCalls();
    h.kube.clearRequests();
  });

  const send = (body: string) => postSigned(h.events, body, { secret: SIGNING_SECRET });
  const command = async (text: string) =>
    (await send(slashCommandBody({ text, user_id: ONCALL, channel_id: 'C0000INCIDENT' }))).text;

  it('help lists the commands by group; help <verb> gives usage and an example', async () => {
    const help = await command('help');
    for (const group of ['Health &amp; status', 'Logs', 'Changes']) expect(help).toContain(group);
    expect(help).toContain('/fleet restart');
    const restart = await command('help restart');
    expect(restart).toContain('/fleet restart api');
  });

  it('an unknown verb suggests the closest; a bad argument says what was expected', async () => {
    expect(await command('restrat api')).toContain(
      'Unknown command `/fleet restrat`. Did you mean `restart`?',
    );
    expect(await command('scale api lots')).toContain('whole number');
    expect(await command('logs nope')).toContain('Unknown service \\"nope\\"');
  });

  it('@fleetbot health works like /fleet health', async () => {
    const response = await send(
      eventBody(appMentionEvent({ text: '<@U0000FLEETBOT> health', user: ONCALL, channel: 'C0000INCIDENT' })),
    );
    expect(response.status).toBe(200);
    const report = await h.slack.waitFor(
      'chat.postMessage',
      (call) => Boolean(call.args.thread_ts) && textOf(call.args).includes('fleet-management is'),
      15_000,
    );
    expect(report.args.channel).toBe('C0000INCIDENT');
  });

  it('tells the requester what to fix when fleetbot is not in the channel', async () => {
    h.slack.failNext('chat.postMessage', 'not_in_channel', 1);
    const responseUrl = h.slack.responseUrl();
    await send(
      slashCommandBody({
        text: 'status',
        user_id: ONCALL,
        channel_id: 'C0000PRIVATE',
        response_url: responseUrl,
      }),
    );
    const told = await h.slack.waitForResponse(
      (post) => textOf(post.body).includes('/invite @fleetbot'),
      15_000,
    );
    expect(told.body.response_type).toBe('ephemeral');
  });

  it('secret set opens a private form; the submitted value reaches the cluster and nothing else', async () => {
    const SECRET =
      'InstrumentationKey=5ec2e7-modal-s3cr3t;IngestionEndpoint=https://eastus2.in.applicationinsights.azure.com/';
    const denied = await send(
      slashCommandBody({
        text: 'secret set fleet-api-secrets APPLICATIONINSIGHTS_CONNECTION_STRING',
        user_id: ONCALL,
        channel_id: 'C0000INCIDENT',
      }),
    );
    expect(denied.text).toContain('Team Lead');

    const accepted = await send(
      slashCommandBody({
        text: 'secret set fleet-api-secrets APPLICATIONINSIGHTS_CONNECTION_STRING',
        user_id: LEAD,
        channel_id: 'C0000INCIDENT',
      }),
    );
    expect(accepted.status).toBe(200);
    const opened = await h.slack.waitFor('views.open', undefined, 5_000);
    const view = (typeof opened.args.view === 'string' ? JSON.parse(opened.args.view) : opened.args.view) as {
      callback_id: string;
      private_metadata: string;
    };
    expect(view.callback_id).toBe('fleet.secret');
    expect(view.private_metadata).not.toContain('entered-in-the-form');

    const submitted = await send(
      viewSubmissionBody({
        user: { id: LEAD },
        view: {
          id: 'V0000SECRET1',
          callback_id: 'fleet.secret',
          private_metadata: view.private_metadata,
          state: { values: { secret_value: { value: { type: 'plain_text_input', value: SECRET } } } },
        },
      }),
    );
    expect(submitted.status).toBe(200);
    const patch = await eventually(
      () =>
        h.kube.requests.find((r) => r.method === 'PATCH' && r.path.endsWith('/secrets/fleet-api-secrets')),
      15_000,
      'the secret patch',
    );
    expect(patch?.body).toEqual({ stringData: { APPLICATIONINSIGHTS_CONNECTION_STRING: SECRET } });
    await h.slack.waitFor(
      'chat.postMessage',
      (call) => textOf(call.args).includes('APPLICATIONINSIGHTS_CONNECTION_STRING updated'),
      15_000,
    );

    const fragment = '5ec2e7-modal-s3cr3t';
    expect(h.logs()).not.toContain(fragment);
    for (const call of h.slack.calls) expect(JSON.stringify(call.args)).not.toContain(fragment);
    const audit = await h.db.query('SELECT row_to_json(a)::text AS text FROM action_runs a');
    for (const { text } of audit.rows) expect(text).not.toContain(fragment);
  });

  it('an expired confirmation cannot be confirmed', async () => {
    await send(
      slashCommandBody({
        text: 'restart frontend',
        user_id: ONCALL,
        channel_id: 'C0000INCIDENT',
        response_url: h.slack.responseUrl(),
      }),
    );
    const run = await eventually(
      async () =>
        (
          await h.db.query(
            "SELECT * FROM action_runs WHERE action = 'restart' AND params->>'service' = 'frontend'",
          )
        ).rows[0],
    );
    await h.db.query(
      "UPDATE action_runs SET confirmation_expires_at = now() - interval '1 minute' WHERE id = $1",
      [run.id],
    );
    const responseUrl = h.slack.responseUrl();
    await send(
      blockActionsBody({
        user: { id: ONCALL },
        channel: { id: 'C0000INCIDENT' },
        response_url: responseUrl,
        actions: [{ action_id: 'fleet.confirm', value: run.id, type: 'button' }],
      }),
    );
    await h.slack.waitForResponse(
      (post) => post.url === responseUrl && /expired/i.test(textOf(post.body)),
      10_000,
    );
    const after = (
      await h.db.query('SELECT status, summary, pending_params FROM action_runs WHERE id = $1', [run.id])
    ).rows[0];
    expect(after).toEqual({ status: 'cancelled', summary: 'confirmation expired', pending_params: null });
    expect(h.kube.requests.filter((r) => r.method === 'PATCH')).toEqual([]);
  });
});

describe('unanswered confirmations', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('expire by themselves: the run is cancelled, its pending parameters dropped, the buttons replaced', async () => {
    const responseUrl = h.slack.responseUrl();
    await postSigned(
      h.events,
      slashCommandBody({
        text: 'env api set LOG_LEVEL=debug',
        user_id: ONCALL,
        channel_id: 'C0000INCIDENT',
        response_url: responseUrl,
      }),
      { secret: SIGNING_SECRET },
    );
    const run = await eventually(
      async () => (await h.db.query("SELECT * FROM action_runs WHERE action = 'env'")).rows[0],
    );
    expect(run.pending_params).toMatchObject({
      service: 'api',
      operation: 'set',
      assignments: ['LOG_LEVEL=debug'],
    });
    const timer = await h.app.queue.job('changes', `expire.${run.id}`);
    expect(timer?.opts.delay).toBe(5 * 60_000 + 1_000);
    // Five minutes pass: rather than wait, the deadline is moved and the timer fired now.
    await h.db.query(
      "UPDATE action_runs SET confirmation_expires_at = now() - interval '1 second' WHERE id = $1",
      [run.id],
    );
    await timer?.promote();
    await h.slack.waitForResponse(
      (post) =>
        post.url === responseUrl && /expired/i.test(textOf(post.body)) && post.body.replace_original === true,
      10_000,
    );
    const after = (await h.db.query('SELECT status, pending_params FROM action_runs WHERE id = $1', [run.id]))
      .rows[0];
    expect(after).toEqual({ status: 'cancelled', pending_params: null });
  });
});

describe('Socket Mode', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness({
      SLACK_APP_TOKEN: 'xapp-1-A0000FLEET-0000000000000-fakefakefakefake',
      SLACK_SIGNING_SECRET: '',
    });
    await h.slack.socket.connected();
  });
  afterAll(async () => {
    await h.close();
  });

  it('receives a slash-command envelope and acknowledges it with the reply', async () => {
    const envelope = loadSlackFixture<
      Parameters<typeof h.slack.socket.send>[0] & { payload: Record<string, unknown> }
    >('socket-mode-envelope-slash-command.json');
    const id = h.slack.socket.send({ ...envelope, payload: { ...envelope.payload, text: 'health' } });
    const ack = await h.slack.socket.ack(id);
    expect(ack.envelope_id).toBe(id);
    expect(JSON.stringify(ack.payload)).toContain('Running');
    await h.slack.waitFor(
      'chat.postMessage',
      (call) => textOf(call.args).includes('fleet-management is'),
      15_000,
    );
  });
});
