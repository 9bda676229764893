import type { JobPayload } from '../../domain/jobs.ts';
import type { Maintenance } from '../../services/maintenance.ts';

export function handleMaintenanceNotices(maintenance: Maintenance) {
  return async (_data: JobPayload<'maintenance.notices'>) => ({ posted: await maintenance.postNotices() });
}
