import { randomUUID } from 'node:crypto';
import type { Clock } from '../domain/clock.ts';
import { describeError } from '../domain/errors.ts';
import type { Jobs } from '../domain/jobs.ts';
import type { MessageStore, StoredMessage } from '../domain/message-store.ts';
import type { Notifier, OutboundMessage } from '../domain/notifier.ts';
import { type SlackApi, SlackCallError } from '../domain/slack-api.ts';
import type { Logger } from '../logging/logger.ts';
import { renderError } from '../slack/render/index.ts';
import { type DeliveryMetrics, deliveryJobId } from './message-outbox.ts';
import { noteToRequester } from './replies.ts';

export interface MessageDeliveryOptions {
  store: MessageStore;
  slack: SlackApi;
  /** For the note that tells a requester a message could not be posted. */
  notifier: Notifier;
  jobs: Jobs;
  clock: Clock;
  logger: Logger;
  metrics: DeliveryMetrics;
  /** How long one delivery may hold a message before another may take it over. @defaultValue 60 s */
  leaseMs?: number;
  /** Wait after the first failure; doubled each time up to `maxBackoffMs`. @defaultValue 1 s */
  backoffMs?: number;
  /** @defaultValue 10 s */
  maxBackoffMs?: number;
  /** A message Slack has not taken after this long is given up, and the requester told. @defaultValue 24 h */
  giveUpAfterMs?: number;
  /** The sweep requeues a pending message nobody has looked at for this long. @defaultValue 30 s */
  sweepGraceMs?: number;
  /** Delivered and failed messages are forgotten after this long. @defaultValue 7 days */
  keepMs?: number;
}

/** Done, or to be tried again at `retryAt` (the job reschedules itself). */
export type DeliveryStep = { done: true } | { done: false; retryAt: Date };

/** How often a delivery held up by another holder of the same message looks again. */
const POLL_MS = 250;
const NOTE_SUFFIX = '.undeliverable';
/** How long a thread reply waits for the message it replies to be recorded before it is given up. */
const PARENT_GRACE_MS = 60_000;
/**
 * A message waiting for its thread (its parent not posted yet, an earlier reply not sent) is woken
 * by the delivery it waits for; this is only the look it takes if that wake-up was lost (a worker
 * killed in between). Polling instead, a storm's waiting replies took every delivery slot from the
 * messages they waited for (two workers on PostgreSQL under load: nothing delivered for minutes).
 */
const THREAD_WAIT_MS = 10_000;

/** `channel`: a thread reply goes where its parent was posted (by id, even when the parent was sent to a #name). */
type Plan = { send: { threadTs?: string; channel?: string } } | { waitUntil: Date } | { fail: string };

/**
 * Delivers recorded messages to Slack, one attempt per call, and decides what a failure means:
 * Slack's Retry-After is waited out to the millisecond; 5xx answers, timeouts and Slack's own
 * `internal_error`-like errors back off and try again; refusals that repeating cannot fix
 * (`channel_not_found`, `not_in_channel`, `is_archived`, `invalid_blocks`, `msg_too_long`) fail at
 * once, and whoever asked is told what to fix.
 *
 * Guarantees: a message is posted once, edits land in order with the latest content winning (at
 * most one edit per message per `minUpdateIntervalMs`), and replies in a thread keep the order they
 * were recorded in. The one exception: a worker killed after Slack accepted a message but before
 * that was recorded sends it again on the next attempt.
 */
export class MessageDelivery {
  private readonly options: MessageDeliveryOptions;
  /** channel → when Slack's last Retry-After for it ends: the channel's other messages wait too. */
  private readonly channelHolds = new Map<string, number>();

  constructor(options: MessageDeliveryOptions) {
    this.options = options;
  }

  async deliver(id: string): Promise<DeliveryStep> {
    const { store, clock } = this.options;
    const owner = randomUUID();
    const now = clock.now();
    const claim = await store.claim(id, owner, now, this.options.leaseMs ?? 60_000);
    if (!claim) return { done: true };
    if (!claim.claimed) {
      // Another delivery holds it: look again soon, not only when its lease would run out.
      return { done: false, retryAt: new Date(Math.min(claim.busyUntil.getTime(), now.getTime() + POLL_MS)) };
    }
    const stored = claim.message;
    if (stored.status === 'failed' || stored.deliveredVersion >= stored.version) {
      await store.defer(id, owner, now);
      return { done: true };
    }
    const plan = await this.plan(stored, now);
    if ('waitUntil' in plan) {
      await store.defer(id, owner, plan.waitUntil);
      return { done: false, retryAt: plan.waitUntil };
    }
    // The thread's first message failed, and its requester has been told about that one already.
    if ('fail' in plan) return this.giveUp(stored, owner, { why: plan.fail, tell: false });
    try {
      const sent: { ts?: string; channel?: string } = await this.send(stored, plan.send);
      await store.delivered(id, owner, { version: stored.version, ...sent, now: clock.now() });
      if (stored.message.kind === 'post' && stored.message.pin && sent.ts && sent.channel) {
        await this.pin({ channel: sent.channel, ts: sent.ts });
      }
      if (stored.deliveredVersion === 0) await this.wakeThreads(stored);
      this.options.metrics.delivered();
      return { done: true };
    } catch (error) {
      return this.failedAttempt(stored, owner, error);
    }
  }

  /**
   * Requeues pending messages whose delivery job was lost (a crash between recording and queueing,
   * a job dropped by its queue) and forgets old finished ones. Returns how many were requeued.
   */
  async sweep(): Promise<number> {
    const { store, jobs, clock } = this.options;
    const now = clock.now();
    const overdue = await store.overdue(new Date(now.getTime() - (this.options.sweepGraceMs ?? 30_000)), 500);
    // One requeue per message per minute at most, whatever the number of sweeps.
    const minute = Math.floor(now.getTime() / 60_000);
    for (const message of overdue) {
      await jobs.enqueue(
        'message.deliver',
        { id: message.id, version: message.version },
        { jobId: deliveryJobId(message.id, message.version, `sweep${minute}`) },
      );
    }
    if (overdue.length > 0)
      this.options.logger.warn({ count: overdue.length }, 'requeued undelivered Slack messages');
    await store.prune(new Date(now.getTime() - (this.options.keepMs ?? 7 * 24 * 3600_000)));
    return overdue.length;
  }

  /** What stands between this message and Slack: its thread's earlier messages, pacing, a Retry-After. */
  private async plan(stored: StoredMessage, now: Date): Promise<Plan> {
    const { message } = stored;
    const parked = { waitUntil: new Date(now.getTime() + THREAD_WAIT_MS) };
    const channel = channelOf(message);
    const hold = channel ? this.channelHolds.get(channel) : undefined;
    if (hold !== undefined && hold > now.getTime()) return { waitUntil: new Date(hold) };
    if (message.kind === 'post' && stored.ts) {
      const next = (stored.lastSentAt?.getTime() ?? 0) + stored.minUpdateIntervalMs;
      return next > now.getTime() ? { waitUntil: new Date(next) } : { send: {} };
    }
    if (message.kind !== 'post' && message.kind !== 'upload') return { send: {} };
    if (!message.thread) return { send: {} };
    if ('ts' in message.thread) return { send: { threadTs: message.thread.ts } };
    const parent = await this.options.store.byKey(message.thread.key);
    if (!parent) {
      // Recorded in a moment, as a rule: an incident's first page is planned before its message is.
      if (now.getTime() - stored.createdAt.getTime() < PARENT_GRACE_MS) return parked;
      return { fail: `the message it replies to (${message.thread.key}) was never recorded` };
    }
    if (parent.status === 'failed') return { fail: 'the message it replies to could not be posted' };
    if (!parent.ts) return parked;
    if (await this.options.store.hasEarlierUnsent(stored)) return parked;
    return {
      send: { threadTs: parent.ts, ...(parent.postedChannel ? { channel: parent.postedChannel } : {}) },
    };
  }

  /**
   * Lets the next message go in the threads this one held up: its own replies (it was their parent)
   * and, when it is a reply, the one after it. One failing and backing off keeps its own time.
   */
  private async wakeThreads(stored: StoredMessage): Promise<void> {
    const { message } = stored;
    const keys = [message.key];
    if ((message.kind === 'post' || message.kind === 'upload') && message.thread && 'key' in message.thread)
      keys.push(message.thread.key);
    for (const next of await this.options.store.nextInThreads(keys)) {
      if (next.attempts > 0) continue;
      await this.options.jobs.enqueue(
        'message.deliver',
        { id: next.id, version: next.version },
        { jobId: deliveryJobId(next.id, next.version, `after${stored.id}`) },
      );
    }
  }

  /** Pins a message just posted; a failure is logged, never a reason to post it again. */
  private async pin(posted: { channel: string; ts: string }): Promise<void> {
    await this.options.slack.pin(posted).catch((error: unknown) => {
      this.options.logger.warn(
        { err: error, channel: posted.channel },
        'a message was posted but could not be pinned',
      );
    });
  }

  private async send(stored: StoredMessage, to: { threadTs?: string; channel?: string }) {
    const { slack } = this.options;
    const { message } = stored;
    const { threadTs } = to;
    switch (message.kind) {
      case 'post':
        if (stored.ts) {
          await slack.updateMessage({
            channel: stored.postedChannel ?? message.channel,
            ts: stored.ts,
            content: message.content,
          });
          return {};
        }
        return slack.postMessage({
          channel: to.channel ?? message.channel,
          content: message.content,
          ...(threadTs ? { threadTs } : {}),
        });
      case 'ephemeral':
        await slack.postEphemeral({ channel: message.channel, user: message.user, content: message.content });
        return {};
      case 'respond':
        await slack.respond({
          responseUrl: message.responseUrl,
          content: message.content,
          replaceOriginal: message.replaceOriginal,
          visibility: message.visibility,
        });
        return {};
      case 'upload':
        await slack.uploadFile({
          channel: to.channel ?? message.channel,
          ...(threadTs ? { threadTs } : {}),
          ...message.file,
        });
        return {};
    }
  }

  private async failedAttempt(stored: StoredMessage, owner: string, error: unknown): Promise<DeliveryStep> {
    const { store, clock, logger } = this.options;
    const failure =
      error instanceof SlackCallError
        ? error
        : new SlackCallError(describeError(error), { reason: 'unexpected', retryable: true, cause: error });
    if (failure.reason === 'unexpected')
      logger.error({ err: error, key: stored.message.key }, 'Slack delivery failed unexpectedly');
    const now = clock.now();
    const age = now.getTime() - stored.createdAt.getTime();
    if (!failure.retryable || age >= (this.options.giveUpAfterMs ?? 24 * 3600_000)) {
      return this.giveUp(stored, owner, {
        why: describeError(failure),
        reason: failure.retryable ? `gave up after ${failure.reason}` : failure.reason,
        tell: true,
      });
    }
    const backoff = Math.min(
      (this.options.backoffMs ?? 1_000) * 2 ** stored.attempts,
      this.options.maxBackoffMs ?? 10_000,
    );
    // Jittered, so that messages held up together do not all come back in the same millisecond.
    const delay = failure.retryAfterMs ?? Math.round(backoff * (0.8 + Math.random() * 0.4));
    const channel = channelOf(stored.message);
    if (failure.retryAfterMs !== undefined && channel) this.channelHolds.set(channel, now.getTime() + delay);
    const retryAt = new Date(now.getTime() + delay);
    await store.retryLater(stored.id, owner, { at: retryAt, error: failure.reason });
    this.options.metrics.retried();
    logger.info(
      {
        key: stored.message.key,
        reason: failure.reason,
        error: failure.message,
        attempt: stored.attempts + 1,
        retryInMs: delay,
      },
      'Slack delivery will be retried',
    );
    return { done: false, retryAt };
  }

  private async giveUp(
    stored: StoredMessage,
    owner: string,
    failure: { why: string; reason?: string; tell: boolean },
  ): Promise<DeliveryStep> {
    const { store, clock, logger, notifier } = this.options;
    const { why } = failure;
    await store.failed(stored.id, owner, { error: failure.reason ?? why, now: clock.now() });
    this.options.metrics.failed();
    await this.wakeThreads(stored);
    const { message, requester } = stored;
    logger.warn(
      { key: message.key, kind: message.kind, reason: failure.reason ?? why },
      'Slack message not delivered',
    );
    if (!failure.tell || !requester || message.key.endsWith(NOTE_SUFFIX)) return { done: true };
    // The note goes another way than the message that failed: a failed response_url cannot carry it.
    const to = message.kind === 'respond' ? { channel: requester.channel, user: requester.user } : requester;
    const [first, ...rest] = why.split('\n');
    await notifier.send(
      noteToRequester(
        to,
        `${message.key}${NOTE_SUFFIX}`,
        renderError({
          message: `fleetbot could not deliver a message${where(message)}: ${first ?? why}`,
          ...(rest.length > 0 ? { hint: rest.join(' ') } : {}),
        }),
      ),
    );
    return { done: true };
  }
}

function channelOf(message: OutboundMessage): string | undefined {
  return message.kind === 'respond' ? undefined : message.channel;
}

function where(message: OutboundMessage): string {
  const channel = channelOf(message);
  return channel && /^[CG]/.test(channel) ? ` in <#${channel}>` : '';
}
