import type { DeepReadonly } from './deep-freeze.ts';
import type { EnvConfig } from './env.ts';
import type { FileConfig } from './file-schema.ts';

/**
 * Everything fleetbot is configured with: fleetbot.yml (or the runbook's built-in values) plus
 * the environment. Deep-frozen. Durations are milliseconds; format them with `formatDuration`.
 */
export type Config = DeepReadonly<
  FileConfig &
    Omit<EnvConfig, 'runtime'> & {
      runtime: EnvConfig['runtime'] & {
        /** Absolute path of the file loaded; null when running on the built-in defaults. */
        configFile: string | null;
      };
    }
>;
