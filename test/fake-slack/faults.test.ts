// Scripted faults as the real WebClient experiences them: 429 + Retry-After (waited out by the default
// retry policy, or rejected at once on request) and ok:false errors it throws as platform errors; and
// time windows: outages (HTTP errors with a text body) and rate limits that last until the window ends.
import { WebClient, WebClientEvent } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type FakeSlack, loadSlackFixture, startFakeSlack } from '../support/fake-slack/index.ts';
import { quietSlackLogger } from '../support/fake-slack/quiet-logger.ts';

const TOKEN = 'xoxb-0000-fake-bot-token';
/** Short enough to poll past, long enough that the calls made right after opening a window land inside it. */
const WINDOW_MS = 400;
/** Retrying a call until the window has ended. */
const PAST_THE_WINDOW = { timeout: 5000, interval: 25 };

/** A client that shows each failure at once: no retries, 429s rejected. */
function failFastClient(token = TOKEN): WebClient {
  return new WebClient(token, {
    slackApiUrl: fake.url,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logger: quietSlackLogger,
  });
}

/** The loaded fixture of Slack's 429 answer. */
function ratelimitedFixture() {
  return loadSlackFixture<{
    _http: { status: number; headers: Record<string, string> };
    body: unknown;
  }>('web-api-ratelimited-429.json');
}

/** Where a call stands, read synchronously: for "still pending" and "settled" on a fake clock. */
function settlement(promise: Promise<unknown>): { settled: boolean; error?: unknown } {
  const state: { settled: boolean; error?: unknown } = { settled: false };
  promise.then(
    () => Object.assign(state, { settled: true }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

let fake: FakeSlack;
beforeEach(async () => {
  fake = await startFakeSlack();
});
afterEach(async () => {
  vi.useRealTimers();
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
    const fixture = ratelimitedFixture();
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
    // Only the client's timers are faked: the HTTP exchange with the fake is real, the wait is not.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const limited = new Promise((resolve) => client.once(WebClientEvent.RATE_LIMITED, resolve));
    const call = settlement(client.chat.postMessage({ channel: 'C0000INCIDENT', text: 'x' }));
    expect(await limited).toBe(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(call.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(call.settled).toBe(true);
    expect(call.error).toMatchObject({ code: 'slack_webapi_request_error' });
    expect((call.error as Error).message).toMatch(/rate limit was exceeded .*retry-after: 1/);
    // Waited out, not retried.
    expect(fake.callsTo('chat.postMessage')).toMatchObject([{ status: 429 }]);
  });

  it('rejects at once with the Retry-After when the client is told to', async () => {
    const client = new WebClient(TOKEN, {
      slackApiUrl: fake.url,
      rejectRateLimitedCalls: true,
      logger: quietSlackLogger,
    });
    fake.rateLimitNext('chat.update', 30, 2);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const limited = new Promise((resolve) => client.once(WebClientEvent.RATE_LIMITED, resolve));
    const call = settlement(client.chat.update({ channel: 'C0000INCIDENT', ts: '1.000100', text: 'x' }));
    expect(await limited).toBe(30);
    // Rejected as soon as the 429 is read: without the clock moving at all, so without waiting any of the 30 s.
    await vi.advanceTimersByTimeAsync(0);
    expect(call.settled).toBe(true);
    expect(call.error).toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 30 });
    vi.useRealTimers();
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

describe('outage', () => {
  it('answers its status with a text body during the window, then normally; every call is logged', async () => {
    const client = failFastClient();
    fake.outage(['chat.postMessage', 'chat.update'], { status: 503, forMs: WINDOW_MS });

    const error = await client.chat.postMessage({ channel: 'C0000INCIDENT', text: 'lost' }).catch((e) => e);
    expect(error).toMatchObject({
      code: 'slack_webapi_http_error',
      statusCode: 503,
      body: 'upstream unavailable',
    });
    // Said by something in front of Slack: plain text, none of Slack's headers.
    expect(error.headers['content-type']).toMatch(/^text\/plain/);
    expect(error.headers).not.toHaveProperty('x-oauth-scopes');
    expect((await client.conversations.info({ channel: 'C0000INCIDENT' })).ok).toBe(true);

    await vi.waitFor(
      () => client.chat.postMessage({ channel: 'C0000INCIDENT', text: 'after the outage' }),
      PAST_THE_WINDOW,
    );
    expect(fake.messages.map((message) => message.text)).toEqual(['after the outage']);
    const calls = fake.callsTo('chat.postMessage');
    expect(calls.map((call) => call.status)).toEqual([...Array(calls.length - 1).fill(503), 200]);
    expect(calls[0]?.response).toEqual({});
  });

  it("is ridden out by WebClient's retries, each attempt logged with the status", async () => {
    // 100 waits of 20 ms outlast the window whatever the machine's speed.
    const client = new WebClient(TOKEN, {
      slackApiUrl: fake.url,
      retryConfig: { retries: 100, factor: 1, minTimeout: 20, maxTimeout: 20 },
      logger: quietSlackLogger,
    });
    fake.outage(['chat.postMessage'], { status: 502, forMs: WINDOW_MS });

    const posted = await client.chat.postMessage({ channel: 'C0000INCIDENT', text: 'retried' });

    expect(posted.ok).toBe(true);
    const statuses = fake.callsTo('chat.postMessage').map((call) => call.status);
    expect(statuses.length).toBeGreaterThan(1);
    expect(statuses).toEqual([...Array(statuses.length - 1).fill(502), 200]);
  });

  it('answers after the token check and before scripted faults, which wait for the window to end', async () => {
    const client = failFastClient();
    fake.failNext('chat.postMessage', 'not_in_channel');
    fake.outage(['chat.postMessage'], { status: 503, forMs: WINDOW_MS });
    const post = () => client.chat.postMessage({ channel: 'C0000INCIDENT', text: 'x' }).catch((e) => e);

    expect(
      await failFastClient('not-a-token')
        .chat.postMessage({ channel: 'C0000INCIDENT', text: 'x' })
        .catch((e) => e),
    ).toMatchObject({ code: 'slack_webapi_platform_error', data: { error: 'invalid_auth' } });
    expect(await post()).toMatchObject({ code: 'slack_webapi_http_error', statusCode: 503 });
    const firstAfter = await vi.waitFor(async () => {
      const answer = await post();
      expect(answer.code).not.toBe('slack_webapi_http_error');
      return answer;
    }, PAST_THE_WINDOW);
    expect(firstAfter).toMatchObject({
      code: 'slack_webapi_platform_error',
      data: { error: 'not_in_channel' },
    });
    expect(await post()).toMatchObject({ ok: true });
  });

  it('lets the first window opened answer when several cover a method', async () => {
    const client = failFastClient();
    fake.outage(['chat.postMessage'], { status: 500, forMs: 60_000 });
    fake.rateLimitFor(['chat.postMessage', 'chat.update'], { retryAfterSeconds: 30, forMs: 60_000 });

    expect(
      await client.chat.postMessage({ channel: 'C0000INCIDENT', text: 'x' }).catch((e) => e),
    ).toMatchObject({ code: 'slack_webapi_http_error', statusCode: 500 });
    expect(
      await client.chat.update({ channel: 'C0000INCIDENT', ts: '1.000100', text: 'x' }).catch((e) => e),
    ).toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 30 });
  });

  it('refuses windows that could never apply', () => {
    expect(() => fake.outage([], { status: 503, forMs: 100 })).toThrow(/at least one method/);
    expect(() => fake.outage(['chat.postMessage'], { status: 200, forMs: 100 })).toThrow(/400-599/);
    expect(() => fake.outage(['chat.postMessage'], { status: 503, forMs: 0 })).toThrow(/forMs/);
    expect(() => fake.rateLimitFor(['response_url'], { retryAfterSeconds: 1, forMs: 100 })).toThrow(
      /response_url/,
    );
  });
});

describe('rateLimitFor', () => {
  it("answers every call with rateLimitNext's 429 during the window, then normally", async () => {
    const client = failFastClient();
    fake.rateLimitFor(['chat.postMessage', 'chat.update'], { retryAfterSeconds: 30, forMs: WINDOW_MS });

    const response = await fetch(`${fake.url}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: new URLSearchParams({ channel: 'C0000INCIDENT', text: 'x' }),
    });
    const fixture = ratelimitedFixture();
    expect(response.status).toBe(fixture._http.status);
    expect(response.headers.get('retry-after')).toBe('30');
    expect(await response.json()).toEqual(fixture.body);
    // Not used up: the next call is limited too.
    expect(
      await client.chat.postMessage({ channel: 'C0000INCIDENT', text: 'x' }).catch((e) => e),
    ).toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 30 });

    await vi.waitFor(
      () => client.chat.postMessage({ channel: 'C0000INCIDENT', text: 'after the limit' }),
      PAST_THE_WINDOW,
    );
    expect(fake.messages.map((message) => message.text)).toEqual(['after the limit']);
    const calls = fake.callsTo('chat.postMessage');
    expect(calls.map((call) => call.status)).toEqual([...Array(calls.length - 1).fill(429), 200]);
    expect(calls[0]?.response).toEqual({ ok: false, error: 'ratelimited' });
  });
});

describe('outage of response_url', () => {
  it('fails posts during the window without delivering them or counting them against the URL', async () => {
    const url = fake.responseUrl();
    const post = (text: string) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text }),
      });
    fake.outage(['response_url'], { status: 503, forMs: WINDOW_MS });

    const lost = await post('lost');
    expect(lost.status).toBe(503);
    expect(lost.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await lost.text()).toBe('upstream unavailable');
    // The Web API is not in this window.
    expect((await failFastClient().chat.postMessage({ channel: 'C0000INCIDENT', text: 'x' })).ok).toBe(true);

    // Every attempt the poll makes inside the window is one more failed post.
    await vi.waitFor(async () => expect((await post('delivered')).status).toBe(200), PAST_THE_WINDOW);
    expect(fake.responses.map((response) => response.body.text)).toEqual(['delivered']);
    // The URL still takes four more, five in all, as if the failed posts had never been made.
    for (let i = 2; i <= 5; i++) expect((await post(`post ${i}`)).status).toBe(200);
    const sixth = await post('one too many');
    expect([sixth.status, await sixth.text()]).toEqual([404, 'used_url']);
    expect(fake.responses).toHaveLength(5);
  });
});
