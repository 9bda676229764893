import { z } from 'zod';
import { parseDuration } from '../config/index.ts';
import { FleetbotError } from '../domain/errors.ts';
import { pickPodForLogs } from '../domain/pods.ts';
import { defineAction } from './action.ts';
import { resolveService } from './services.ts';

/** Lines kept at most; `--tail` above this is refused rather than silently cut. */
export const MAX_TAIL = 5_000;
/** Bytes read from the API at most, whatever the line count (a single line can be huge). */
export const MAX_LOG_BYTES = 2 * 1024 * 1024;
const DEFAULT_TAIL = 100;

const params = z
  .object({
    service: z.string(),
    tail: z
      .number()
      .int()
      .min(1)
      .max(MAX_TAIL, { message: `--tail is at most ${MAX_TAIL} lines` })
      .default(DEFAULT_TAIL),
    grep: z.string().min(1).max(200).optional(),
    previous: z.boolean().default(false),
    since: z
      .string()
      .refine((text) => safeDuration(text) !== undefined, { message: 'expected --since like 15m, 2h or 30s' })
      .optional(),
    pod: z.string().optional(),
    /** Every pod's tail, merged in time order, each line prefixed by its pod (kubectl `--prefix`). */
    allPods: z.boolean().default(false),
    /** Send the lines to the requester only (a direct message): logs may hold what a channel should not see. */
    private: z.boolean().default(false),
  })
  .refine((input) => !(input.pod && input.allPods), { message: 'give --pod NAME or --all-pods, not both' });

/** The runbook's "View Logs": `kubectl logs --tail`, `| grep -i error`, `--previous`. */
export const logs = defineAction({
  name: 'logs',
  group: 'Logs',
  summary: 'Recent log lines of a service (one pod, as kubectl picks it, or --all-pods), optionally filtered',
  usage:
    '<service> [--tail N] [--grep TEXT] [--previous] [--since 15m] [--pod NAME | --all-pods] [--private]',
  example: 'logs api --tail 200 --grep error',
  syntax: {
    positionals: ['service'],
    flags: {
      tail: 'number',
      grep: 'string',
      previous: 'boolean',
      since: 'string',
      pod: 'string',
      'all-pods': 'boolean',
      private: 'boolean',
    },
  },
  privateResult: (input) => input.private,
  params,
  retryable: true,
  timeoutMs: 30_000,
  classify: () => ({ permission: 'read', destructive: false }),
  async run({ cluster, config, clock }, input, signal) {
    const { service, ref } = resolveService(config, input.service);
    const pods = await cluster.listPods(ref, signal);
    const chosen = input.allPods
      ? pods
      : [input.pod ? pods.find((p) => p.metadata?.name === input.pod) : pickPodForLogs(pods)];
    const names = chosen.flatMap((pod) => (pod?.metadata?.name ? [pod.metadata.name] : []));
    if (names.length === 0) {
      throw new FleetbotError(
        'not_found',
        input.pod ? `Pod ${input.pod} does not belong to ${ref.name}.` : `${ref.name} has no pods.`,
        { hint: `Pods of ${ref.name}: ${pods.map((p) => p.metadata?.name).join(', ') || 'none'}.` },
      );
    }
    const read = (pod: string) =>
      cluster.podLogs(
        pod,
        {
          container: service.container,
          tailLines: input.tail,
          previous: input.previous,
          limitBytes: MAX_LOG_BYTES,
          timestamps: input.allPods,
          ...(input.since ? { sinceSeconds: Math.ceil((safeDuration(input.since) ?? 0) / 1000) } : {}),
        },
        signal,
      );
    const raws = await Promise.all(names.map(read));
    const all = input.allPods ? mergeByTime(names, raws, service.container) : linesOf(raws[0] ?? '');
    const podName = input.allPods ? `${names.length} pods of ${ref.name}` : (names[0] ?? '');
    const byteCapped = raws.some((raw) => Buffer.byteLength(raw) >= MAX_LOG_BYTES);
    // Literal, case-insensitive: what `grep -i` does for plain words, with no regular expression to blow up.
    const needle = input.grep?.toLowerCase();
    const lines = needle ? all.filter((line) => line.toLowerCase().includes(needle)) : all;
    const what = `${podName}${input.previous ? ' (previous container)' : ''}`;
    const notes = [
      byteCapped ? `output capped at ${MAX_LOG_BYTES / 1024 / 1024} MiB; narrow with --since or --tail` : '',
      all.length >= input.tail ? `last ${input.tail} lines; raise --tail (max ${MAX_TAIL}) for more` : '',
    ].filter(Boolean);
    return {
      status: 'ok',
      summary: needle
        ? `${what}: ${lines.length} of ${all.length} lines contain "${input.grep}"`
        : `${what}: ${lines.length} lines`,
      sections: notes.length > 0 ? [{ text: notes.join(' · ') }] : [],
      attachment: {
        filename: `logs-${ref.name}-${timestamp(clock.now())}.txt`,
        content: lines.join('\n'),
        lines: lines.length,
        ...(notes.length > 0 ? { note: notes.join(' · ') } : {}),
      },
      data: {
        pod: podName,
        ...(input.allPods ? { pods: names } : {}),
        container: service.container,
        lines: lines.length,
        scanned: all.length,
        truncated: notes.length > 0,
      },
    };
  },
});

function linesOf(raw: string): string[] {
  const lines = raw.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/**
 * Lines of several pods (each read with `--timestamps`) in the order they were written, each as
 * kubectl's `--prefix` shows it: `[pod/NAME/CONTAINER] line`. The sort is stable, so a pod's lines
 * with the same time keep their order.
 */
function mergeByTime(pods: readonly string[], raws: readonly string[], container: string): string[] {
  const stamped = raws.flatMap((raw, index) =>
    linesOf(raw).map((line) => {
      const space = line.indexOf(' ');
      const time = Date.parse(line.slice(0, space));
      return Number.isNaN(time)
        ? { time: 0, text: `[pod/${pods[index]}/${container}] ${line}` }
        : { time, text: `[pod/${pods[index]}/${container}] ${line.slice(space + 1)}` };
    }),
  );
  return stamped.sort((a, b) => a.time - b.time).map((line) => line.text);
}

function safeDuration(text: string): number | undefined {
  try {
    return parseDuration(text);
  } catch {
    return undefined;
  }
}

/** `20261130-0904`: when the logs were read, for the file name. */
function timestamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').slice(0, 13).replace('T', '-');
}
