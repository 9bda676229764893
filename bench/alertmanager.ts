/**
 * Prometheus Alertmanager (Debian's `prometheus-alertmanager`) for bench/alerts.ts: a process of
 * its own on a free loopback port, a temporary --storage.path, clustering off, the config given.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../src/lib/free-port.ts';

const BINARY = 'prometheus-alertmanager';

/** Its version line, or why it cannot run (then part (d) is reported as not run). */
export function alertmanagerVersion(): { version: string } | { missing: string } {
  const found = spawnSync(BINARY, ['--version'], { encoding: 'utf8' });
  if (found.error) {
    return {
      missing: `${BINARY} is not installed (apt-get update && apt-get install -y prometheus-alertmanager)`,
    };
  }
  return { version: `${found.stdout}${found.stderr}`.split('\n')[0]?.trim() ?? BINARY };
}

export interface Alertmanager {
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  readonly pid: number;
  /** Its /metrics, one sample: the sum of the series of `name` whose labels contain `filter`. */
  metric(name: string, filter?: string): Promise<number>;
  output(): string;
  stop(): Promise<void>;
}

export async function startAlertmanager(configYaml: string): Promise<Alertmanager> {
  const dir = await mkdtemp(join(tmpdir(), 'fleetbot-bench-alertmanager-'));
  await writeFile(join(dir, 'alertmanager.yml'), configYaml);
  const port = await freePort();
  const child: ChildProcess = spawn(
    BINARY,
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    output += String(chunk);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Alertmanager exited at start:\n${output}`);
    const ready = await fetch(`${origin}/-/ready`).catch(() => undefined);
    if (ready?.status === 200) break;
    if (Date.now() > deadline) throw new Error(`Alertmanager not ready after 15 s:\n${output}`);
    await sleep(100);
  }
  return {
    origin,
    pid: child.pid ?? 0,
    async metric(name, filter = '') {
      const text = await (await fetch(`${origin}/metrics`)).text();
      let sum = 0;
      for (const line of text.split('\n')) {
        if (!line.startsWith(name) || !line.includes(filter)) continue;
        const match = /^(\S+?)(\{[^}]*\})? (\S+)$/.exec(line);
        if (match?.[1] === name) sum += Number(match[3]);
      }
      return sum;
    },
    output: () => output,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
