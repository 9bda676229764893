import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import { requestsNotAllowed } from '../support/rbac-coverage.ts';
import {
  LEAD,
  ONCALL,
  SIGNING_SECRET,
  type SlackHarness,
  startSlackHarness,
  VIEWER,
} from '../support/slack-harness.ts';
import { blockActionsBody, nowSeconds, postSigned, slashCommandBody } from '../support/slack-requests.ts';

let h: SlackHarness;
beforeAll(async () => {
  h = await startSlackHarness();
});
afterAll(async () => {
  expect(requestsNotAllowed(h.kube.requests)).toEqual([]);
  await h.close();
});
beforeEach(() => {
  h.slack.clearCalls();
  h.kube.clearRequests();
});

const send = (body: string, options: { retryNum?: number; timestamp?: number; forge?: boolean } = {}) =>
  postSigned(h.events, body, { secret: SIGNING_SECRET, ...options });

const runs = async (where = 'true') =>
  (await h.db.query(`SELECT * FROM action_runs WHERE ${where} ORDER BY requested_at`)).rows;

/** The message text of every block in a Slack message body, joined, for assertions. */
function textOf(message: { text?: unknown; blocks?: unknown }): string {
  return `${String(message.text ?? '')}\n${JSON.stringify(message.blocks ?? [])}`;
}

describe('/fleet health', () => {
  it('is acknowledged with a body, enqueued once, and the report reaches the channel', async () => {
    const response = await send(
      slashCommandBody({ text: 'health', user_id: ONCALL, channel_id: 'C0000INCIDENT' }),
    );
    expect(response.status).toBe(200);
    expect(response.text).toContain('Running');
    const report = await h.slack.waitFor(
      'chat.postMessage',
      (call) => Boolean(call.args.thread_ts) && textOf(call.args).includes('fleet-management is'),
      15_000,
    );
    expect(report.args.channel).toBe('C0000INCIDENT');
    expect(textOf(report.args)).toMatch(/fleet-management is (healthy|degraded|down)/);
    expect(await runs("action = 'health'")).toMatchObject([
      { status: expect.stringMatching(/ok|warning|failed/), requested_by: ONCALL },
    ]);
  });

  it('a Slack retry of the same request runs it once', async () => {
    const body = slashCommandBody({ text: 'status', user_id: ONCALL, channel_id: 'C0000INCIDENT' });
    const [first, retry] = [await send(body), await send(body, { retryNum: 1 })];
    expect([first.status, retry.status]).toEqual([200, 200]);
    await h.slack.waitFor(
      'chat.postMessage',
      (call) => Boolean(call.args.thread_ts) && textOf(call.args).includes('workloads'),
      15_000,
    );
    expect(h.slack.callsTo('chat.postMessage').filter((call) => !call.args.thread_ts)).toHaveLength(1);
    expect(await runs("action = 'status'")).toHaveLength(1);
  });
});

describe('request verification', () => {
  it('refuses forged signatures, missing headers and stale timestamps: 401, nothing enqueued or posted', async () => {
    const before = (await runs()).length;
    const body = slashCommandBody({ text: 'health', user_id: ONCALL });
    expect((await send(body, { forge: true })).status).toBe(401);
    expect((await send(body, { timestamp: nowSeconds() - 6 * 60 })).status).toBe(401);
    const bare = await fetch(h.events, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(bare.status).toBe(401);
    // A 401 is answered before any listener runs: there is nothing still to come to wait for.
    expect((await runs()).length).toBe(before);
    expect(h.slack.callsTo('chat.postMessage')).toEqual([]);
  });

  it("answers Slack's unsigned certificate check 200, and runs nothing smuggled into it", async () => {
    const before = (await runs()).length;
    // Bolt reads a form's `payload` as the whole request: unsigned, this would be a command.
    const smuggled = JSON.stringify(
      Object.fromEntries(new URLSearchParams(slashCommandBody({ text: 'health', user_id: ONCALL }))),
    );
    const check = await fetch(h.events, {
      method: 'POST',
      body: `ssl_check=1&payload=${encodeURIComponent(smuggled)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(check.status).toBe(200);
    expect(await check.text()).toBe('');
    expect((await runs()).length).toBe(before);
    expect(h.slack.callsTo('chat.postMessage')).toEqual([]);
  });
});

describe('authorisation', () => {
  it('tells a user without the operate role which role they need, records it, enqueues nothing', async () => {
    const response = await send(
      slashCommandBody({ text: 'restart api', user_id: VIEWER, channel_id: 'C0000INCIDENT' }),
    );
    expect(response.status).toBe(200);
    expect(response.text).toContain('On-Call Engineer');
    const [row] = await runs(`requested_by = '${VIEWER}'`);
    expect(row).toMatchObject({ action: 'restart', status: 'denied' });
    expect(h.kube.requests.filter((r) => r.method === 'PATCH')).toEqual([]);
  });

  it('a lead is recognised through the user group', async () => {
    const response = await send(
      slashCommandBody({ text: 'scale api 2', user_id: LEAD, channel_id: 'C0000INCIDENT' }),
    );
    expect(response.text).not.toContain('needs');
    await eventually(
      async () => (await runs(`requested_by = '${LEAD}'`))[0]?.status === 'awaiting_confirmation',
    );
  });
});

describe('/fleet restart api', () => {
  it('asks for confirmation; only the requester may confirm; two clicks restart once; progress and outcome are posted', async () => {
    const responseUrl = h.slack.responseUrl();
    const ack = await send(
      slashCommandBody({
        text: 'restart api',
        user_id: ONCALL,
        channel_id: 'C0000INCIDENT',
        response_url: responseUrl,
      }),
    );
    expect(ack.status).toBe(200);
    const confirmation = await h.slack.waitForResponse(
      (post) => textOf(post.body).includes('Restart Deployment fleet-api'),
      10_000,
    );
    expect(textOf(confirmation.body)).toContain('fleet-management');
    const [run] = await runs(`action = 'restart' AND requested_by = '${ONCALL}'`);
    expect(run.status).toBe('awaiting_confirmation');

    const click = (user: string, responseUrl = h.slack.responseUrl()) =>
      send(
        blockActionsBody({
          user: { id: user },
          channel: { id: 'C0000INCIDENT' },
          response_url: responseUrl,
          actions: [{ action_id: 'fleet.confirm', value: run.id, type: 'button' }],
        }),
      );
    const leads = h.slack.responseUrl();
    expect((await click(LEAD, leads)).status).toBe(200);
    await h.slack.waitForResponse(
      (post) => post.url === leads && textOf(post.body).includes('who asked for it, can confirm this'),
      10_000,
    );
    expect((await runs(`id = '${run.id}'`))[0].status).toBe('awaiting_confirmation');

    // New pods stay unready until the progress message has been seen in Slack, then the rollout heals.
    const deadline = h.kube.rollouts.progressDeadlineMs;
    h.kube.rollouts.mode = 'stall';
    h.kube.rollouts.progressDeadlineMs = 60_000;
    // While the rollout stalls, the header in the channel shows its progress (posted so, or edited to it).
    let headerTs: string | undefined;
    const header = () =>
      h.slack.messages.find((message) =>
        headerTs
          ? message.ts === headerTs
          : !message.thread_ts && textOf(message).includes('/fleet restart api'),
      );
    try {
      const [one, two] = await Promise.all([click(ONCALL), click(ONCALL)]);
      expect([one.status, two.status]).toEqual([200, 200]);
      await eventually(
        () => /(Restart requested|pods updated)/.test(textOf(header() ?? {})),
        15_000,
        'the header message to show the progress',
      );
      headerTs = header()?.ts;
    } finally {
      h.kube.rollouts.mode = 'progress';
      h.kube.rollouts.progressDeadlineMs = deadline;
    }
    await eventually(
      async () => (await runs(`id = '${run.id}'`))[0].status === 'ok',
      20_000,
      'the restart to finish',
    );
    const finished = (await runs(`id = '${run.id}'`))[0];
    expect(finished.confirmed_by).toBe(ONCALL);
    expect(h.kube.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
    // Then it is edited in place to the outcome.
    await eventually(
      () => h.slack.callsTo('chat.update').some((call) => textOf(call.args).includes('fleet-api restarted')),
      10_000,
      'the outcome line',
    );
    expect(textOf(header() ?? {})).toContain('fleet-api restarted');
  });
});

describe('two-person actions', () => {
  it('a rollback marked two-person is shown in the channel and needs someone other than the requester', async () => {
    await send(slashCommandBody({ text: 'rollback api', user_id: ONCALL, channel_id: 'C0000INCIDENT' }));
    const confirmation = await h.slack.waitFor(
      'chat.postMessage',
      (call) => textOf(call.args).includes('second person'),
      10_000,
    );
    expect(confirmation.args.channel).toBe('C0000INCIDENT');
    const [run] = await runs(`action = 'rollback'`);
    const click = (user: string, responseUrl: string) =>
      send(
        blockActionsBody({
          user: { id: user },
          channel: { id: 'C0000INCIDENT' },
          response_url: responseUrl,
          actions: [{ action_id: 'fleet.confirm', value: run.id, type: 'button' }],
        }),
      );
    const own = h.slack.responseUrl();
    await click(ONCALL, own);
    await h.slack.waitForResponse(
      (post) => post.url === own && textOf(post.body).includes('A second person must confirm'),
    );
    await click(LEAD, h.slack.responseUrl());
    await eventually(async () => (await runs(`id = '${run.id}'`))[0].status === 'ok', 20_000, 'the rollback');
    expect((await runs(`id = '${run.id}'`))[0]).toMatchObject({ requested_by: ONCALL, confirmed_by: LEAD });
  });
});

describe('/fleet logs api --tail 2000', () => {
  it('uploads the output as a file and shows the first lines inline', async () => {
    const pods = await h.kube.store.list('pods');
    for (const pod of pods.filter((p) => p.metadata.name.startsWith('fleet-api'))) {
      h.kube.setPodLogs(
        pod.metadata.name,
        Array.from({ length: 2500 }, (_, i) => `GET /api/vehicles/${i} 200`),
      );
    }
    await send(
      slashCommandBody({ text: 'logs api --tail 2000', user_id: ONCALL, channel_id: 'C0000INCIDENT' }),
    );
    await eventually(() => h.slack.uploads.find((upload) => upload.completed), 15_000, 'the file upload');
    const upload = h.slack.uploads.find((u) => u.completed);
    expect(upload?.filename).toMatch(/^logs-fleet-api-.*\.txt$/);
    expect(upload?.bytes?.split('\n')).toHaveLength(2000);
    const inline = h.slack
      .callsTo('chat.postMessage')
      .find((call) => call.args.thread_ts && textOf(call.args).includes('GET /api/vehicles'));
    expect(inline).toBeDefined();
  });
});

describe('Slack rate limits', () => {
  it('waits Retry-After on a 429 and delivers; nothing is lost', async () => {
    h.slack.rateLimitNext('chat.postMessage', 1, 1);
    await send(slashCommandBody({ text: 'top', user_id: ONCALL, channel_id: 'C0000INCIDENT' }));
    const delivered = await h.slack.waitFor(
      'chat.postMessage',
      (call) => call.status === 200 && Boolean(call.args.thread_ts),
      20_000,
    );
    expect(textOf(delivered.args)).toContain('pod(s)');
    const attempts = h.slack.callsTo('chat.postMessage');
    expect(attempts[0]?.status).toBe(429);
    expect(attempts.filter((call) => call.status === 200).length).toBeGreaterThanOrEqual(2);
  });
});
