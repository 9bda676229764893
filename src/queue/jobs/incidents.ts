import type { JobPayload } from '../../domain/jobs.ts';
import type { AlertProcessor } from '../../services/alert-processing.ts';
import type { IncidentChannels } from '../../services/incident-channels.ts';
import type { IncidentTickets } from '../../services/incident-tickets.ts';

export function handleAlertProcess(processor: AlertProcessor) {
  return async (_data: JobPayload<'alert.process'>) => ({ applied: await processor.processPending() });
}

export function handleAlertSweep(processor: AlertProcessor) {
  return async (_data: JobPayload<'alert.sweep'>) => processor.sweep();
}

export function handleIncidentChannel(channels: IncidentChannels) {
  return async (data: JobPayload<'incident.channel'>) => channels.open(data.number);
}

export function handleIncidentPostmortem(tickets: IncidentTickets) {
  return async (data: JobPayload<'incident.postmortem'>) => tickets.deliverPostmortem(data.number);
}

export function handlePostmortemReminder(tickets: IncidentTickets) {
  return async (data: JobPayload<'incident.postmortem-reminder'>) => tickets.remindPostmortem(data.number);
}
