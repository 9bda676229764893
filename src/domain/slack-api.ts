import { FleetbotError, type FleetbotErrorOptions } from './errors.ts';
import type { MessageContent } from './notifier.ts';

/**
 * The Slack Web API calls the delivery path makes, one attempt each (no retries inside: the
 * delivery path decides when to try again). Failures are SlackCallErrors.
 */
export interface SlackApi {
  postMessage(args: { channel: string; content: MessageContent; threadTs?: string }): Promise<{
    ts: string;
    channel: string;
  }>;
  updateMessage(args: { channel: string; ts: string; content: MessageContent }): Promise<void>;
  postEphemeral(args: { channel: string; user: string; content: MessageContent }): Promise<void>;
  respond(args: {
    responseUrl: string;
    content: MessageContent;
    replaceOriginal: boolean;
    visibility: 'ephemeral' | 'in_channel';
  }): Promise<void>;
  /** pins.add of a message fleetbot posted. */
  pin(args: { channel: string; ts: string }): Promise<void>;
  /** files.uploadV2; `content` is text, or base64 of binary bytes with `encoding: 'base64'`. */
  uploadFile(args: {
    channel: string;
    threadTs?: string;
    filename: string;
    title: string;
    content: string;
    encoding?: 'base64';
  }): Promise<void>;
}

/** views.publish: a user's Home tab. Failures are SlackCallErrors. */
export interface SlackHome {
  publishHome(userId: string, view: { type: 'home'; blocks: unknown[] }): Promise<void>;
}

/** The Slack calls that make an incident's own channel. Failures are SlackCallErrors. */
export interface SlackChannels {
  /** conversations.create of a public channel; reason `name_taken` when the name is in use. */
  createChannel(name: string): Promise<{ id: string }>;
  /** conversations.invite; people already in it, unknown or deactivated are left out, not a failure. Returns who was added. */
  invite(channel: string, users: readonly string[]): Promise<string[]>;
  /** usergroups.users.update: the group's members become exactly `users`. */
  setGroupMembers(group: string, users: readonly string[]): Promise<void>;
}

/**
 * A Slack call that failed, classified: `retryable` failures (5xx, timeouts, rate limits, Slack's own
 * `internal_error`…) are tried again, after `retryAfterMs` when Slack said how long to wait; the
 * others (`channel_not_found`, `invalid_blocks`…) never succeed by repeating them.
 */
export class SlackCallError extends FleetbotError {
  override name = 'SlackCallError';
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  /** Slack's error string (`not_in_channel`), or `http_503`, `timeout`, `network`. */
  readonly reason: string;

  constructor(
    message: string,
    details: { reason: string; retryable: boolean; retryAfterMs?: number } & FleetbotErrorOptions,
  ) {
    super('slack', message, details);
    this.reason = details.reason;
    this.retryable = details.retryable;
    this.retryAfterMs = details.retryAfterMs;
  }
}
