import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import type { PostedMessage, RecordedCall } from '../support/fake-slack/index.ts';
import { ONCALL, SIGNING_SECRET, type SlackHarness, startSlackHarness } from '../support/slack-harness.ts';
import { postSigned, slashCommandBody } from '../support/slack-requests.ts';

// The delivery path end to end: signed slash commands in, the real queue and workers, the real
// Web API client, and a fake Slack that fails the way Slack (or what stands before it) fails.

const CHANNEL = 'C0000INCIDENT';

function textOf(message: { text?: unknown; blocks?: unknown }): string {
  return `${String(message.text ?? '')}\n${JSON.stringify(message.blocks ?? [])}`;
}

let h: SlackHarness;
beforeEach(async () => {
  // No maintenance notices: this test counts every message fleetbot sends.
  h = await startSlackHarness({}, { yaml: 'maintenance: { notices: [] }' });
});
afterEach(async () => {
  await h.close();
});

const command = (text: string, channel = CHANNEL, responseUrl = h.slack.responseUrl()) =>
  postSigned(
    h.events,
    slashCommandBody({ text, user_id: ONCALL, channel_id: channel, response_url: responseUrl }),
    { secret: SIGNING_SECRET },
  );

/**
 * The positive signal that delivery is over: every run's result is recorded (the worker records
 * messages after the ack, so an empty table alone proves nothing) and none is still waiting for Slack.
 */
async function allDelivered(runs: number, timeoutMs: number) {
  await eventually(
    async () => {
      const { rows } = await h.db.query(
        `SELECT count(*) FILTER (WHERE key LIKE 'run.%.result')::int AS results,
                count(*) FILTER (WHERE status = 'pending')::int AS pending
           FROM slack_messages`,
      );
      return rows[0].results === runs && rows[0].pending === 0;
    },
    timeoutMs,
    `the results of ${runs} runs to be recorded and every recorded Slack message delivered`,
  );
}

async function metric(name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${h.app.port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

const inChannel = () => h.slack.messages.filter((m) => m.channel === CHANNEL);
const headers = () => inChannel().filter((m) => !m.thread_ts);
const replies = (header: PostedMessage) => inChannel().filter((m) => m.thread_ts === header.ts);

describe('Slack answering 503 for 20 s while three health checks and a status run', () => {
  it('delivers each result exactly once, finishes every progress message, and counts the retries', async () => {
    h.slack.outage(['chat.postMessage', 'chat.update'], { status: 503, forMs: 20_000 });
    const acks = await Promise.all([
      command('health'),
      command('health'),
      command('health'),
      command('status'),
    ]);
    expect(acks.map((ack) => ack.status)).toEqual([200, 200, 200, 200]);
    await eventually(
      async () =>
        (
          await h.db.query(
            "SELECT count(*)::int AS n FROM action_runs WHERE status IN ('ok', 'warning', 'failed')",
          )
        ).rows[0].n === 4,
      20_000,
      'the four runs to finish while Slack is down',
    );
    expect(h.slack.callsTo('chat.postMessage').every((call) => call.status === 503)).toBe(true);

    await allDelivered(4, 60_000);
    const posted = headers();
    expect(posted).toHaveLength(4);
    for (const header of posted) {
      // The header ends showing the outcome, never a progress line.
      expect(textOf(header)).not.toContain('🔄');
      expect(replies(header)).toHaveLength(1);
    }
    const results = posted.flatMap(replies).map(textOf);
    expect(results.filter((text) => text.includes('fleet-management is'))).toHaveLength(3);
    expect(results.filter((text) => text.includes('workloads'))).toHaveLength(1);
    expect(await metric('fleetbot_slack_messages_total', '{event="retried"}')).toBeGreaterThan(0);
    expect(await metric('fleetbot_slack_messages_total', '{event="failed"}')).toBe(0);
    expect(await metric('fleetbot_slack_messages_undelivered')).toBe(0);
  }, 120_000);
});

describe('Slack rate-limiting every post with Retry-After: 3 for 10 s', () => {
  it('sends nothing to the channel before Retry-After has passed, and loses nothing', async () => {
    h.slack.rateLimitFor(['chat.postMessage'], { retryAfterSeconds: 3, forMs: 10_000 });
    await Promise.all([command('status'), command('health')]);
    await allDelivered(2, 60_000);
    expect(headers()).toHaveLength(2);
    for (const header of headers()) expect(replies(header)).toHaveLength(1);

    // After a 429 for the channel, no post to it came sooner than the 3 s Slack asked for.
    const posts = h.slack.callsTo('chat.postMessage');
    const limited = posts.filter((call) => call.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    for (const call of posts) {
      const previous = latestBefore(limited, call);
      if (previous) expect(call.at - previous.at).toBeGreaterThanOrEqual(3_000);
    }
  }, 90_000);
});

describe('a reply recorded before the message it replies to is posted', () => {
  it('is posted right after its parent, woken by that delivery rather than looking again later', async () => {
    // The command's header fails four times (Slack's internal_error, tried again after growing
    // waits: ~5 s in all); its result, threaded under it, is recorded meanwhile and waits for it.
    // Without a wake-up it would look again every 10 s, and follow its parent seconds later.
    h.slack.failNext('chat.postMessage', 'internal_error', 4);
    expect((await command('status')).status).toBe(200);
    await h.slack.waitFor('chat.postMessage', (call) => Boolean(call.args.thread_ts), 30_000);
    const posted = h.slack
      .callsTo('chat.postMessage')
      .filter((call) => call.response.ok === true && call.args.channel === CHANNEL);
    const header = posted.find((call) => !call.args.thread_ts);
    const reply = posted.find((call) => call.args.thread_ts);
    expect(header && reply).toBeTruthy();
    expect((reply?.at ?? 0) - (header?.at ?? 0)).toBeLessThan(2_000);
  }, 60_000);
});

/** The last 429 of the same message (same text and thread) answered before `call`. */
function latestBefore(limited: RecordedCall[], call: RecordedCall): RecordedCall | undefined {
  return limited
    .filter(
      (earlier) =>
        earlier !== call &&
        earlier.at <= call.at &&
        earlier.args.text === call.args.text &&
        earlier.args.thread_ts === call.args.thread_ts,
    )
    .at(-1);
}

describe('a result Slack refuses for good', () => {
  it('is not retried, and the requester is told privately what to fix', async () => {
    const responseUrl = h.slack.responseUrl();
    await command('status', CHANNEL, responseUrl);
    // The header is in; the result, threaded under it, is refused.
    await h.slack.waitFor('chat.postMessage', (call) => !call.args.thread_ts, 15_000);
    h.slack.failNext('chat.postMessage', 'channel_not_found');
    const told = await h.slack.waitForResponse(
      (post) => post.url === responseUrl && textOf(post.body).includes('could not deliver'),
      15_000,
    );
    expect(told.body.response_type).toBe('ephemeral');
    expect(textOf(told.body)).toContain('does not exist or fleetbot cannot see it');
    await allDelivered(1, 15_000);
    const failed = await h.db.query(
      "SELECT key, attempts, last_error FROM slack_messages WHERE status = 'failed'",
    );
    expect(failed.rows).toEqual([
      { key: expect.stringMatching(/\.result$/), attempts: 1, last_error: 'channel_not_found' },
    ]);
    expect(h.slack.callsTo('chat.postMessage').filter((call) => call.args.thread_ts)).toHaveLength(1);
  });

  it('without a response_url, tells the requester by direct message', async () => {
    await postSigned(
      h.events,
      slashCommandBody({ text: 'status', user_id: ONCALL, channel_id: CHANNEL, response_url: undefined }),
      { secret: SIGNING_SECRET },
    );
    await h.slack.waitFor(
      'chat.postMessage',
      (call) => !call.args.thread_ts && textOf(call.args).includes('status'),
      15_000,
    );
    h.slack.failNext('chat.postMessage', 'is_archived');
    const dm = await h.slack.waitFor(
      'chat.postMessage',
      (call) => call.args.channel === ONCALL && textOf(call.args).includes('could not deliver'),
      15_000,
    );
    expect(textOf(dm.args)).toContain('archived');
  });
});

describe('a message whose delivery job was lost', () => {
  it('is found by the sweep and delivered', async () => {
    // Recorded, but the process died before queueing its delivery (and a minute has passed).
    await h.db.query(
      `INSERT INTO slack_messages (key, kind, target, content, next_attempt_at, created_at)
       VALUES ('lost.1', 'post', $1, $2, now() - interval '1 minute', now() - interval '1 minute')`,
      [JSON.stringify({ channel: CHANNEL }), JSON.stringify({ text: 'recorded before a crash' })],
    );
    await h.app.queue.enqueue('message.sweep', {});
    await h.slack.waitFor('chat.postMessage', (call) => call.args.text === 'recorded before a crash', 15_000);
    await allDelivered(0, 10_000);
  });
});
