import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import { ONCALL, SIGNING_SECRET, type SlackHarness, startSlackHarness } from '../support/slack-harness.ts';
import { postSigned, slashCommandBody } from '../support/slack-requests.ts';

// Hardening finding 1: where results may be posted (channels.allowed), and results sent privately.

let h: SlackHarness;
beforeAll(async () => {
  h = await startSlackHarness({}, { yaml: 'channels:\n  allowed: ["#fleet-ops"]\n' });
});
afterAll(async () => {
  await h.close();
});

const command = (text: string, channel: { id: string; name: string }) =>
  postSigned(
    h.events,
    slashCommandBody({ text, user_id: ONCALL, channel_id: channel.id, channel_name: channel.name }),
    { secret: SIGNING_SECRET },
  );

describe('channels.allowed', () => {
  it('refuses to post results in another channel, saying where instead; nothing runs', async () => {
    const answer = await command('logs api', { id: 'C0000INCIDENT', name: 'fleet-incidents' });
    expect(answer.text).toContain('fleetbot posts results only in #fleet-ops');
    expect(answer.text).toContain('or add --private');
    const runs = await h.db.query("SELECT count(*)::int AS n FROM action_runs WHERE action = 'logs'");
    expect(runs.rows[0].n).toBe(0);
  });

  it('posts in an allowed channel, and anywhere when the result goes privately', async () => {
    await command('status', { id: 'C0000FLEETOPS', name: 'fleet-ops' });
    await h.slack.waitFor('chat.postMessage', (call) => call.args.channel === 'C0000FLEETOPS', 15_000);

    await command('logs api --private', { id: 'C0000INCIDENT', name: 'fleet-incidents' });
    // The result goes to the requester's direct messages, never to the channel.
    await h.slack.waitFor('chat.postMessage', (call) => call.args.channel === ONCALL, 15_000);
    await eventually(
      async () =>
        (await h.db.query("SELECT status FROM action_runs WHERE action = 'logs'")).rows[0]?.status === 'ok',
      15_000,
      'the logs run',
    );
    expect(
      h.slack.callsTo('chat.postMessage').filter((call) => call.args.channel === 'C0000INCIDENT'),
    ).toEqual([]);
  });
});
