/**
 * Where a process spent its CPU, from a V8 `.cpuprofile` (node --cpu-prof, or the inspector's
 * Profiler): the functions with the most self time, the most inclusive time, and the packages.
 * `node bench/cpu-profile.ts <file.cpuprofile> [rows]` prints the three tables; bench/ack.ts prints
 * them for each fleetbot server when BENCH_CPU_PROF is set.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
}

export interface Share {
  name: string;
  /** Of all samples, idle included. */
  percent: number;
}

export interface ProfileSummary {
  samples: number;
  /** Samples where the process was not idle (waiting on the event loop). */
  busyPercent: number;
  self: Share[];
  inclusive: Share[];
  packages: Share[];
}

/** `pkg`, `node:internal`, `fleetbot src/…` or V8's own `(garbage collector)`, `(program)`, `(idle)`. */
function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules?.[1]) return modules[1];
  if (url.startsWith('node:')) return 'node:internal';
  const source = /\/(src|bench|test)\/(.*)$/.exec(url);
  if (source) return `fleetbot ${source[1]}/${source[2]?.split('/')[0] ?? ''}`;
  return url;
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  if (!url) return functionName || '(anonymous)';
  const short = url
    .replace(/^file:\/\/.*?node_modules\//, '')
    .replace(/^file:\/\/.*?\/(src|bench|test)\//, '$1/');
  return `${functionName || '(anonymous)'} ${short}:${lineNumber + 1}`;
}

export function summariseProfile(profile: Profile, rows = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const counts = new Map<number, number>();
  for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
  const total = profile.samples.length;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const packages = new Map<string, number>();
  let idle = 0;
  for (const [id, count] of counts) {
    const leaf = byId.get(id);
    if (!leaf) continue;
    if (leaf.callFrame.functionName === '(idle)') idle += count;
    const name = frameName(leaf);
    self.set(name, (self.get(name) ?? 0) + count);
    const pkg = packageOf(leaf.callFrame.url, leaf.callFrame.functionName);
    packages.set(pkg, (packages.get(pkg) ?? 0) + count);
    // Each function once per sample, however often it recurs on the stack.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at);
      if (!node || node.callFrame.functionName === '(root)') continue;
      const frame = frameName(node);
      if (seen.has(frame)) continue;
      seen.add(frame);
      inclusive.set(frame, (inclusive.get(frame) ?? 0) + count);
    }
  }
  const top = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, rows)
      .map(([name, count]) => ({ name, percent: Math.round((count / total) * 1000) / 10 }));
  return {
    samples: total,
    busyPercent: Math.round(((total - idle) / total) * 1000) / 10,
    self: top(self),
    inclusive: top(inclusive),
    packages: top(packages),
  };
}

export async function readProfile(path: string): Promise<Profile> {
  return JSON.parse(await readFile(path, 'utf8')) as Profile;
}

export function formatSummary(summary: ProfileSummary): string {
  const table = (title: string, shares: Share[]) =>
    [
      `  ${title}`,
      ...shares.map((share) => `  ${share.percent.toFixed(1).padStart(5)} %  ${share.name}`),
    ].join('\n');
  return [
    `  ${summary.samples} samples, ${summary.busyPercent} % busy (not idle); shares are of all samples`,
    table('self time, by function', summary.self),
    table('inclusive time, by function', summary.inclusive),
    table('self time, by package', summary.packages),
  ].join('\n\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, rows] = process.argv.slice(2);
  if (!file) throw new Error('usage: node bench/cpu-profile.ts <file.cpuprofile> [rows]');
  console.log(formatSummary(summariseProfile(await readProfile(file), Number(rows ?? 15))));
}
