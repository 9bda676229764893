import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import { ONCALL, SIGNING_SECRET, type SlackHarness, startSlackHarness } from '../support/slack-harness.ts';
import { postSigned, slashCommandBody } from '../support/slack-requests.ts';

// Hardening finding 11: reads cannot starve changes, and one person cannot flood the queue.

function textOf(message: { text?: unknown; blocks?: unknown }): string {
  return `${String(message.text ?? '')}\n${JSON.stringify(message.blocks ?? [])}`;
}

let h: SlackHarness;
beforeAll(async () => {
  h = await startSlackHarness();
});
afterAll(async () => {
  h.kube.unhang();
  await h.close();
});

const command = (text: string, user: string, responseUrl = h.slack.responseUrl()) =>
  postSigned(h.events, slashCommandBody({ text, user_id: user, response_url: responseUrl }), {
    secret: SIGNING_SECRET,
  });

describe('a storm of slow reads', () => {
  it('never holds up a change: its confirmation comes while every read worker is busy', async () => {
    // Every log read hangs until its 30 s deadline: 15 of them fill the read workers and wait behind.
    h.kube.hang({ pathIncludes: '/log' });
    await Promise.all(
      Array.from({ length: 15 }, (_, i) => command('logs api', `U00STORM${String(i).padStart(3, '0')}`)),
    );
    await eventually(
      async () =>
        (
          await h.db.query(
            "SELECT count(*)::int AS n FROM action_runs WHERE action = 'logs' AND status = 'running'",
          )
        ).rows[0].n >= 10,
      15_000,
      'the read workers to be busy',
    );
    const url = h.slack.responseUrl();
    await command('restart api', ONCALL, url);
    await h.slack.waitForResponse(
      (post) => post.url === url && textOf(post.body).includes('Restart'),
      10_000,
    );
    // The confirmation came while the reads were all still stuck.
    const unfinished = await h.db.query(
      "SELECT count(*)::int AS n FROM action_runs WHERE action = 'logs' AND finished_at IS NULL",
    );
    expect(unfinished.rows[0].n).toBeGreaterThanOrEqual(10);
    h.kube.unhang();
  });
});

describe('one person sending too many commands', () => {
  it('gets "slow down" past the limit, with when to try again; nothing more is queued', async () => {
    const user = 'U00FLOOD';
    for (let i = 0; i < 20; i++) expect((await command('help', user)).status).toBe(200);
    // help is not counted; status is.
    const answers = [];
    for (let i = 0; i < 21; i++) answers.push((await command('status', user)).json<{ text: string }>().text);
    expect(answers.slice(0, 20).every((text) => text.startsWith('⏳ Running'))).toBe(true);
    expect(answers[20]).toMatch(
      /^❌ Slow down: .*`\/fleet status` was not run\.\nWhat to do: Try again in \d+ s\./,
    );
    await eventually(
      async () =>
        (await h.db.query('SELECT count(*)::int AS n FROM action_runs WHERE requested_by = $1', [user]))
          .rows[0].n === 20,
      // A bound, not a timing: 20 health runs on a loaded two-core machine can take a while.
      60_000,
      'the 20 runs to be recorded',
    );
  }, 90_000);
});
