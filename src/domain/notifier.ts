import type { Requester } from './requester.ts';

/** A Slack message's content: `text` (notification and fallback) and Block Kit `blocks`, opaque here. */
export interface MessageContent {
  text: string;
  blocks?: readonly unknown[];
}

/** Where a threaded message hangs: under another message of ours (by key), or under any message by its ts. */
export type ThreadRef = { key: string } | { ts: string };

/**
 * One thing to say in Slack. `key` is the message's identity: sending the same key twice records and
 * delivers it once (a retried job, a Slack retry, a double click), and `update(key, …)` edits it in place.
 */
export type OutboundMessage =
  | {
      kind: 'post';
      key: string;
      /** A channel id, or a user id for a direct message. */
      channel: string;
      content: MessageContent;
      thread?: ThreadRef;
      /** Edits of this message are sent at most this often; the latest content wins. @defaultValue 1000 */
      minUpdateIntervalMs?: number;
      /** Pin it in its channel once posted (an incident channel's summary). */
      pin?: boolean;
    }
  | { kind: 'ephemeral'; key: string; channel: string; user: string; content: MessageContent }
  | {
      kind: 'respond';
      key: string;
      responseUrl: string;
      content: MessageContent;
      /** Replace the message the interaction came from (a confirmation's buttons), or add a new one. */
      replaceOriginal: boolean;
      visibility: 'ephemeral' | 'in_channel';
    }
  | {
      kind: 'upload';
      key: string;
      channel: string;
      thread?: ThreadRef;
      /** `content` is text, or base64 of binary bytes (a PNG chart) with `encoding: 'base64'`. */
      file: { filename: string; title: string; content: string; encoding?: 'base64' };
    };

export type MessageKind = OutboundMessage['kind'];

/**
 * The delivery path: every message fleetbot sends goes through it. A message is recorded first and
 * delivered by its own queued job with retries, so a Slack outage delays messages and loses none.
 * Both methods return once the message is recorded, never waiting for Slack.
 */
export interface Notifier {
  /**
   * Records `message` (once per key) and queues its delivery. With a `requester`, a message Slack
   * refuses for good (channel not found, not in channel, …) is followed by a private note to them
   * saying what to fix.
   */
  send(message: OutboundMessage, options?: { requester?: Requester }): Promise<void>;
  /**
   * `send` for several messages at once: recorded together and their deliveries queued together,
   * in one round trip each rather than two per message. Messages of one thread go out in the order given.
   */
  sendAll(messages: readonly OutboundMessage[], options?: { requester?: Requester }): Promise<void>;
  /** New content for a `post` sent earlier under `key`: delivered as an edit in place, coalesced. */
  update(key: string, content: MessageContent): Promise<void>;
}
