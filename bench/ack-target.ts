/**
 * One server under test for bench/ack.ts, in its own process: `bare`, `bolt` or `fleetbot`.
 * Prints `READY <port>` when it accepts requests.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { App } from '@slack/bolt';
import { loadConfig } from '../src/config/index.ts';
import { startApp } from '../src/main.ts';

const secret = process.env.SLACK_SIGNING_SECRET ?? '';
const variant = process.argv[2];

// BENCH_CPU_PROF (set by bench/ack.ts): SIGUSR2 starts V8's sampling profiler, SIGTERM writes what
// it recorded to ACK_PROFILE_FILE and exits, so the profile covers the measured load, not start-up.
const profileFile = process.env.ACK_PROFILE_FILE;
if (profileFile) {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  process.once('SIGUSR2', () => void session.post('Profiler.start'));
  process.once('SIGTERM', async () => {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(profileFile, JSON.stringify(profile));
    process.exit(0);
  });
}

if (variant === 'bare') {
  // The physical limit: read the body, check the v0 signature and the replay window, parse the form.
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const timestamp = String(request.headers['x-slack-request-timestamp'] ?? '');
      const expected = Buffer.from(
        `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`,
      );
      const given = Buffer.from(String(request.headers['x-slack-signature'] ?? ''));
      const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
      if (!fresh || given.length !== expected.length || !timingSafeEqual(given, expected)) {
        response.writeHead(401).end();
        return;
      }
      const form = new URLSearchParams(body);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ text: `ok ${form.get('command')}` }));
    });
  });
  server.listen(0, '127.0.0.1', () => console.log(`READY ${(server.address() as AddressInfo).port}`));
} else if (variant === 'bolt') {
  // Bolt's own HTTPReceiver, a handler that only acks; bot ids given so no auth.test per request.
  const app = new App({
    signingSecret: secret,
    token: 'xoxb-bench',
    tokenVerificationEnabled: false,
    botId: 'B0000FLEETBOT',
    botUserId: 'U0000FLEETBOT',
  });
  app.command('/fleet', async ({ ack }) => ack());
  const server = (await app.start(0)) as { address(): AddressInfo };
  console.log(`READY ${server.address().port}`);
} else if (variant === 'fleetbot') {
  // fleetbot's web role as deployed (the workers run elsewhere): ack + at most one insert and one enqueue.
  const app = await startApp(
    loadConfig({ env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn' } }),
    { web: true, worker: false },
    { host: '127.0.0.1' },
  );
  console.log(`READY ${app.port}`);
} else {
  throw new Error(`unknown variant ${variant}`);
}
