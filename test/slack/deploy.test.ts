import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRE_DEPLOYMENT_CHECKLIST } from '../../src/actions/deploy.ts';
import { eventually } from '../support/eventually.ts';
import { ONCALL, SIGNING_SECRET, type SlackHarness, startSlackHarness } from '../support/slack-harness.ts';
import { blockActionsBody, postSigned, slashCommandBody } from '../support/slack-requests.ts';

const CHANNEL = 'C0000DEPLOYS';
let h: SlackHarness;
/** The Fleet API the smoke tests call: healthy unless a test says otherwise. */
const api = { healthy: true, logins: 0 };
let apiServer: Server;

beforeAll(async () => {
  apiServer = createServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    if (request.url === '/api/health') {
      response.statusCode = api.healthy ? 200 : 503;
      response.end(
        JSON.stringify({
          status: api.healthy ? 'healthy' : 'unhealthy',
          version: '2.0.0',
          environment: 'demo',
        }),
      );
      return;
    }
    api.logins += 1;
    response.end(JSON.stringify({ token: 'fake-session' }));
  });
  await new Promise<void>((resolve) => apiServer.listen(0, '127.0.0.1', resolve));
  const { port } = apiServer.address() as AddressInfo;
  h = await startSlackHarness(
    {
      FLEET_API_URL: `http://127.0.0.1:${port}`,
      FLEET_DEMO_EMAIL: 'admin@demofleet.com',
      FLEET_DEMO_PASSWORD: 'Demo@123-deploy-test',
    },
    { yaml: 'channels: { alerts: C0000ALERTS }\nalerts: { incidentChannel: [] }' },
  );
}, 60_000);

afterAll(async () => {
  await h?.close();
  await new Promise((resolve) => apiServer?.close(resolve));
});

function textOf(message: { text?: unknown; blocks?: unknown }): string {
  return `${String(message.text ?? '')}\n${JSON.stringify(message.blocks ?? [])}`;
}

/** `/fleet deploy …` as ONCALL, then its confirmation's run id once the preview is shown. */
async function ask(text: string): Promise<string | undefined> {
  const response = await postSigned(
    h.events,
    slashCommandBody({ text, user_id: ONCALL, channel_id: CHANNEL, response_url: h.slack.responseUrl() }),
    {
      secret: SIGNING_SECRET,
    },
  );
  expect(response.status).toBe(200);
  return eventually(
    async () => {
      const { rows } = await h.db.query(
        "SELECT id FROM action_runs WHERE action = 'deploy' AND params->>'tag' = $1 AND status = 'awaiting_confirmation'",
        [text.split(' ').at(-1)],
      );
      const id = rows[0]?.id as string | undefined;
      return id && h.slack.responses.some((post) => textOf(post.body).includes('Before you confirm'))
        ? id
        : undefined;
    },
    15_000,
    'the confirmation',
  );
}

/** Presses Deploy with `ticked` items of the checklist ticked. */
function confirm(runId: string, ticked: number) {
  const selected = PRE_DEPLOYMENT_CHECKLIST.slice(0, ticked).map((item, index) => ({
    text: { type: 'plain_text', text: item },
    value: String(index),
  }));
  return postSigned(
    h.events,
    blockActionsBody({
      user: { id: ONCALL },
      channel: { id: CHANNEL },
      response_url: h.slack.responseUrl(),
      actions: [
        { type: 'button', action_id: 'fleet.confirm', value: runId, action_ts: `${Date.now() / 1000}` },
      ],
      state: {
        values: {
          'confirm.checklist': { 'confirm.checklist': { type: 'checkboxes', selected_options: selected } },
        },
      },
    }),
    { secret: SIGNING_SECRET },
  );
}

describe('/fleet deploy', () => {
  it('a good tag: the checklist must be ticked; the image is set with its change-cause and the rollout followed', async () => {
    const runId = String(await ask('deploy api v2.0.0'));
    await confirm(runId, 5);
    await h.slack.waitForResponse(
      (post) => textOf(post.body).includes('Tick every item of the checklist first'),
      10_000,
    );
    expect(h.kube.requests.some((request) => request.method === 'PATCH')).toBe(false);

    await confirm(runId, PRE_DEPLOYMENT_CHECKLIST.length);
    const patch = await eventually(
      () => h.kube.requests.find((r) => r.method === 'PATCH' && r.path.endsWith('/deployments/fleet-api')),
      15_000,
      'the image patch',
    );
    expect(JSON.stringify(patch?.body)).toContain('fleet-api:v2.0.0');
    expect(JSON.stringify(patch?.body)).toContain('fleetbot deploy v2.0.0');
    const result = await h.slack.waitFor(
      'chat.postMessage',
      (call) => textOf(call.args).includes('now runs') && textOf(call.args).includes('v2.0.0'),
      30_000,
    );
    expect(result.args.channel).toBe(CHANNEL);
    expect(textOf(result.args)).toContain('smoke tests passed');
    expect(api.logins).toBe(1);
    expect(h.logs()).not.toContain('Demo@123-deploy-test');
    for (const call of h.slack.calls) expect(JSON.stringify(call.args)).not.toContain('Demo@123-deploy-test');
    const { rows } = await h.db.query('SELECT status FROM action_runs WHERE id = $1', [runId]);
    expect(rows[0].status).toBe('ok');
  }, 60_000);

  it('a tag whose rollout never becomes ready: rolled back, a P1 opened with the evidence, the thread tells it in order', async () => {
    h.kube.rollouts.mode = 'stall';
    const runId = String(await ask('deploy api v3.0.0-broken'));
    await confirm(runId, PRE_DEPLOYMENT_CHECKLIST.length);
    const result = await h.slack.waitFor(
      'chat.postMessage',
      (call) => textOf(call.args).includes('v3.0.0-broken') && textOf(call.args).includes('failed'),
      60_000,
    );
    h.kube.rollouts.mode = 'progress';
    expect(textOf(result.args)).toContain('rolled back to revision');
    const undo = h.kube.requests.filter(
      (r) => r.method === 'PATCH' && r.path.endsWith('/deployments/fleet-api'),
    );
    // The image set, then kubectl's undo (a JSON patch putting the previous template back).
    expect(undo.length).toBeGreaterThanOrEqual(2);
    const incident = await eventually(
      async () =>
        (
          await h.db.query(
            "SELECT id, severity, service FROM incidents WHERE title LIKE 'Deploy of v3.0.0-broken%'",
          )
        ).rows[0],
      15_000,
      'the P1',
    );
    expect(incident).toMatchObject({ severity: 'P1', service: 'api' });
    const note = await eventually(
      async () =>
        (
          await h.db.query(
            "SELECT row_to_json(t)::text AS row FROM timeline_events t WHERE incident_id = $1 AND kind = 'note'",
            [incident.id],
          )
        ).rows[0]?.row as string | undefined,
      10_000,
      'the evidence on the timeline',
    );
    expect(note).toContain('rolled back to revision');
    await h.slack.waitFor(
      'chat.postMessage',
      (call) => call.args.channel === 'C0000ALERTS' && textOf(call.args).includes('v3.0.0-broken'),
      15_000,
    );
    // The result in the channel tells what happened in order: the rollout's failure, then the rollback.
    const story = textOf(result.args);
    expect(story.indexOf('rollout of')).toBeGreaterThanOrEqual(0);
    expect(story.indexOf('rollout of')).toBeLessThan(story.indexOf('rolled back to revision'));
    const { rows } = await h.db.query('SELECT status FROM action_runs WHERE id = $1', [runId]);
    expect(rows[0].status).toBe('failed');
  }, 90_000);

  it('smoke tests that fail after a good rollout: rolled back too, and a P1 opened', async () => {
    api.healthy = false;
    const runId = String(await ask('deploy api v4.0.0'));
    await confirm(runId, PRE_DEPLOYMENT_CHECKLIST.length);
    const result = await h.slack.waitFor(
      'chat.postMessage',
      (call) => textOf(call.args).includes('v4.0.0') && textOf(call.args).includes('smoke tests failed'),
      60_000,
    );
    api.healthy = true;
    expect(textOf(result.args)).toContain('rolled back to revision');
    await eventually(
      async () =>
        (await h.db.query("SELECT 1 FROM incidents WHERE title LIKE 'Deploy of v4.0.0%'")).rowCount === 1,
      15_000,
      'the P1',
    );
  }, 90_000);
});
