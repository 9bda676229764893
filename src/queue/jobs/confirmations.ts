import type { JobPayload } from '../../domain/jobs.ts';
import type { Confirmations } from '../../services/confirmations.ts';

export function handleConfirmPreview(confirmations: Confirmations) {
  return (data: JobPayload<'confirm.preview'>) => confirmations.preview(data.runId);
}

export function handleConfirmExpire(confirmations: Confirmations) {
  return (data: JobPayload<'confirm.expire'>) => confirmations.expire(data.runId);
}
