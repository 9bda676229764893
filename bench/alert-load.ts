/**
 * Load for bench/alerts.ts: `wrk` (C, Debian's package) replaying a JSON template through
 * alert-requests.lua, one connection per wrk thread so that every answer is matched to its request
 * and the ids of the acknowledged ones come back. A JavaScript sender on the same two cores would
 * measure itself as much as the server (see bench/ack.ts).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./alert-requests.lua', import.meta.url));

export interface LoadOptions {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  path: string;
  /** JSON with the placeholders of alert-requests.lua (@REQ@, @START@, @K@). */
  template: string;
  /** Prefix of the request ids; distinct per load run. */
  run: string;
  /** Requests in flight at once (= wrk threads = connections). */
  senders: number;
  /** How long wrk sends, or the cap when `requestsPerSender` is given. */
  seconds: number;
  /** Stop each sender after this many requests (0: send until `seconds` end). */
  requestsPerSender?: number;
  /** The status an accepted request gets (fleetbot 202, Alertmanager 200). */
  expectedStatus: number;
  token?: string;
  /** @K@ cycles through 0 … kinds-1. */
  kinds?: number;
  /** Where the template and the acknowledged ids are written. */
  workDir: string;
}

export interface LoadResult {
  /** Ids of the requests answered with the expected status. */
  acked: string[];
  /** Answers with another status, and socket errors / timeouts. */
  refused: number;
  errors: number;
  /** Requests answered, per second, as wrk counts them. */
  rps: number;
  p50: number;
  p99: number;
  /** wrk's own wall time for the run, in seconds. */
  seconds: number;
  /** wrk's standard error: the first refused answers, if any. */
  complaints: string;
}

/**
 * Each run's @START@ times come from a range of their own (10^6 ms: more requests than a run sends), so a
 * warm-up and the run after it never make the same (fingerprint, start): that would be a repeat,
 * stored once, and the second request's alert would look lost. Ranges begin two days ago.
 */
let startRanges = 0;
function nextStartRange(): number {
  const first = Math.floor(Date.now() / 1000) * 1000 - 2 * 24 * 3600_000;
  return first + startRanges++ * 1_000_000;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const tag = randomBytes(4).toString('hex');
  const templateFile = join(options.workDir, `template-${tag}.json`);
  const ackedFile = join(options.workDir, `acked-${tag}.txt`);
  await writeFile(templateFile, options.template);
  const child = spawn(
    'wrk',
    [
      `-t${options.senders}`,
      `-c${options.senders}`,
      `-d${options.seconds}s`,
      '--timeout',
      '10s',
      '--latency',
      '-s',
      script,
      `${options.origin}${options.path}`,
      '--',
      templateFile,
      options.path,
      options.run,
      String(options.expectedStatus),
      String(options.requestsPerSender ?? 0),
      options.token ?? '',
      String(nextStartRange()),
      String(options.kinds ?? 1),
      String(options.senders),
    ],
    { env: { ...process.env, ALERT_LOAD_ACKED: ackedFile } },
  );
  let output = '';
  let complaints = '';
  child.stdout.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr.on('data', (chunk) => {
    complaints += String(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (options.requestsPerSender) {
    // wrk sleeps out -d whatever its threads do; once every sender sent its quota, SIGINT ends it
    // early, and it still reports.
    const poll = setInterval(async () => {
      const markers = (await readdir(options.workDir)).filter((name) =>
        name.startsWith(`acked-${tag}.txt.done-`),
      );
      if (markers.length === options.senders) child.kill('SIGINT');
    }, 50);
    await exited;
    clearInterval(poll);
  }
  const code = await exited;
  if (code !== 0 || !output.includes('ACKED_FILE_WRITTEN')) {
    throw new Error(`wrk failed (exit ${code}):\n${output}\n${complaints}`);
  }
  const acked = (await readFile(ackedFile, 'utf8')).split('\n').filter(Boolean);
  const percentile = (p: string) => toMs(new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s)\\b`, 'm').exec(output));
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    acked,
    refused: Number(/refused=(\d+)/.exec(output)?.[1] ?? 0),
    errors: socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? Number.NaN),
    p50: percentile('50'),
    p99: percentile('99'),
    seconds: toSeconds(/requests in ([\d.]+)(ms|s|m),/.exec(output)),
    complaints,
  };
}

function toMs(match: RegExpExecArray | null): number {
  if (!match) return Number.NaN;
  const value = Number(match[1]);
  return Math.round((match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value) * 10) / 10;
}

function toSeconds(match: RegExpExecArray | null): number {
  if (!match) return Number.NaN;
  const value = Number(match[1]);
  return match[2] === 'ms' ? value / 1000 : match[2] === 'm' ? value * 60 : value;
}
