import type { JobPayload } from '../../domain/jobs.ts';
import type { MessageDelivery } from '../../services/message-delivery.ts';
import type { JobContext } from '../job-definition.ts';

/** One delivery attempt; while Slack fails or the message must wait, the job puts itself back for later. */
export function handleMessageDeliver(delivery: MessageDelivery) {
  return async (data: JobPayload<'message.deliver'>, job: JobContext) => {
    const step = await delivery.deliver(data.id);
    if (!step.done) await job.retryAt(step.retryAt);
  };
}

export function handleMessageSweep(delivery: MessageDelivery) {
  return async (_data: JobPayload<'message.sweep'>) => ({ requeued: await delivery.sweep() });
}
