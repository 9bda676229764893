import { checkReferences } from './cross-checks.ts';
import { fileConfigObject } from './file-schema.ts';

/** The schema of fleetbot.yml after it has been laid over the built-in defaults: each part, then the checks between parts. */
export const fileConfigSchema = fileConfigObject.superRefine(checkReferences, {
  // Run even when other parts of the file are wrong, so that every problem is reported at once;
  // checkReferences itself reads only the parts that parsed cleanly.
  when: () => true,
});
