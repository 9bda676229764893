import type { ParsingRules } from '../../src/alerts/index.ts';
import { serviceIdentities } from '../../src/alerts/index.ts';
import { BUILT_IN_DEFAULTS } from '../../src/config/defaults.ts';

/**
 * The rules the parser tests run with: the built-in services (api, frontend, postgres, redis) and
 * a severity mapping written out here, so expectations do not move when the defaults do.
 */
export const parsingRules: ParsingRules = {
  severity: {
    azure: { Sev0: 'P0', Sev1: 'P1', Sev2: 'P2', Sev3: 'P3', Sev4: 'P3' },
    alertmanager: { critical: 'P1', warning: 'P2', info: 'P3' },
    fallback: 'P2',
  },
  services: serviceIdentities(BUILT_IN_DEFAULTS.services),
};

/** When the test request "arrived"; parsers have no clock of their own. */
export const receivedAt = new Date('2025-06-12T14:30:00.000Z');
