import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, waitFor } from '../support/net.ts';
import { ONCALL, SIGNING_SECRET, type SlackHarness, startSlackHarness } from '../support/slack-harness.ts';
import { postSigned, slashCommandBody } from '../support/slack-requests.ts';

// Hardening finding 8: with Redis gone, an enqueue used to wait for ever (maxRetriesPerRequest: null)
// and Slack showed a timeout. Now the command is answered at once, saying what is wrong.

const hasRedis = inject('redisUrl') !== null;
let redis: ChildProcess | undefined;
let h: SlackHarness | undefined;

beforeAll(async () => {
  if (!hasRedis) return;
  const port = await freePort();
  redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  await waitFor(port);
  h = await startSlackHarness({ REDIS_URL: `redis://127.0.0.1:${port}` });
});
afterAll(async () => {
  redis?.kill('SIGKILL');
  await h?.close();
});

// Like every Redis test, skipped only where redis-server is missing outside CI (global-setup.ts).
describe.skipIf(!hasRedis)('a /fleet command while Redis is down', () => {
  it('is answered within Slack’s 3 s with what is wrong, and nothing is recorded as queued', async () => {
    if (!h || !redis) throw new Error('no harness');
    const exited = new Promise((resolve) => redis?.once('exit', resolve));
    redis.kill('SIGKILL');
    await exited;
    const answer = await postSigned(h.events, slashCommandBody({ text: 'status', user_id: ONCALL }), {
      secret: SIGNING_SECRET,
    });
    expect(answer.status).toBe(200);
    expect(answer.json<{ text: string }>().text).toContain('The job queue (Redis) is not answering');
    expect(answer.json<{ text: string }>().text).toContain('Nothing was started');
  });
});
