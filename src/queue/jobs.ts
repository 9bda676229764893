import type { JobDefinition } from './job-definition.ts';

/**
 * Every job the workers run. Features register their definitions here; the
 * queue refuses to start with two definitions of one name.
 */
// biome-ignore lint/suspicious/noExplicitAny: a registry holds definitions of many data types
export const jobs: readonly JobDefinition<any>[] = [];
