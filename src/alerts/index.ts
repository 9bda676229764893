// Inbound alerts: one pure parser per source, each turning a decoded JSON body into Alerts or
// the problems that refuse it (answered as a 400 by the HTTP route).
import type { AlertParser, AlertSource } from '../domain/alert.ts';
import { parseAlertmanager } from './alertmanager.ts';
import { parseAzure } from './azure.ts';
import { parseGeneric } from './generic.ts';

export type {
  Alert,
  AlertLink,
  AlertParser,
  AlertSource,
  ParseResult,
  ParsingRules,
  PayloadProblem,
  ServiceIdentity,
  SeverityMapping,
} from '../domain/alert.ts';
export { parseAlertmanager } from './alertmanager.ts';
export { parseAzure } from './azure.ts';
export { MAX_GENERIC_LABELS, MAX_GENERIC_NAME, parseGeneric } from './generic.ts';
export { MAX_ALERTS, MAX_LABELS, MAX_LINKS, MAX_SUMMARY, MAX_TITLE } from './payload-kit.ts';
export { MAX_PROBLEMS } from './problems.ts';
export {
  type ConfiguredServiceNames,
  matchPodName,
  matchService,
  serviceIdentities,
} from './services.ts';
export { alertmanagerSeverity, azureSeverity, GENERIC_SEVERITY_NAMES, genericSeverity } from './severity.ts';

/** The parser for each alert route (`/alerts/azure`, `/alerts/alertmanager`, `/alerts/generic`). */
export const parsers: Readonly<Record<AlertSource, AlertParser>> = {
  azure: parseAzure,
  alertmanager: parseAlertmanager,
  generic: parseGeneric,
};
