import type { JobPayload } from '../../domain/jobs.ts';
import type { Confirmations } from '../../services/confirmations.ts';

export function handleConfirmPreview(confirmations: Confirmations) {
  return (data: JobPayload<'confirm.preview'>) => confirmations.preview(data.runId);
}

export function handleConfirmExpire(confirmations: Confirmations) {
  return (data: JobPayload<'confirm.expire'>) =>
    data.awaitingValue ? confirmations.expireValue(data.runId) : confirmations.expire(data.runId);
}

export function handleActionSweep(confirmations: Confirmations) {
  return async (_data: JobPayload<'action.sweep'>) => ({ requeued: await confirmations.requeueStranded() });
}
