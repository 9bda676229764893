/** Small measuring helpers shared by the benches. */
import { readFileSync } from 'node:fs';

/** The value at quantile `q` (0.5, 0.99) of `values`, nearest rank; NaN for none. */
export function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

/** VmRSS of one process, in MB (10^6 bytes, as `ps` and the issue count them). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]);
  return (kb * 1024) / 1e6;
}

/** Where the memory is, as the process reports it on /metrics: V8's heap used / total, external. */
export async function heapFigures(port: number): Promise<string> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const mb = (name: string) => {
    const value = Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    return `${(value / 1e6).toFixed(0)}`;
  };
  return `heap ${mb('nodejs_heap_size_used_bytes')}/${mb('nodejs_heap_size_total_bytes')} MB, external ${mb('nodejs_external_memory_bytes')} MB`;
}
