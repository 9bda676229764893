/**
 * Where the CPU went during a measurement, from /proc: this bench's own processes (everything
 * descended from it, by name: fleetbot's node, postgres, redis-server, wrk, alertmanager, the
 * bench itself with the fake Slack) and everything else on the machine (another developer's tests).
 * The machine has two cores and is shared, so a figure taken while "others" used a good part of
 * them is disturbed and worth taking again.
 *
 *   const window = startCpuWindow(); …load… const usage = window.stop(); formatCpu(usage)
 *
 * Processes are sampled every 500 ms, so one that exits between samples (wrk at the end of its run)
 * keeps its last sample; the machine's busy time comes from /proc/stat, and "others" is that minus ours.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

/** USER_HZ: /proc counts CPU time in ticks of 1/100 s on Linux. */
const TICKS_PER_SECOND = 100;
const SAMPLE_EVERY_MS = 500;

interface ProcessSample {
  comm: string;
  ppid: number;
  /** utime + stime, in ticks. */
  ticks: number;
}

interface Tracked {
  pid: number;
  comm: string;
  ppid: number;
  first: number;
  last: number;
}

export interface CpuUsage {
  seconds: number;
  /** CPU used by the bench's processes, by name, in % of one core. */
  ours: Record<string, number>;
  /** CPU used by every other process on the machine, in % of one core (200 % = both cores). */
  others: number;
  /** The 1-minute load average when the window opened, as `uptime` shows it. */
  loadAtStart: number;
}

function readProcesses(): Map<string, ProcessSample & { pid: number }> {
  const found = new Map<string, ProcessSample & { pid: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited since the directory was listed
    }
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    // pid + start time: a pid the kernel reuses during the window is another process.
    found.set(`${name}:${fields[19]}`, { pid: Number(name), comm, ppid: Number(fields[1]), ticks });
  }
  return found;
}

function busyTicks(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return [user, nice, system, irq, softirq, steal].reduce<number>((sum, value) => sum + (value ?? 0), 0);
}

/** What a process counts as in the report. */
function category(comm: string, pid: number, fleetbotPids: ReadonlySet<number>): string {
  if (pid === process.pid) return 'bench';
  if (fleetbotPids.has(pid)) return 'fleetbot';
  if (comm.startsWith('postgres')) return 'postgres';
  if (comm.startsWith('redis')) return 'redis';
  if (comm.startsWith('wrk')) return 'wrk';
  if (comm.includes('alertman') || comm.startsWith('prometheus')) return 'alertmanager';
  return comm;
}

export interface CpuWindow {
  stop(): CpuUsage;
}

/** Starts accounting; `fleetbotPids` are the fleetbot processes, named so in the report. */
export function startCpuWindow(fleetbotPids: readonly number[] = []): CpuWindow {
  const started = performance.now();
  const loadAtStart = loadavg()[0] ?? Number.NaN;
  const busyAtStart = busyTicks();
  const tracked = new Map<string, Tracked>();
  const sample = (first: boolean) => {
    for (const [key, seen] of readProcesses()) {
      const known = tracked.get(key);
      if (known) {
        known.last = seen.ticks;
        known.ppid = seen.ppid;
      } else {
        // Seen first after the window opened: it started during the window, all its time counts.
        tracked.set(key, { ...seen, first: first ? seen.ticks : 0, last: seen.ticks });
      }
    }
  };
  sample(true);
  const timer = setInterval(() => sample(false), SAMPLE_EVERY_MS);
  return {
    stop() {
      clearInterval(timer);
      sample(false);
      const seconds = (performance.now() - started) / 1000;
      const parents = new Map([...tracked.values()].map((p) => [p.pid, p.ppid]));
      const isOurs = (pid: number) => {
        for (let at = pid, hops = 0; at > 1 && hops < 64; hops++) {
          if (at === process.pid) return true;
          at = parents.get(at) ?? 0;
        }
        return false;
      };
      const percent = (ticks: number) => Math.round((ticks / TICKS_PER_SECOND / seconds) * 100);
      const fleetbot = new Set(fleetbotPids);
      const ours: Record<string, number> = {};
      let oursTicks = 0;
      for (const p of tracked.values()) {
        if (!isOurs(p.pid)) continue;
        const used = p.last - p.first;
        oursTicks += used;
        const name = category(p.comm, p.pid, fleetbot);
        ours[name] = (ours[name] ?? 0) + used;
      }
      for (const name of Object.keys(ours)) ours[name] = percent(ours[name] ?? 0);
      return {
        seconds,
        ours,
        others: Math.max(0, percent(busyTicks() - busyAtStart - oursTicks)),
        loadAtStart,
      };
    },
  };
}

/** `others 12 % · fleetbot 95 %, postgres 60 %, …` (percent of one core; the machine has 200 %). */
export function formatCpu(usage: CpuUsage): string {
  const ours = Object.entries(usage.ours)
    .filter(([, value]) => value >= 1)
    .sort(([, a], [, b]) => b - a)
    .map(([name, value]) => `${name} ${value} %`)
    .join(', ');
  return `load ${usage.loadAtStart.toFixed(2)}, others ${usage.others} % · ${ours}`;
}
