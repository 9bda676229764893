import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUGGESTION_ACTION } from '../../src/slack/render/index.ts';
import { eventually } from '../support/eventually.ts';
import {
  clickAction,
  ONCALL,
  type SlackHarness,
  startSlackHarness,
  VIEWER,
} from '../support/slack-harness.ts';

// Real: fleetbot as deployed (Bolt, queue, workers, PostgreSQL). Fake: Slack and Kubernetes. A button
// a result suggests (diagnose's fix) runs its command through the path a typed command takes.

const CHANNEL = 'C0000INCIDENT';
let h: SlackHarness;
beforeAll(async () => {
  h = await startSlackHarness();
});
afterAll(async () => {
  await h.close();
});

const textOf = (message: { text?: unknown; blocks?: unknown }) =>
  `${String(message.text ?? '')}\n${JSON.stringify(message.blocks ?? [])}`;

describe('a suggested command button', () => {
  it('is refused to a viewer for an operate action, and runs, audited, for the on-call', async () => {
    await clickAction(h, VIEWER, CHANNEL, { action_id: `${SUGGESTION_ACTION}.0`, value: 'scale api 3' });
    await h.slack.waitForResponse(
      (post) => /not allowed|permission|operate/i.test(textOf(post.body)),
      15_000,
    );

    await clickAction(h, ONCALL, CHANNEL, { action_id: `${SUGGESTION_ACTION}.1`, value: 'diagnose pending' });
    const run = await eventually(
      async () =>
        (await h.db.query("SELECT action, requested_by FROM action_runs WHERE action = 'diagnose'")).rows[0],
      15_000,
      'the diagnose run',
    );
    expect(run).toEqual({ action: 'diagnose', requested_by: ONCALL });
    await h.slack.waitFor(
      'chat.postMessage',
      (call) => textOf(call.args).includes('No pod is Pending'),
      20_000,
    );
    // The viewer's click is audited as a refusal, as a typed command is; nothing was scaled.
    const scaled = await h.db.query("SELECT requested_by, status FROM action_runs WHERE action = 'scale'");
    expect(scaled.rows).toEqual([{ requested_by: VIEWER, status: 'denied' }]);
  });
});
