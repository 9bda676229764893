import type { JobPayload } from '../../domain/jobs.ts';
import type { AppHome } from '../../services/app-home.ts';

export function handleHomePublish(home: AppHome) {
  return async (data: JobPayload<'home.publish'>) => {
    await home.publish(data.userId);
    return { published: data.userId };
  };
}

export function handleHomeRefresh(home: AppHome) {
  return async (_data: JobPayload<'home.refresh'>) => ({ queued: await home.refresh() });
}
