import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import { DEMO_CHECKSUM_SQL, type Postgres15, seedDemo, startPostgres15 } from '../support/postgres15.ts';
import {
  DEVOPS,
  LEAD,
  ONCALL,
  SIGNING_SECRET,
  type SlackHarness,
  startSlackHarness,
} from '../support/slack-harness.ts';
import { blockActionsBody, postSigned, slashCommandBody } from '../support/slack-requests.ts';

// db restore through the real Slack path: signed requests into Bolt, the queue, the workers, real
// PostgreSQL 15 and its pg_dump/pg_restore; fake Slack and Kubernetes. permissions.twoPerson is
// empty: the restore's own classification demands the second person.

const CHANNEL = 'C0000DATABASE';

function textOf(message: { text?: unknown; blocks?: unknown }): string {
  return `${String(message.text ?? '')}\n${JSON.stringify(message.blocks ?? [])}`;
}

let pg15: Postgres15;
let h: SlackHarness;
beforeAll(async () => {
  pg15 = await startPostgres15();
  await pg15.query('CREATE DATABASE fleetdb');
  await seedDemo(pg15, 'fleetdb');
  const backupDir = await mkdtemp(join(tmpdir(), 'fleetbot-slack-backups-'));
  h = await startSlackHarness(
    { FLEET_DATABASE_URL: pg15.urlFor('fleetdb'), FLEETBOT_BACKUP_DIR: backupDir },
    { twoPerson: [] },
  );
}, 120_000);
afterAll(async () => {
  await h?.close();
  await pg15?.stop();
});

const send = (body: string) => postSigned(h.events, body, { secret: SIGNING_SECRET });
const click = (user: string, value: string, responseUrl = h.slack.responseUrl()) =>
  send(
    blockActionsBody({
      user: { id: user },
      channel: { id: CHANNEL },
      response_url: responseUrl,
      actions: [{ action_id: 'fleet.confirm', value, type: 'button', action_ts: `${Date.now() / 1000}` }],
    }),
  );
const runOf = (action: string) =>
  eventually(
    async () => (await h.db.query('SELECT * FROM action_runs WHERE action = $1', [action])).rows[0],
    10_000,
    `the ${action} run`,
  );
const finished = (id: string) =>
  eventually(
    async () => {
      const row = (await h.db.query('SELECT * FROM action_runs WHERE id = $1', [id])).rows[0];
      return ['ok', 'warning', 'failed'].includes(row.status) ? row : undefined;
    },
    60_000,
    'the run to finish',
  );
const checksum = async () => (await pg15.query(DEMO_CHECKSUM_SQL, 'fleetdb')).rows[0].checksum as string;

describe('/fleet db restore', () => {
  it('needs a second admin: the requester’s own second click and a non-admin’s do not count', async () => {
    const original = await checksum();
    await send(slashCommandBody({ text: 'db backup', user_id: ONCALL, channel_id: CHANNEL }));
    const backupRun = await finished((await runOf('db backup')).id);
    expect(backupRun.status, backupRun.summary).toBe('ok');
    const id = /as (\d{8}-\d{6}-[0-9a-f]{4})/.exec(backupRun.summary)?.[1] ?? '';
    expect(id).not.toBe('');
    await pg15.query(`UPDATE vehicles SET model = 'tampered'; DELETE FROM trips WHERE id < 100`, 'fleetdb');

    const ack = await send(
      slashCommandBody({ text: `db restore ${id}`, user_id: LEAD, channel_id: CHANNEL }),
    );
    expect(ack.text).toContain('db restore');
    const asked = await h.slack.waitFor(
      'chat.postMessage',
      (call) =>
        textOf(call.args).includes(`from backup ${id}`) && textOf(call.args).includes('second person'),
      15_000,
    );
    expect(asked.args.channel).toBe(CHANNEL);
    const run = await runOf('db restore');

    const own = h.slack.responseUrl();
    await click(LEAD, run.id, own);
    await h.slack.waitForResponse(
      (post) => post.url === own && textOf(post.body).includes('A second person'),
    );
    const viewer = h.slack.responseUrl();
    await click(ONCALL, run.id, viewer);
    await h.slack.waitForResponse((post) => post.url === viewer && textOf(post.body).includes('may not'));
    expect((await h.db.query('SELECT status FROM action_runs WHERE id = $1', [run.id])).rows[0].status).toBe(
      'awaiting_confirmation',
    );
    expect(await checksum()).not.toBe(original);

    await click(DEVOPS, run.id);
    const done = await finished(run.id);
    expect(done.status, done.summary).toBe('ok');
    expect(done.confirmed_by).toBe(DEVOPS);
    expect(done.target).toBe('StatefulSet/fleet-postgres');
    expect(await checksum()).toBe(original);
    expect(h.logs()).not.toContain(pg15.password);
  });
});
