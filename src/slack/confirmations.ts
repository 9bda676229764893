import { z } from 'zod';
import type { ActionRunRow } from '../db/action-run-store.ts';
import { describeError } from '../domain/errors.ts';
import { ACTION_JOB, runReply } from '../queue/action-job.ts';
import { defineJob, jobId } from '../queue/job-definition.ts';
import type { JobQueue } from '../queue/job-queue.ts';
import type { ActionRunner, Invocation, PreparedAction } from '../services/action-runner.ts';
import type { Authorizer } from '../services/authorizer.ts';
import type { RunReply } from '../services/run-reporter.ts';
import type { Notifier } from './notifier.ts';
import {
  renderConfirmation,
  renderConfirmationClosed,
  renderError,
  type SlackMessage,
} from './render/index.ts';

/** A confirmation lapses after this long; pressing the button later does nothing but say so. */
export const CONFIRMATION_TTL_MS = 5 * 60_000;
export const CONFIRM_JOB = 'slack.confirm';
export const EXPIRE_JOB = 'slack.confirm-expire';
export const CONFIRM_ACTION_ID = 'fleet.confirm';
export const CANCEL_ACTION_ID = 'fleet.cancel';

const confirmJobData = z.object({
  runId: z.uuid(),
  action: z.string(),
  params: z.record(z.string(), z.unknown()),
  requestedBy: z.string(),
  reply: runReply,
  expiresAt: z.string(),
});

/**
 * Records a destructive request as awaiting confirmation (with the parameters
 * it will run with) and queues the preview: reading the current state takes a
 * cluster call, which has no place on the acknowledgement path.
 */
export async function requestConfirmation(
  deps: { runner: ActionRunner; queue: JobQueue },
  prepared: PreparedAction,
  invocation: Omit<Invocation, 'signal' | 'onProgress'> & { reply: RunReply },
): Promise<string> {
  const { row } = await deps.runner.record(prepared, invocation, 'awaiting_confirmation');
  const expiresAt = new Date(Date.now() + CONFIRMATION_TTL_MS);
  await deps.runner.runs.awaitConfirmation(row.id, prepared.params, expiresAt);
  await deps.queue.enqueue(
    CONFIRM_JOB,
    {
      runId: row.id,
      action: prepared.action.name,
      params: prepared.params as Record<string, unknown>,
      requestedBy: invocation.requestedBy,
      reply: invocation.reply,
      expiresAt: expiresAt.toISOString(),
    },
    { jobId: jobId('confirm', invocation.requestId) },
  );
  // The timer lives in the queue, not in memory: it fires after a restart too.
  await deps.queue.enqueue(
    EXPIRE_JOB,
    { runId: row.id, reply: invocation.reply },
    { jobId: jobId('expire', row.id), delayMs: CONFIRMATION_TTL_MS + 1_000 },
  );
  return row.id;
}

/**
 * A confirmation nobody answered: the run is cancelled, its pending parameters
 * dropped, and the buttons replaced so they cannot be pressed later.
 */
export function expireJob(deps: { runner: ActionRunner; notifier: Notifier }) {
  return defineJob({
    name: EXPIRE_JOB,
    queue: 'actions',
    data: z.object({ runId: z.uuid(), reply: runReply }),
    retry: { attempts: 3, backoffMs: 1_000 },
    async handle(data) {
      if (!(await deps.runner.runs.expire(data.runId))) return;
      const run = await deps.runner.runs.get(data.runId);
      if (!data.reply.responseUrl || !run) return;
      const message = renderConfirmationClosed({
        preview: { question: `/fleet ${run.action}`, details: [], warnings: [], verb: '' },
        outcome: 'expired',
        at: new Date(),
      });
      await deps.notifier.respond(data.reply.responseUrl, { ...message, replace_original: true });
    },
  });
}

/** Reads the current state and shows the requester what Confirm will do, with the buttons. */
export function confirmJob(deps: { runner: ActionRunner; notifier: Notifier; twoPerson: readonly string[] }) {
  return defineJob({
    name: CONFIRM_JOB,
    queue: 'actions',
    data: confirmJobData,
    retry: { attempts: 3, backoffMs: 1_000 },
    async handle(data) {
      const prepared = deps.runner.prepare(data.action, data.params);
      let message: SlackMessage;
      try {
        const preview = await prepared.action.preview?.(
          deps.runner.previewContext(),
          prepared.params,
          AbortSignal.timeout(15_000),
        );
        if (!preview) throw new Error(`${data.action} has no preview`);
        message = renderConfirmation({
          preview,
          requestedBy: data.requestedBy,
          expiresAt: new Date(data.expiresAt),
          confirm: { actionId: CONFIRM_ACTION_ID, value: data.runId },
          cancel: { actionId: CANCEL_ACTION_ID, value: data.runId },
          ...(deps.twoPerson.includes(data.action)
            ? { secondPerson: { role: rolesGranting(deps.runner, prepared) } }
            : {}),
        });
      } catch (error) {
        await deps.runner.runs.cancel(data.runId, 'fleetbot (the current state could not be read)');
        message = renderError({ message: `Could not prepare \`${data.action}\`: ${describeError(error)}` });
      }
      await deliver(deps.notifier, data.reply, message, deps.twoPerson.includes(data.action));
    },
  });
}

/** `Team Lead or DevOps Lead`: the roles whose holders may confirm. */
function rolesGranting(runner: ActionRunner, prepared: PreparedAction): string {
  const { config } = runner.previewContext();
  const ids = config.permissions[prepared.classification.permission];
  return ids.includes('*') ? 'any' : ids.map((id) => config.roles[id]?.name ?? id).join(' or ');
}

/** Ephemeral to the requester; in the channel when a second person must see it to confirm. */
async function deliver(
  notifier: Notifier,
  reply: RunReply,
  message: SlackMessage,
  public_: boolean,
): Promise<void> {
  if (public_) await notifier.post(reply.channel, message);
  else if (reply.responseUrl)
    await notifier.respond(reply.responseUrl, { ...message, response_type: 'ephemeral' });
  else await notifier.postEphemeral(reply.channel, reply.user, message);
}

export interface ButtonClick {
  runId: string;
  userId: string;
  channelId: string;
  responseUrl?: string;
}

export interface ClickDeps {
  runner: ActionRunner;
  queue: JobQueue;
  authorizer: Authorizer;
  notifier: Notifier;
  twoPerson: readonly string[];
}

/**
 * Confirm: only the requester (or, for two-person actions, another person
 * with the permission) may press it; the first press moves the run to queued
 * and enqueues it, any later one finds nothing to do. The buttons are then
 * replaced, so the message cannot be pressed twice.
 */
export async function handleConfirmClick(deps: ClickDeps, click: ButtonClick): Promise<void> {
  const run = await deps.runner.runs.get(click.runId);
  if (!run) return tell(deps, click, 'That request no longer exists.');
  const twoPerson = deps.twoPerson.includes(run.action);
  if (twoPerson) {
    if (click.userId === run.requestedBy)
      return tell(deps, click, 'A second person must confirm this; you asked for it.');
  } else if (click.userId !== run.requestedBy) {
    return tell(deps, click, `Only <@${run.requestedBy}>, who asked for it, can confirm this.`);
  }
  const decision = await deps.authorizer.check(click.userId, classificationOf(deps, run));
  if (!decision.allowed) return tell(deps, click, `Confirming needs ${decision.granting.join(' or ')}.`);
  const outcome = await deps.runner.runs.confirm(click.runId, click.userId);
  if (!outcome.confirmed) {
    if (outcome.reason === 'expired') {
      return closeWith(deps, click, run, 'expired');
    }
    const state =
      outcome.reason === 'unknown' ? 'gone' : outcome.row.status === 'cancelled' ? 'cancelled' : 'confirmed';
    return tell(deps, click, `Already ${state}; nothing more to do.`);
  }
  await deps.queue.enqueue(
    ACTION_JOB,
    {
      runId: run.id,
      requestId: run.requestId,
      action: run.action,
      params: outcome.params as Record<string, unknown>,
      args: argsOf(outcome.params),
      requestedBy: run.requestedBy,
      origin: 'slack',
      confirmedBy: click.userId,
      reply: {
        channel: click.channelId,
        user: run.requestedBy,
        ...(click.responseUrl ? { responseUrl: click.responseUrl } : {}),
      },
    },
    { jobId: jobId('action', run.requestId) },
  );
  await closeWith(deps, click, run, 'confirmed');
}

export async function handleCancelClick(deps: ClickDeps, click: ButtonClick): Promise<void> {
  const run = await deps.runner.runs.get(click.runId);
  if (!run) return;
  if (click.userId !== run.requestedBy && !deps.twoPerson.includes(run.action)) {
    return tell(deps, click, `Only <@${run.requestedBy}>, who asked for it, can cancel this.`);
  }
  if (await deps.runner.runs.cancel(click.runId, click.userId))
    await closeWith(deps, click, run, 'cancelled');
}

/** `{ service: 'api', replicas: 3 }` → `api 3`: how the progress header names a confirmed run. */
function argsOf(params: unknown): string {
  return Object.values((params ?? {}) as Record<string, unknown>)
    .filter((value) => typeof value === 'string' || typeof value === 'number')
    .join(' ');
}

function classificationOf(deps: ClickDeps, run: ActionRunRow) {
  return deps.runner.prepare(run.action, (run.params ?? {}) as Record<string, unknown>).classification
    .permission;
}

async function closeWith(
  deps: ClickDeps,
  click: ButtonClick,
  run: ActionRunRow,
  outcome: 'confirmed' | 'cancelled' | 'expired',
) {
  if (!click.responseUrl) return;
  const message = renderConfirmationClosed({
    preview: { question: `/fleet ${run.action}`, details: [], warnings: [], verb: '' },
    outcome,
    ...(outcome === 'expired' ? {} : { by: click.userId }),
    at: new Date(),
  });
  await deps.notifier.respond(click.responseUrl, { ...message, replace_original: true });
}

async function tell(deps: ClickDeps, click: ButtonClick, text: string): Promise<void> {
  const message = renderError({ message: text });
  if (click.responseUrl)
    await deps.notifier.respond(click.responseUrl, {
      ...message,
      replace_original: false,
      response_type: 'ephemeral',
    });
  else await deps.notifier.postEphemeral(click.channelId, click.userId, message);
}
