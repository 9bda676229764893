/**
 * bench:enrichment — issue 12: an alert for a service in CrashLoopBackOff (the fake Kubernetes API
 * server's `crashloop-api` scenario), BENCH_ENRICH_ALERTS of them (200) one after another, each
 * opening an incident (`groupWindow: 0s`): the time from the alert's POST to its message in the fake
 * Slack, and to the message's edit carrying the cluster evidence. One `fleetbot start` on the
 * PostgreSQL queue. Targets: the alert posted within 200 ms p99 whatever the enrichment; the
 * evidence within 3 s p99.
 *
 *   npm run bench:enrichment
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EmbeddedPostgres } from '../src/db/embedded-postgres.ts';
import { createLogger } from '../src/logging/logger.ts';
import { startFakeKube } from '../test/support/fake-kube/index.ts';
import { startFakeSlack } from '../test/support/fake-slack/index.ts';
import { formatCpu, startCpuWindow } from './cpu-usage.ts';
import { startFleetbot } from './fleetbot-process.ts';
import { percentile } from './measure.ts';

const ALERTS = Number(process.env.BENCH_ENRICH_ALERTS ?? 200);
const GAP_MS = Number(process.env.BENCH_ENRICH_GAP_MS ?? 100);
const TOKEN = 'bench-enrichment-token-0000';
const ALERTS_CHANNEL = 'C0000ALERTS';

const logger = createLogger({ level: 'warn' });
const pgDir = await mkdtemp(join(tmpdir(), 'fleetbot-bench-enrich-pg-'));
const postgres = new EmbeddedPostgres({ dataDir: pgDir, logger });
const serverUrl = await postgres.start();
const slack = await startFakeSlack();
const kube = await startFakeKube();
kube.scenario('crashloop-api');
const config = [
  `channels: { alerts: ${ALERTS_CHANNEL} }`,
  'alerts: { groupWindow: 0s, incidentChannel: [] }',
  'maintenance: { notices: [] }',
].join('\n');
console.log(
  `load average at start: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
const bot = await startFleetbot({
  backend: 'postgres',
  serverUrl,
  config,
  env: {
    ALERTS_TOKEN: TOKEN,
    SLACK_BOT_TOKEN: 'xoxb-0000000000-0000000000000-fakefakefakefakefakefake',
    SLACK_SIGNING_SECRET: '00000000fakefakefakefake00000000',
    SLACK_API_URL: slack.url,
    KUBECONFIG: kube.kubeconfigPath,
  },
});
try {
  const send = async (name: string) => {
    const sentAt = Date.now();
    const response = await fetch(`${bot.origin}/alerts/generic`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: `Probe ${name}`, severity: 'P3', service: 'api', fingerprint: name }),
    });
    await response.arrayBuffer();
    if (response.status !== 202) throw new Error(`the alert was answered ${response.status}`);
    return sentAt;
  };
  const posted = (name: string) =>
    slack.waitFor(
      'chat.postMessage',
      (call) => !call.args.thread_ts && String(call.args.text ?? '').includes(name),
      10_000,
    );
  const enriched = (name: string) =>
    slack.waitFor(
      'chat.update',
      (call) =>
        String(call.args.text ?? '').includes(name) &&
        JSON.stringify(call.args.blocks ?? '').includes('Cluster evidence'),
      15_000,
    );
  for (let i = 0; i < 5; i++) {
    const name = `warm-${String(i).padStart(5, '0')}`;
    await send(name);
    await enriched(name);
  }
  const cpu = startCpuWindow([bot.pid]);
  const post: number[] = [];
  const evidence: number[] = [];
  const waits: Promise<void>[] = [];
  for (let i = 0; i < ALERTS; i++) {
    const began = performance.now();
    const name = `m-${String(i).padStart(5, '0')}`;
    const sentAt = await send(name);
    waits.push(
      (async () => {
        const [message, edit] = await Promise.all([posted(name), enriched(name)]);
        post.push(message.at - sentAt);
        evidence.push(edit.at - sentAt);
      })(),
    );
    await sleep(Math.max(0, GAP_MS - (performance.now() - began)));
  }
  await Promise.all(waits);
  const usage = cpu.stop();
  const ms = (values: number[], q: number) => `${percentile(values, q)} ms`;
  console.log(`${ALERTS} alerts for fleet-api in CrashLoopBackOff, one every ${GAP_MS} ms`);
  console.log(
    `  alert message posted: p50 ${ms(post, 0.5)}, p99 ${ms(post, 0.99)}, max ${Math.max(...post)} ms (target p99 ≤ 200 ms)`,
  );
  console.log(
    `  evidence on the message: p50 ${ms(evidence, 0.5)}, p99 ${ms(evidence, 0.99)}, max ${Math.max(...evidence)} ms (target p99 ≤ 3 s)`,
  );
  console.log(`  ${formatCpu(usage)}`);
} finally {
  await bot.stop();
  await Promise.all([slack.close(), kube.close()]);
  await postgres.stop();
  await rm(pgDir, { recursive: true, force: true });
}
