import { z } from 'zod';

/**
 * Who may do what: every configured role maps to a set of these (config `permissions`). Actions
 * are classified read, operate or admin; `respond` is changing an incident (acknowledge, resolve…);
 * `drill` is starting and stopping a drill.
 */
export const PERMISSIONS = ['read', 'operate', 'admin', 'respond', 'drill'] as const;
export type Permission = (typeof PERMISSIONS)[number];

const workloadRef = z.object({ kind: z.enum(['Deployment', 'StatefulSet']), name: z.string() });

/** How an invocation is classified before it runs: decides role, confirmation and the workload lock. */
export const classificationSchema = z.object({
  permission: z.enum(PERMISSIONS),
  destructive: z.boolean(),
  /** The workload a mutation changes; at most one mutation per workload runs at a time. */
  target: workloadRef.optional(),
  /**
   * A second person with the permission must confirm, whatever `permissions.twoPerson` lists
   * (`db restore`): the requester's own click never counts.
   */
  twoPerson: z.boolean().optional(),
});
export type Classification = z.infer<typeof classificationSchema>;
