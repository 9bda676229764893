import { JOBS, type JobName, type JobPayload } from '../../domain/jobs.ts';
import type { JobContext, JobDefinition } from '../job-definition.ts';

export type JobHandler<N extends JobName> = (data: JobPayload<N>, context: JobContext) => Promise<unknown>;

/** One handler per job of the catalog (`src/domain/jobs.ts`): the compiler checks none is missing. */
export type JobHandlers = { readonly [N in JobName]: JobHandler<N> };

/**
 * The catalog joined with its handlers, as the queue runs them. Fails (so start-up fails) when a
 * job has no handler or a handler no job, whatever the configuration.
 */
// biome-ignore lint/suspicious/noExplicitAny: the definitions carry many payload types
export function jobDefinitions(handlers: JobHandlers): JobDefinition<any>[] {
  const names = Object.keys(JOBS) as JobName[];
  const missing = names.filter((name) => typeof handlers[name] !== 'function');
  const unknown = Object.keys(handlers).filter((name) => !(name in JOBS));
  if (missing.length > 0 || unknown.length > 0) {
    throw new Error(
      [
        missing.length > 0 ? `No handler for job(s) ${missing.join(', ')}.` : '',
        unknown.length > 0 ? `Handler(s) for unknown job(s) ${unknown.join(', ')}.` : '',
        'Every job in src/domain/jobs.ts needs exactly one handler in src/queue/jobs/.',
      ]
        .filter(Boolean)
        .join(' '),
    );
  }
  return names.map((name) => {
    const spec = JOBS[name];
    return {
      name,
      queue: spec.queue,
      data: spec.data,
      ...('retry' in spec ? { retry: spec.retry } : {}),
      handle: handlers[name] as JobHandler<JobName>,
    };
  });
}
