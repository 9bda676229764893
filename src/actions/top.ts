import { z } from 'zod';
import { defineAction } from './action.ts';

/** `kubectl top pods|nodes`, built from the raw metrics (client-node's top helpers report requests, not usage). */
export const top = defineAction({
  name: 'top',
  group: 'Health & status',
  summary: 'CPU and memory in use by pods (default) or nodes',
  usage: '[pods|nodes]',
  example: 'top nodes',
  syntax: { positionals: ['kind?'] },
  params: z.object({
    kind: z.enum(['pods', 'nodes'], { message: 'expected pods or nodes' }).default('pods'),
  }),
  retryable: true,
  timeoutMs: 20_000,
  classify: () => ({ permission: 'read', destructive: false }),
  async run({ cluster }, input, signal) {
    if (input.kind === 'nodes') {
      const nodes = await cluster.nodeMetrics(signal);
      return {
        status: 'ok',
        summary: `${nodes.length} node(s)`,
        sections: [
          {
            table: {
              headers: ['NAME', 'CPU(cores)', 'CPU%', 'MEMORY(bytes)', 'MEMORY%'],
              rows: nodes.map((n) => [
                n.node,
                `${n.cpuMillicores}m`,
                percent(n.cpuMillicores, n.allocatableCpuMillicores),
                mebibytes(n.memoryBytes),
                percent(n.memoryBytes, n.allocatableMemoryBytes),
              ]),
            },
          },
        ],
        data: { nodes },
      };
    }
    const pods = (await cluster.podMetrics(signal)).sort((a, b) => b.cpuMillicores - a.cpuMillicores);
    return {
      status: 'ok',
      summary: `${pods.length} pod(s) · ${pods.reduce((sum, p) => sum + p.cpuMillicores, 0)}m CPU · ${mebibytes(pods.reduce((sum, p) => sum + p.memoryBytes, 0))} memory`,
      sections: [
        {
          table: {
            headers: ['NAME', 'CPU(cores)', 'MEMORY(bytes)'],
            rows: pods.map((p) => [p.pod, `${p.cpuMillicores}m`, mebibytes(p.memoryBytes)]),
          },
        },
      ],
      data: { pods },
    };
  },
});

function mebibytes(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)}Mi`;
}

function percent(used: number, total: number | undefined): string {
  return total ? `${Math.round((used / total) * 100)}%` : '-';
}
