// The request builders and signer against Slack's own vectors and the fixtures, byte for byte, and
// cross-checked with Bolt's verifier (what fleetbot's HTTP receiver runs).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isValidSlackRequest } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSlackFixture, readSlackFixtureText } from '../support/fake-slack/index.ts';
import {
  appMentionEvent,
  blockActionsBody,
  eventBody,
  postSigned,
  signSlackRequest,
  slashCommandBody,
  urlVerificationBody,
  viewSubmissionBody,
} from '../support/slack-requests.ts';

interface Vector {
  bodyFile: string;
  bodyCompact?: string;
  headers: Record<string, string>;
  verifyAtUnixSeconds?: number;
}
interface Vectors {
  signingSecret: string;
  requests: Vector[];
  docsVector: { signingSecret: string; timestamp: string; body: string; expectedSignature: string };
}

const vectors = loadSlackFixture<Vectors>('signed-requests.json');
const SECRET = vectors.signingSecret;

/** `"events-app-mention.json (compact form, …)"` names the file before the first space. */
const bodyOf = (vector: Vector) =>
  vector.bodyCompact ?? readSlackFixtureText(vector.bodyFile.split(' ')[0] ?? '');

type SignatureHeaders = Partial<Record<'x-slack-signature' | 'x-slack-request-timestamp', string>>;

function boltAccepts(body: string, headers: SignatureHeaders, nowSeconds: number): boolean {
  return isValidSlackRequest({
    signingSecret: SECRET,
    body,
    headers: {
      'x-slack-signature': headers['x-slack-signature'] ?? '',
      'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']),
    },
    nowMilliseconds: nowSeconds * 1000,
  });
}

describe('signSlackRequest', () => {
  it("reproduces the docs' published vector", () => {
    const { signingSecret, timestamp, body, expectedSignature } = vectors.docsVector;
    expect(signSlackRequest(body, signingSecret, timestamp)).toEqual({
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': expectedSignature,
    });
  });

  it.each(vectors.requests.map((vector) => [vector.bodyFile, vector] as const))(
    'reproduces %s',
    (_, vector) => {
      const body = bodyOf(vector);
      const timestamp = vector.headers['X-Slack-Request-Timestamp'] ?? '';
      const headers = signSlackRequest(body, SECRET, timestamp);
      expect(headers).toEqual({
        'content-type': vector.headers['Content-Type'],
        'x-slack-request-timestamp': timestamp,
        'x-slack-signature': vector.headers['X-Slack-Signature'],
      });
      // Bolt agrees at delivery time, and refuses the replay vector at its verification time.
      expect(boltAccepts(body, headers, Number(timestamp))).toBe(true);
      if (vector.verifyAtUnixSeconds !== undefined) {
        expect(boltAccepts(body, headers, vector.verifyAtUnixSeconds)).toBe(false);
      }
    },
  );
});

describe('request bodies', () => {
  it('reproduce the fixtures byte for byte given their ids', () => {
    const health = new URLSearchParams(readSlackFixtureText('slash-command-fleet-health.txt'));
    const restart = new URLSearchParams(readSlackFixtureText('slash-command-fleet-restart-api.txt'));
    const fixedIds = (form: URLSearchParams) => ({
      trigger_id: form.get('trigger_id') ?? '',
      response_url: form.get('response_url') ?? '',
    });
    expect(slashCommandBody(fixedIds(health))).toBe(readSlackFixtureText('slash-command-fleet-health.txt'));
    expect(slashCommandBody({ text: 'restart api', ...fixedIds(restart) })).toBe(
      readSlackFixtureText('slash-command-fleet-restart-api.txt'),
    );

    const click = loadSlackFixture<{ trigger_id: string; response_url: string }>(
      'block-actions-restart-button.json',
    );
    expect(blockActionsBody({ trigger_id: click.trigger_id, response_url: click.response_url })).toBe(
      readSlackFixtureText('block-actions-restart-button.form.txt'),
    );
    const submission = loadSlackFixture<{ trigger_id: string }>('view-submission-declare-incident.json');
    expect(viewSubmissionBody({ trigger_id: submission.trigger_id })).toBe(
      readSlackFixtureText('view-submission-declare-incident.form.txt'),
    );

    const [verification, mention] = vectors.requests.filter((vector) => vector.bodyCompact);
    expect(urlVerificationBody()).toBe(verification?.bodyCompact);
    expect(eventBody(appMentionEvent(), { event_id: 'Ev0000FLEET01', event_time: 1749737430 })).toBe(
      mention?.bodyCompact,
    );
  });

  it('mint fresh trigger_ids, response_urls and event_ids per payload', () => {
    const first = new URLSearchParams(slashCommandBody());
    const second = new URLSearchParams(slashCommandBody());
    expect(first.get('trigger_id')).not.toBe(second.get('trigger_id'));
    expect(first.get('response_url')).not.toBe(second.get('response_url'));
    expect(first.get('trigger_id')).toMatch(/^\d{13}\.\d{10}\.[0-9a-f]{32}$/);

    const events = [eventBody(), eventBody()].map((body) => JSON.parse(body) as { event_id: string });
    expect(events[0]?.event_id).toMatch(/^Ev[0-9A-Z]{10}$/);
    expect(events[0]?.event_id).not.toBe(events[1]?.event_id);
  });

  it('encode overrides as Slack does: `+` for spaces, `%2A` for `*`, JSON `\\/` and `\\uXXXX`', () => {
    expect(slashCommandBody({ text: "scale api 3 *now* (it's fine)" })).toContain(
      '&text=scale+api+3+%2Anow%2A+%28it%27s+fine%29&',
    );
    const body = blockActionsBody({
      user: { id: 'U0000ADMIN' },
      actions: [{ value: 'fleet-management/fleet-é' }],
    });
    const json = decodeURIComponent(body.slice('payload='.length).replaceAll('+', ' '));
    expect(json).toContain('"value":"fleet-management\\/fleet-\\u00e9"');
    const payload = JSON.parse(json);
    // Objects merge key by key; arrays are replaced whole.
    expect(payload.user).toEqual({
      id: 'U0000ADMIN',
      username: 'oncall.engineer',
      name: 'oncall.engineer',
      team_id: 'T0000FLEET',
    });
    expect(payload.actions).toEqual([{ value: 'fleet-management/fleet-é' }]);
  });

  it('give an app_mention with new text the rich_text blocks Slack would send', () => {
    const event = appMentionEvent({ text: '<@U0000FLEETBOT> restart api for <@U0000ONCALL>' });
    expect(event.blocks).toEqual([
      {
        type: 'rich_text',
        block_id: expect.any(String),
        elements: [
          {
            type: 'rich_text_section',
            elements: [
              { type: 'user', user_id: 'U0000FLEETBOT' },
              { type: 'text', text: ' restart api for ' },
              { type: 'user', user_id: 'U0000ONCALL' },
            ],
          },
        ],
      },
    ]);
  });
});

describe('postSigned', () => {
  let server: Server;
  let url: string;
  const received: Record<string, string | string[] | undefined>[] = [];

  beforeAll(async () => {
    // Stands in for fleetbot's HTTP receiver: Bolt's verifier decides 200 or 401.
    server = createServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      received.push(request.headers);
      const headers = request.headers as SignatureHeaders;
      const valid = boltAccepts(
        Buffer.concat(chunks).toString('utf8'),
        headers,
        Math.floor(Date.now() / 1000),
      );
      response.writeHead(valid ? 200 : 401, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sends a request Bolt verifies, with the retry headers when asked', async () => {
    const response = await postSigned(url, eventBody(), { secret: SECRET, retryNum: 2 });
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({ ok: true });
    expect(response.elapsedMs).toBeGreaterThanOrEqual(0);
    expect(received.at(-1)).toMatchObject({
      'content-type': 'application/json',
      'x-slack-retry-num': '2',
      'x-slack-retry-reason': 'http_timeout',
      'user-agent': expect.stringMatching(/^Slackbot 1\.0/),
    });
  });

  it('is refused when forged, stale or signed with another secret', async () => {
    const body = slashCommandBody();
    expect((await postSigned(url, body, { secret: SECRET })).status).toBe(200);
    expect((await postSigned(url, body, { secret: SECRET, forge: true })).status).toBe(401);
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    expect((await postSigned(url, body, { secret: SECRET, timestamp: stale })).status).toBe(401);
    expect((await postSigned(url, body, { secret: 'another-secret' })).status).toBe(401);
    expect(received.at(-1)?.['x-slack-retry-num']).toBeUndefined();
  });
});
