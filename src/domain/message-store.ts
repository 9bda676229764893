import type { MessageContent, OutboundMessage } from './notifier.ts';
import type { Requester } from './requester.ts';

export type MessageStatus = 'pending' | 'delivered' | 'failed';

/** A recorded message as the delivery path sees it: what to send (latest content) and how far it got. */
export interface StoredMessage {
  id: string;
  message: OutboundMessage;
  version: number;
  /** Versions up to this one are in Slack; 0 = never sent. */
  deliveredVersion: number;
  status: MessageStatus;
  /** Slack's id of the posted message, once posted: edits and thread replies need it. */
  ts: string | undefined;
  /** The channel Slack posted into (a user id becomes a DM channel id). */
  postedChannel: string | undefined;
  requester: Requester | undefined;
  attempts: number;
  /** When delivery will be tried next (after a failure, or when it was deferred). */
  nextAttemptAt: Date;
  lastSentAt: Date | undefined;
  minUpdateIntervalMs: number;
  createdAt: Date;
}

export type Claim = { claimed: true; message: StoredMessage } | { claimed: false; busyUntil: Date };

/**
 * Recorded messages and their delivery state. Every change of state after `claim` names the lease
 * owner, so a worker whose lease ran out (and was taken over) cannot overwrite what the next one did.
 */
export interface MessageStore {
  /**
   * Records messages once per key, in one statement, in the order given (a thread's order is the
   * order recorded); a key recorded before returns the first one's id and version, not created.
   */
  recordAll(
    messages: readonly OutboundMessage[],
    requester: Requester | undefined,
    now: Date,
  ): Promise<{ id: string; version: number; created: boolean }[]>;
  /**
   * New content for a recorded message (version + 1; the same content again changes nothing); when
   * it may be sent next, and whether anything of it still waits to be delivered (`pending`);
   * undefined for an unknown key.
   */
  revise(
    key: string,
    content: MessageContent,
    now: Date,
  ): Promise<{ id: string; version: number; notBefore: Date; pending: boolean } | undefined>;
  /** Takes the message for `leaseMs` unless another owner holds it; undefined for an unknown id. */
  claim(id: string, owner: string, now: Date, leaseMs: number): Promise<Claim | undefined>;
  byKey(key: string): Promise<StoredMessage | undefined>;
  /** Whether a message recorded earlier in the same thread has not been sent yet (thread order). */
  hasEarlierUnsent(message: StoredMessage): Promise<boolean>;
  /**
   * For each thread key, its earliest message not sent yet (the next one its thread lets go), with
   * its failed attempts so far.
   */
  nextInThreads(threadKeys: readonly string[]): Promise<{ id: string; version: number; attempts: number }[]>;
  delivered(
    id: string,
    owner: string,
    sent: { version: number; ts?: string; channel?: string; now: Date },
  ): Promise<void>;
  /** Lets go without an attempt: look again at `at` (waiting for a thread, paced, another holder). */
  defer(id: string, owner: string, at: Date): Promise<void>;
  /** A failed attempt to repeat at `at`; returns the number of failed attempts so far. */
  retryLater(id: string, owner: string, failure: { at: Date; error: string }): Promise<number>;
  failed(id: string, owner: string, failure: { error: string; now: Date }): Promise<void>;
  /** Pending messages nobody looked at since `before`: their delivery job was lost. */
  overdue(before: Date, limit: number): Promise<{ id: string; version: number; attempts: number }[]>;
  backlog(now: Date): Promise<{ pending: number; oldestAgeSeconds: number }>;
  /** Drops finished messages recorded before `before`; returns how many. */
  prune(before: Date): Promise<number>;
}
