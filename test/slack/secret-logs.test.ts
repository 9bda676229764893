import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import { issueTriggerId, loadSlackFixture } from '../support/fake-slack/index.ts';
import { LEAD, SIGNING_SECRET, type SlackHarness, startSlackHarness } from '../support/slack-harness.ts';
import { postSigned, slashCommandBody, viewSubmissionBody } from '../support/slack-requests.ts';

// Hardening finding 4: the Slack SDKs log whole payloads at debug level ("Received a message on the
// WebSocket: {…}", "http request body: {…}"). With LOG_LEVEL=debug, a secret typed in the form must
// reach the cluster and no log line, in either mode.

const VALUE = 'rotated-plain-value-debug-5f1e7a';
// Nothing in it looks like a secret to the log scrubber: only cutting the SDKs' bodies keeps it out.
const FRAGMENT = 'debug-5f1e7a';
const COMMAND = 'secret set fleet-api-secrets APPLICATIONINSIGHTS_CONNECTION_STRING';

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

interface Mode {
  name: string;
  env: Record<string, string>;
  command(h: SlackHarness): Promise<void>;
  submit(h: SlackHarness, privateMetadata: string): Promise<void>;
}

const viewState = { values: { secret_value: { value: { type: 'plain_text_input', value: VALUE } } } };

const MODES: Mode[] = [
  {
    name: 'HTTP',
    env: { LOG_LEVEL: 'debug' },
    async command(h) {
      await postSigned(h.events, slashCommandBody({ text: COMMAND, user_id: LEAD }), {
        secret: SIGNING_SECRET,
      });
    },
    async submit(h, privateMetadata) {
      const body = viewSubmissionBody({
        user: { id: LEAD },
        view: {
          id: 'V0000HTTPSECRET',
          callback_id: 'fleet.secret',
          private_metadata: privateMetadata,
          state: viewState,
        },
      });
      await postSigned(h.events, body, { secret: SIGNING_SECRET });
    },
  },
  {
    name: 'Socket Mode',
    env: {
      LOG_LEVEL: 'debug',
      SLACK_APP_TOKEN: 'xapp-1-A0000FLEET-0000000000000-fakefakefakefake',
      SLACK_SIGNING_SECRET: '',
    },
    async command(h) {
      await h.slack.socket.connected();
      const envelope = loadSlackFixture<
        Parameters<typeof h.slack.socket.send>[0] & { payload: Record<string, unknown> }
      >('socket-mode-envelope-slash-command.json');
      const id = h.slack.socket.send({
        ...envelope,
        payload: { ...envelope.payload, user_id: LEAD, text: COMMAND, trigger_id: issueTriggerId() },
      });
      await h.slack.socket.ack(id);
    },
    async submit(h, privateMetadata) {
      const submission = loadSlackFixture<Record<string, unknown>>('view-submission-declare-incident.json');
      const id = h.slack.socket.send({
        envelope_id: 'secret-submission',
        type: 'interactive',
        accepts_response_payload: true,
        payload: {
          ...submission,
          user: { ...(submission.user as object), id: LEAD },
          view: {
            ...(submission.view as object),
            id: 'V0000SOCKETSECRET',
            callback_id: 'fleet.secret',
            private_metadata: privateMetadata,
            state: viewState,
          },
        },
      });
      await h.slack.socket.ack(id);
    },
  },
];

describe.each(MODES)('$name at LOG_LEVEL=debug', (mode) => {
  it('logs no part of a secret submitted in the form, whatever the SDKs log', async () => {
    const harness = await startSlackHarness(mode.env);
    h = harness;
    await mode.command(harness);
    const opened = await harness.slack.waitFor('views.open', undefined, 10_000);
    const view = (typeof opened.args.view === 'string' ? JSON.parse(opened.args.view) : opened.args.view) as {
      private_metadata: string;
    };
    await mode.submit(harness, view.private_metadata);
    const patch = await eventually(
      () =>
        harness.kube.requests.find(
          (r) => r.method === 'PATCH' && r.path.endsWith('/secrets/fleet-api-secrets'),
        ),
      15_000,
      'the secret patch',
    );
    expect(patch?.body).toEqual({ stringData: { APPLICATIONINSIGHTS_CONNECTION_STRING: VALUE } });
    await harness.slack.waitFor(
      'chat.postMessage',
      (call) => String(call.args.text).includes('APPLICATIONINSIGHTS_CONNECTION_STRING updated'),
      15_000,
    );
    // Debug lines were written (the SDKs do log), and none carries the value.
    expect(harness.logs()).toContain('"level":"debug"');
    expect(harness.logs()).not.toContain(FRAGMENT);
  });
});
