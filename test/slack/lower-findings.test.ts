import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import type { Deployment } from '../support/fake-kube/k8s-types.ts';
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
} from '../support/slack-requests.ts';

// Hardening finding 13: the lower ones, through the real Slack path.

function textOf(message: { text?: unknown; blocks?: unknown }): string {
  return `${String(message.text ?? '')}\n${JSON.stringify(message.blocks ?? [])}`;
}

let h: SlackHarness;
beforeAll(async () => {
  h = await startSlackHarness({}, { twoPerson: [] });
});
afterAll(async () => {
  await h.close();
});

const send = (body: string, options: { retryNum?: number } = {}) =>
  postSigned(h.events, body, { secret: SIGNING_SECRET, ...options });

async function metric(line: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${h.app.port}/metrics`)).text();
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found ? Number(found.split(' ')[1]) : 0;
}

describe('Slack retries of an event (X-Slack-Retry-Num)', () => {
  it('answer once', async () => {
    const body = eventBody(
      appMentionEvent({ text: '<@U0000FLEETBOT> help', user: ONCALL, channel: 'C0000RETRY' }),
    );
    await send(body);
    await send(body, { retryNum: 1 });
    await send(body, { retryNum: 2 });
    await h.slack.waitFor('chat.postMessage', (call) => call.args.channel === 'C0000RETRY', 10_000);
    await eventually(
      async () =>
        (
          await h.db.query(
            "SELECT count(*)::int AS n FROM slack_messages WHERE key LIKE 'mention.%' AND status = 'delivered'",
          )
        ).rows[0].n === 1,
      10_000,
      'the reply to be delivered',
    );
    expect(
      h.slack.callsTo('chat.postMessage').filter((call) => call.args.channel === 'C0000RETRY'),
    ).toHaveLength(1);
  });
});

describe('/metrics', () => {
  it('counts Slack requests with the status Slack was answered with', async () => {
    const route = 'method="POST",route="/slack/events"';
    const before = await metric(`fleetbot_http_requests_total{${route},status="401"}`);
    await postSigned(h.events, slashCommandBody({ text: 'health' }), { secret: SIGNING_SECRET, forge: true });
    expect(await metric(`fleetbot_http_requests_total{${route},status="401"}`)).toBe(before + 1);
    expect(await metric(`fleetbot_http_requests_total{${route},status="200"}`)).toBeGreaterThan(0);
  });
});

describe('a confirmed rollback', () => {
  it('runs the revision that was shown, and refuses when the history moved meanwhile', async () => {
    const url = h.slack.responseUrl();
    await send(slashCommandBody({ text: 'rollback api', user_id: ONCALL, response_url: url }));
    const shown = await h.slack.waitForResponse(
      (post) => post.url === url && textOf(post.body).includes('Roll back'),
      10_000,
    );
    expect(textOf(shown.body)).toMatch(/from revision \d+ to \d+/);
    const run = (await h.db.query("SELECT id FROM action_runs WHERE action = 'rollback'")).rows[0];

    // A deployment lands before anyone presses Confirm: a new revision.
    const deployment = h.kube.store.get<Deployment>('deployments', 'fleet-api') as Deployment;
    const container = deployment.spec.template.spec.containers[0] as { image: string };
    container.image = 'fleetappregistry.azurecr.io/fleet-api:hotfix-1';
    h.kube.store.put('deployments', deployment);
    await eventually(
      () => h.kube.store.list('replicasets').some((rs) => JSON.stringify(rs).includes('fleet-api:hotfix-1')),
      10_000,
      'the new revision',
    );
    h.kube.clearRequests();
    await send(
      blockActionsBody({
        user: { id: ONCALL },
        channel: { id: 'C0000INCIDENT' },
        response_url: h.slack.responseUrl(),
        actions: [{ action_id: 'fleet.confirm', value: run.id, type: 'button' }],
      }),
    );
    const finished = await eventually(
      async () => {
        const row = (await h.db.query('SELECT status, summary FROM action_runs WHERE id = $1', [run.id]))
          .rows[0];
        return row.status === 'failed' || row.status === 'ok' ? row : undefined;
      },
      15_000,
      'the rollback to end',
    );
    expect(finished.status).toBe('failed');
    expect(finished.summary).toMatch(
      /^fleet-api has moved on since the rollback was confirmed: it now runs revision \d+, not \d+\. Nothing was changed\.$/,
    );
    expect(h.kube.requests.filter((r) => r.method === 'PATCH')).toEqual([]);
  });
});

describe('a confirmed run whose job was lost', () => {
  it('is queued again by the sweep and runs once', async () => {
    // Confirmed, then the process died before queueing it (a minute and more ago).
    const prepared = h.app.runner.prepare('scale', ['api', '2']);
    const { row } = await h.app.runner.record(
      prepared,
      { requestId: 'Ev-stranded-1', requestedBy: LEAD, origin: 'slack' },
      'awaiting_confirmation',
    );
    await h.db.query(
      `UPDATE action_runs SET status = 'queued', confirmed_by = $2, requested_at = now() - interval '2 minutes',
         pending_params = $3, confirmation = $4, confirmation_expires_at = now() + interval '3 minutes'
       WHERE id = $1`,
      [
        row.id,
        LEAD,
        JSON.stringify(prepared.params),
        JSON.stringify({
          classification: prepared.classification,
          args: 'api 2',
          requester: { channel: 'C0000INCIDENT', user: LEAD },
        }),
      ],
    );
    await h.app.queue.enqueue('action.sweep', {});
    const done = await eventually(
      async () => {
        const found = (await h.db.query('SELECT status FROM action_runs WHERE id = $1', [row.id])).rows[0];
        return ['ok', 'failed', 'warning'].includes(found.status) ? found : undefined;
      },
      15_000,
      'the stranded run to run',
    );
    expect(done.status).toBe('ok');
    // A second sweep finds nothing: it started, so it is no longer stranded.
    const again = await h.app.queue.enqueue('action.sweep', {});
    const swept = await eventually(
      async () => {
        // The job as read once it is completed: one read before may hold no return value yet.
        const job = await h.app.queue.job('changes', again);
        return (await job?.getState()) === 'completed' && job?.returnvalue ? job : undefined;
      },
      10_000,
      'the second sweep',
    );
    expect(swept?.returnvalue).toEqual({ requeued: 0 });
    expect(h.kube.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/scale'))).toHaveLength(1);
  });
});
