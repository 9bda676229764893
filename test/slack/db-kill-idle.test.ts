import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/databases.ts';
import { eventually } from '../support/eventually.ts';
import { idleFor } from '../support/idle-sessions.ts';
import {
  clickAction,
  ONCALL,
  SIGNING_SECRET,
  type SlackHarness,
  startSlackHarness,
  VIEWER,
} from '../support/slack-harness.ts';
import { postSigned, slashCommandBody } from '../support/slack-requests.ts';

// Real: fleetbot as deployed (Bolt, queue, workers, PostgreSQL) and a fleet database of this file's
// own on the same server. Fake: Slack. `/fleet db kill-idle` goes the whole way: command, preview,
// Confirm, the termination, the result in the channel.

const CHANNEL = 'C0000INCIDENT';
let h: SlackHarness;
let fleet: { url: string; drop: () => Promise<void> };

beforeAll(async () => {
  fleet = await createTestDatabase();
  h = await startSlackHarness({ FLEET_DATABASE_URL: fleet.url });
});
afterAll(async () => {
  await h.close();
  await fleet.drop();
});

const textOf = (message: { text?: unknown; blocks?: unknown }) =>
  `${String(message.text ?? '')}\n${JSON.stringify(message.blocks ?? [])}`;

describe('/fleet db kill-idle', () => {
  it('shows the sessions it would end, and ends them on Confirm; a viewer may not', async () => {
    const idle = new pg.Client({ connectionString: fleet.url, application_name: 'fleet-api' });
    idle.on('error', () => {});
    await idle.connect();
    const pid = (await idle.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
    await idleFor(fleet.url, [pid as number], 1_200);

    const denied = await postSigned(
      h.events,
      slashCommandBody({ text: 'db kill-idle --older-than 1s', user_id: VIEWER, channel_id: CHANNEL }),
      { secret: SIGNING_SECRET },
    );
    expect(denied.text).toMatch(/operate|On-Call|not allowed|permission/i);

    const url = h.slack.responseUrl();
    await postSigned(
      h.events,
      slashCommandBody({
        text: 'db kill-idle --older-than 1s',
        user_id: ONCALL,
        channel_id: CHANNEL,
        response_url: url,
      }),
      { secret: SIGNING_SECRET },
    );
    const preview = await h.slack.waitForResponse(
      (post) => post.url === url && textOf(post.body).includes('Terminate 1 connection'),
      15_000,
    );
    expect(textOf(preview.body)).toContain(`pid ${pid} · fleet-api`);
    const run = await eventually(
      async () =>
        (
          await h.db.query("SELECT id FROM action_runs WHERE action = 'db kill-idle' AND requested_by = $1", [
            ONCALL,
          ])
        ).rows[0],
      10_000,
      'the run',
    );
    await clickAction(h, ONCALL, CHANNEL, { action_id: 'fleet.confirm', value: run.id });
    await h.slack.waitFor(
      'chat.postMessage',
      (call) => textOf(call.args).includes('Terminated 1 idle connection'),
      20_000,
    );
    const gone = await h.db.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid]);
    expect(gone.rows).toEqual([]);
    await idle.end().catch(() => {});
  });
});
