/** A duration in milliseconds as people read latency: `48 ms`, `2.31 s`; `—` when unknown. */
export function formatMilliseconds(value: number | undefined): string {
  if (value === undefined) return '—';
  return value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(2)} s`;
}
