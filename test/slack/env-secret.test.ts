import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import { ONCALL, SIGNING_SECRET, type SlackHarness, startSlackHarness } from '../support/slack-harness.ts';
import { blockActionsBody, postSigned, slashCommandBody } from '../support/slack-requests.ts';

// Hardening findings 5 and 1: an `env set` value with a secret-looking name goes to the cluster and
// nowhere else — no log line, Slack call, database row or queue entry — once the change is done.

const VALUE = 'plain-env-pa55-7c2e9b';
let h: SlackHarness;
beforeAll(async () => {
  h = await startSlackHarness({ LOG_LEVEL: 'debug' });
});
afterAll(async () => {
  await h.close();
});

async function everyRow(): Promise<string[]> {
  const tables = await h.db.query(
    "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema IN ('public', $1)",
    [h.queueNamespace],
  );
  const texts: string[] = [];
  for (const { table_schema, table_name } of tables.rows) {
    const rows = await h.db.query(
      `SELECT row_to_json(t)::text AS text FROM "${table_schema}"."${table_name}" t`,
    );
    texts.push(...rows.rows.map((row: { text: string }) => row.text));
  }
  return texts;
}

describe('env set DB_PASSWORD=… from Slack', () => {
  it('reaches the cluster, and nothing else keeps the value once it is done', async () => {
    const url = h.slack.responseUrl();
    const ack = await postSigned(
      h.events,
      slashCommandBody({ text: `env api set DB_PASSWORD=${VALUE}`, user_id: ONCALL, response_url: url }),
      { secret: SIGNING_SECRET },
    );
    expect(ack.text).toContain('DB_PASSWORD=[REDACTED]');
    await h.slack.waitForResponse(
      (post) => post.url === url && JSON.stringify(post.body).includes('DB_PASSWORD'),
      10_000,
    );
    const run = (await h.db.query("SELECT id FROM action_runs WHERE action = 'env'")).rows[0];
    await postSigned(
      h.events,
      blockActionsBody({
        user: { id: ONCALL },
        channel: { id: 'C0000INCIDENT' },
        response_url: h.slack.responseUrl(),
        actions: [{ action_id: 'fleet.confirm', value: run.id, type: 'button' }],
      }),
      { secret: SIGNING_SECRET },
    );
    const patch = await eventually(
      () => h.kube.requests.find((r) => r.method === 'PATCH' && r.path.endsWith('/deployments/fleet-api')),
      15_000,
      'the env patch',
    );
    expect(JSON.stringify(patch?.body)).toContain(VALUE);
    await eventually(
      async () =>
        (await h.db.query('SELECT status FROM action_runs WHERE id = $1', [run.id])).rows[0].status === 'ok',
      15_000,
      'the change to finish',
    );
    // Its job leaves the queue store as soon as it finishes; then nothing may hold the value.
    await eventually(
      async () =>
        !(await h.app.queue.job(
          'changes',
          `action.${(await h.db.query('SELECT request_id FROM action_runs WHERE id = $1', [run.id])).rows[0].request_id.replaceAll(':', '_')}`,
        )),
      5_000,
      'the job to leave the queue store',
    );
    await eventually(
      async () =>
        (await h.db.query("SELECT count(*)::int AS n FROM slack_messages WHERE status = 'pending'")).rows[0]
          .n === 0,
      15_000,
      'the messages to be delivered',
    );
    expect(h.logs()).not.toContain(VALUE);
    for (const call of h.slack.calls) expect(JSON.stringify(call.args)).not.toContain(VALUE);
    for (const post of h.slack.responses) expect(JSON.stringify(post.body)).not.toContain(VALUE);
    for (const text of await everyRow()) expect(text).not.toContain(VALUE);
  });
});
