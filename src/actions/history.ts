import { z } from 'zod';
import type { Revision } from '../domain/cluster.ts';
import { FleetbotError } from '../domain/errors.ts';
import { shortImage } from '../domain/pods.ts';
import { defineAction } from './action.ts';
import { resolveService } from './services.ts';

/** `kubectl rollout history`, with the image each revision ran. */
export const history = defineAction({
  name: 'history',
  group: 'Changes',
  summary: 'Rollout history of a Deployment: revisions, change-cause and images',
  usage: '<service>',
  example: 'history api',
  syntax: { positionals: ['service'] },
  params: z.object({ service: z.string() }),
  retryable: true,
  timeoutMs: 30_000,
  classify: () => ({ permission: 'read', destructive: false }),
  async run({ cluster, config }, input, signal) {
    const { ref } = resolveService(config, input.service);
    requireDeployment(ref.kind, ref.name, 'history');
    const revisions = await cluster.history(ref, signal);
    const current = revisions.find((r) => r.current);
    return {
      status: 'ok',
      summary: `${ref.name}: ${revisions.length} revision(s)${current ? `, running revision ${current.revision}` : ''}`,
      sections: [
        {
          table: {
            headers: ['REVISION', 'CHANGE-CAUSE', 'IMAGES', ''],
            rows: revisions.map((r) => [
              String(r.revision),
              r.changeCause ?? '<none>',
              images(r),
              r.current ? '← current' : '',
            ]),
          },
        },
      ],
      data: { revisions },
    };
  },
});

export function images(revision: Revision): string {
  return Object.values(revision.images).map(shortImage).join(', ');
}

export function requireDeployment(kind: string, name: string, verb: string): void {
  if (kind !== 'Deployment') {
    throw new FleetbotError('unsupported', `${verb} works on Deployments; ${name} is a ${kind}.`, {
      hint: 'StatefulSet revisions are not rolled back by fleetbot; restore from a backup instead.',
    });
  }
}
