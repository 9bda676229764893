import { z } from 'zod';
import { classificationSchema } from './permissions.ts';
import { requesterSchema } from './requester.ts';

/**
 * Queues group jobs by how urgently they must run; each gets its own workers. Reads and changes have queues of their own, so that a storm of `/fleet health` never holds up a
 * confirmation or a restart; Slack delivery has its own too.
 */
export type QueueName = 'reads' | 'changes' | 'incidents' | 'escalations' | 'notifications' | 'system';

/** An action as it was requested: parsed and validated once, then carried as is to the worker. */
export const preparedActionSchema = z.object({
  action: z.string(),
  params: z.record(z.string(), z.unknown()),
  classification: classificationSchema,
});
export type PreparedActionData = z.infer<typeof preparedActionSchema>;

/** What runs one requested action: the prepared action and who asked, from where. */
const actionRunData = z.object({
  /**
   * The action_runs row, when it was recorded before the job (confirmed runs).
   * Absent: the worker records it, keyed by requestId, so a redelivery finds it.
   */
  runId: z.uuid().optional(),
  requestId: z.string(),
  prepared: preparedActionSchema,
  /** The words typed after the verb, for messages. */
  args: z.string().default(''),
  requestedBy: z.string(),
  origin: z.enum(['slack', 'cli', 'alert', 'system']),
  confirmedBy: z.string().optional(),
  /** Where to show progress and the result (Slack); absent: nowhere. */
  requester: requesterSchema.optional(),
  /** The incident it was asked for from (its run is linked to it). */
  incidentId: z.number().int().positive().optional(),
});

/**
 * An action job whose attempt failed on the database or the queue, tried again for about half a
 * minute: safe because the run it names starts once at most (handleActionRun, ActionRunner).
 */
const ACTION_RETRY = { attempts: 6, backoffMs: 1_000 };

interface JobSpec {
  readonly queue: QueueName;
  /** Validated on enqueue and again when the job runs (data may outlive a deploy). */
  readonly data: z.ZodType;
  /**
   * Present only for jobs that are safe to run again after a failure. Absent: one attempt, never
   * retried blindly (a job may still reschedule itself, as message delivery does).
   */
  readonly retry?: { attempts: number; backoffMs: number };
}

/**
 * Every job fleetbot queues: name → queue, payload schema and retry policy. Enqueueing is checked
 * against this map, and a process that runs workers refuses to start unless each name has exactly
 * one handler (`src/queue/jobs/`).
 */
export const JOBS = {
  /** Runs one requested read and reports it where it was asked for. */
  'action.read': { queue: 'reads', data: actionRunData, retry: ACTION_RETRY },
  /** Runs one requested (and confirmed) change and reports it where it was asked for. */
  'action.change': { queue: 'changes', data: actionRunData, retry: ACTION_RETRY },
  /** Reads the current state and shows the requester what Confirm will do. */
  'confirm.preview': {
    queue: 'changes',
    data: z.object({ runId: z.uuid() }),
    retry: { attempts: 3, backoffMs: 1_000 },
  },
  /**
   * A confirmation nobody answered in time: cancelled, its buttons replaced. `awaitingValue`: an
   * approved secret change whose value was never entered.
   */
  'confirm.expire': {
    queue: 'changes',
    data: z.object({ runId: z.uuid(), awaitingValue: z.boolean().default(false) }),
    retry: { attempts: 3, backoffMs: 1_000 },
  },
  /** Queues again confirmed runs whose job was lost between the confirmation and its enqueue. */
  'action.sweep': {
    queue: 'changes',
    data: z.object({}),
    retry: { attempts: 2, backoffMs: 1_000 },
  },
  /** Applies every stored alert not applied yet to incidents, in batches, then updates their messages. */
  'alert.process': {
    queue: 'incidents',
    data: z.object({}),
    retry: { attempts: 5, backoffMs: 1_000 },
  },
  /** Applies alerts whose batch job was lost, and brings incident messages up to date after a crash. */
  'alert.sweep': {
    queue: 'incidents',
    data: z.object({}),
    retry: { attempts: 2, backoffMs: 1_000 },
  },
  /** Creates the incident's own channel, invites its responders, posts and pins the summary. */
  'incident.channel': {
    queue: 'incidents',
    data: z.object({ number: z.number().int().positive() }),
    retry: { attempts: 5, backoffMs: 2_000 },
  },
  /**
   * Cluster evidence for a new incident's service, added to its message (bounded in time). On the
   * reads queue: a storm's cluster reads never hold up the alert processing on the incidents queue.
   */
  'incident.evidence': {
    queue: 'reads',
    data: z.object({ number: z.number().int().positive() }),
    retry: { attempts: 2, backoffMs: 1_000 },
  },
  /** Posts the post-mortem draft of a resolved incident, and schedules the reminder. */
  'incident.postmortem': {
    queue: 'incidents',
    data: z.object({ number: z.number().int().positive() }),
    retry: { attempts: 5, backoffMs: 2_000 },
  },
  /** A post-mortem still not marked done after `alerts.postmortemReminder`: remind the commander. */
  'incident.postmortem-reminder': {
    queue: 'incidents',
    data: z.object({ number: z.number().int().positive() }),
    retry: { attempts: 3, backoffMs: 5_000 },
  },
  /** A drill ended: its report is built (once its last DMs are settled), kept and posted. */
  'drill.report': {
    queue: 'incidents',
    data: z.object({ number: z.number().int().positive() }),
    retry: { attempts: 5, backoffMs: 2_000 },
  },
  /**
   * An incident's escalation timer: the steps of run `runId` due at `dueAt` (a stale run drops
   * itself). Retried: a check delivers each step once, whatever the attempts.
   */
  'escalation.check': {
    queue: 'escalations',
    data: z.object({ number: z.number().int().positive(), runId: z.uuid(), dueAt: z.iso.datetime() }),
    retry: { attempts: 5, backoffMs: 1_000 },
  },
  /** A rotation's handoff: its user group set to whoever is now on call; the next one queued. */
  'oncall.handoff': {
    queue: 'escalations',
    data: z.object({ rotation: z.string() }),
    retry: { attempts: 5, backoffMs: 5_000 },
  },
  /** Queues again timers whose job was lost, and plans incidents that never were. */
  'escalation.sweep': {
    queue: 'escalations',
    data: z.object({}),
    retry: { attempts: 2, backoffMs: 1_000 },
  },
  /** Publishes one person's App Home (views.publish) from the state as it is when it runs. */
  'home.publish': {
    queue: 'notifications',
    data: z.object({ userId: z.string() }),
    retry: { attempts: 3, backoffMs: 2_000 },
  },
  /** Incidents changed: every App Home opened lately is published again (queued once per few seconds). */
  'home.refresh': {
    queue: 'notifications',
    data: z.object({}),
    retry: { attempts: 2, backoffMs: 1_000 },
  },
  /** Posts the maintenance notices due (before a window, at its start, at its end), each once. */
  'maintenance.notices': {
    queue: 'escalations',
    data: z.object({}),
    retry: { attempts: 2, backoffMs: 1_000 },
  },
  /** Delivers one recorded Slack message at (at least) `version`; reschedules itself while Slack fails. */
  'message.deliver': {
    queue: 'notifications',
    data: z.object({ id: z.string(), version: z.number().int().positive() }),
  },
  /** Finds recorded messages whose delivery job was lost (a crash between record and enqueue) and requeues them. */
  'message.sweep': {
    queue: 'notifications',
    data: z.object({}),
    retry: { attempts: 2, backoffMs: 1_000 },
  },
} as const satisfies Record<string, JobSpec>;

export type JobName = keyof typeof JOBS;
export type JobData<N extends JobName> = z.input<(typeof JOBS)[N]['data']>;
export type JobPayload<N extends JobName> = z.output<(typeof JOBS)[N]['data']>;
/** The payload of `action.read` and `action.change`. */
export type ActionRunPayload = z.output<typeof actionRunData>;
export type ActionRunData = z.input<typeof actionRunData>;

export interface EnqueueOptions {
  /**
   * Deterministic id (`jobId('action', requestId)`): a second enqueue with the same id while the
   * first is waiting, running or recently finished is a no-op.
   */
  jobId?: string;
  delayMs?: number;
  /** The data holds a secret: drop the job from the store as soon as it finishes, whatever the outcome. */
  sensitive?: boolean;
}

/** One job of `enqueueAll`: what `enqueue` takes, as one value. */
export type JobToQueue = {
  [N in JobName]: { name: N; data: JobData<N>; options?: EnqueueOptions };
}[JobName];

/** The port services enqueue through; the queue adapter implements it. */
export interface Jobs {
  enqueue<N extends JobName>(name: N, data: JobData<N>, options?: EnqueueOptions): Promise<string>;
  /**
   * Queues several jobs with one add per queue (a single round trip each, not one per job); the
   * ids in the order given. Each job's id de-duplicates as it does in `enqueue`.
   */
  enqueueAll(jobs: readonly JobToQueue[]): Promise<string[]>;
}

/**
 * A deterministic job id from its parts, e.g. `jobId('action', requestId)` → `action.Ev123`. BullMQ
 * forbids `:` in custom ids, so parts are joined with `.` and any `:` inside a part becomes `_`.
 */
export function jobId(...parts: readonly (string | number)[]): string {
  return parts.map((part) => String(part).replaceAll(':', '_')).join('.');
}
