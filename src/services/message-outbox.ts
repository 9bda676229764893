import type { Clock } from '../domain/clock.ts';
import { FleetbotError } from '../domain/errors.ts';
import { type Jobs, jobId } from '../domain/jobs.ts';
import type { MessageStore } from '../domain/message-store.ts';
import type { MessageContent, Notifier, OutboundMessage } from '../domain/notifier.ts';
import type { Requester } from '../domain/requester.ts';

/** Counts of the delivery path, for /metrics. */
export interface DeliveryMetrics {
  queued(): void;
  delivered(): void;
  retried(): void;
  failed(): void;
}

export interface MessageOutboxOptions {
  store: MessageStore;
  jobs: Jobs;
  clock: Clock;
  metrics: DeliveryMetrics;
}

/**
 * The Notifier every part of fleetbot talks to Slack through: messages are recorded (one insert for
 * all of a send), then their delivery jobs are queued (one bulk add, after the commit, under ids
 * derived from each message and its version, so a repeated send or a retried job queues each once). A crash between the two is repaired by the
 * delivery sweep, which requeues recorded messages nobody is delivering.
 */
export class MessageOutbox implements Notifier {
  private readonly options: MessageOutboxOptions;

  constructor(options: MessageOutboxOptions) {
    this.options = options;
  }

  async send(message: OutboundMessage, options: { requester?: Requester } = {}): Promise<void> {
    await this.sendAll([message], options);
  }

  async sendAll(
    messages: readonly OutboundMessage[],
    options: { requester?: Requester } = {},
  ): Promise<void> {
    if (messages.length === 0) return;
    const { store, jobs, clock, metrics } = this.options;
    const recorded = await store.recordAll(messages, options.requester, clock.now());
    for (const { created } of recorded) if (created) metrics.queued();
    await jobs.enqueueAll(
      recorded.map(({ id, version }) => ({
        name: 'message.deliver',
        data: { id, version },
        options: { jobId: deliveryJobId(id, version) },
      })),
    );
  }

  async update(key: string, content: MessageContent): Promise<void> {
    const { store, jobs, clock } = this.options;
    const now = clock.now();
    const revised = await store.revise(key, content, now);
    if (!revised) {
      throw new FleetbotError('slack', `No message "${key}" was sent, so it cannot be updated.`);
    }
    // Unchanged and already in Slack (or refused for good): there is nothing to deliver.
    if (!revised.pending) return;
    await jobs.enqueue(
      'message.deliver',
      { id: revised.id, version: revised.version },
      {
        jobId: deliveryJobId(revised.id, revised.version),
        delayMs: Math.max(0, revised.notBefore.getTime() - now.getTime()),
      },
    );
  }
}

/** One delivery job per message version; `suffix` tells a requeued one from the first. */
export function deliveryJobId(id: string, version: number, suffix?: string): string {
  return suffix ? jobId('deliver', id, version, suffix) : jobId('deliver', id, version);
}
