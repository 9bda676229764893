// Scripted faults as the real WebClient experiences them: 429 + Retry-After (waited out by the default
// retry policy, or rejected at once on request) and ok:false errors it throws as platform errors.
import { WebClient, WebClientEvent } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, loadSlackFixture, startFakeSlack } from '../support/fake-slack/index.ts';
import { quietSlackLogger } from '../support/fake-slack/quiet-logger.ts';

const TOKEN = 'xoxb-0000-fake-bot-token';

let fake: FakeSlack;
beforeEach(async () => {
  fake = await startFakeSlack();
});
afterEach(async () => {
  await fake.close();
});

describe('rateLimitNext', () => {
  it('answers 429 with Retry-After and the ratelimited body of the fixture', async () => {
    fake.rateLimitNext('chat.postMessage', 30);
    const response = await fetch(`${fake.url}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: new URLSearchParams({ channel: 'C0000INCIDENT', text: 'x' }),
    });
    const fixture = loadSlackFixture<{
      _http: { status: number; headers: Record<string, string> };
      body: unknown;
    }>('web-api-ratelimited-429.json');
    expect(response.status).toBe(fixture._http.status);
    expect(response.headers.get('retry-after')).toBe(fixture._http.headers['Retry-After']);
    expect(response.headers.get('content-type')).toBe(fixture._http.headers['Content-Type']);
    expect(await response.json()).toEqual(fixture.body);
    expect(fake.callsTo('chat.postMessage')).toMatchObject([{ status: 429 }]);
  });

  it('is waited out by the default retry policy: the retry comes at least Retry-After later', async () => {
    const client = new WebClient(TOKEN, { slackApiUrl: fake.url, logger: quietSlackLogger });
    const rateLimited: number[] = [];
    client.on(WebClientEvent.RATE_LIMITED, (seconds: number) => rateLimited.push(seconds));
    fake.rateLimitNext('chat.postMessage', 1);

    const posted = await client.chat.postMessage({ channel: 'C0000INCIDENT', text: 'after the limit' });

    expect(posted.ok).toBe(true);
    expect(rateLimited).toEqual([1]);
    const [limited, retried] = fake.callsTo('chat.postMessage');
    expect([limited?.status, retried?.status]).toEqual([429, 200]);
    expect((retried?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(1000);
  });

  it('is still waited out with retries: 0, then thrown as a request error, not a rate-limit error', async () => {
    const client = new WebClient(TOKEN, {
      slackApiUrl: fake.url,
      retryConfig: { retries: 0 },
      logger: quietSlackLogger,
    });
    fake.rateLimitNext('chat.postMessage', 1);
    const started = Date.now();
    const error = await client.chat.postMessage({ channel: 'C0000INCIDENT', text: 'x' }).catch((e) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(error).toMatchObject({ code: 'slack_webapi_request_error' });
    expect(error.message).toMatch(/rate limit was exceeded .*retry-after: 1/);
  });

  it('rejects at once with the Retry-After when the client is told to', async () => {
    const client = new WebClient(TOKEN, {
      slackApiUrl: fake.url,
      rejectRateLimitedCalls: true,
      logger: quietSlackLogger,
    });
    fake.rateLimitNext('chat.update', 30, 2);
    const started = Date.now();
    const error = await client.chat
      .update({ channel: 'C0000INCIDENT', ts: '1.000100', text: 'x' })
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 30 });
    expect(Date.now() - started).toBeLessThan(1000);
    // The second scripted 429 is still pending.
    expect(
      (await client.chat.update({ channel: 'C1', ts: '1.000100', text: 'x' }).catch((e) => e)).code,
    ).toBe('slack_webapi_rate_limited_error');
  });
});

describe('failNext', () => {
  it('makes WebClient throw the Slack error, the given number of times, then answers normally', async () => {
    const client = new WebClient(TOKEN, {
      slackApiUrl: fake.url,
      retryConfig: { retries: 0 },
      logger: quietSlackLogger,
    });
    fake.failNext('chat.postMessage', 'not_in_channel', 2);
    for (let i = 0; i < 2; i++) {
      const error = await client.chat.postMessage({ channel: 'C0000INCIDENT', text: 'x' }).catch((e) => e);
      expect(error).toMatchObject({
        code: 'slack_webapi_platform_error',
        data: { ok: false, error: 'not_in_channel' },
      });
    }
    expect((await client.chat.postMessage({ channel: 'C0000INCIDENT', text: 'x' })).ok).toBe(true);
    expect(fake.callsTo('chat.postMessage').map((call) => call.response.error ?? 'ok')).toEqual([
      'not_in_channel',
      'not_in_channel',
      'ok',
    ]);
  });

  it("gives missing_scope Slack's needed/provided fields, and takes extra fields", async () => {
    const client = new WebClient(TOKEN, {
      slackApiUrl: fake.url,
      retryConfig: { retries: 0 },
      logger: quietSlackLogger,
    });
    fake.failNext('conversations.create', 'missing_scope');
    fake.failNext('conversations.invite', 'user_not_found', 1, {
      errors: [{ user: 'U0000GONE', ok: false, error: 'user_not_found' }],
    });
    const created = await client.conversations.create({ name: 'inc-0002' }).catch((e) => e);
    expect(created.data).toMatchObject({
      error: 'missing_scope',
      needed: 'channels:manage,groups:write',
      provided: expect.stringContaining('chat:write'),
    });
    const invited = await client.conversations
      .invite({ channel: 'C0000INCIDENT', users: 'U0000GONE' })
      .catch((e) => e);
    expect(invited.data.errors).toEqual([{ user: 'U0000GONE', ok: false, error: 'user_not_found' }]);
  });
});
