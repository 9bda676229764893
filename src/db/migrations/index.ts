import { sql as initialSchema } from './0001-initial-schema.ts';
import { sql as pendingConfirmations } from './0002-pending-confirmations.ts';
import { sql as messageOutbox } from './0003-message-outbox.ts';
import { sql as runFencing } from './0004-run-fencing.ts';
import { sql as incidents } from './0005-incidents.ts';
import { sql as escalationTimers } from './0006-escalation-timers.ts';
import { sql as oncallOverrides } from './0007-oncall-overrides.ts';
import { sql as maintenanceWindows } from './0008-maintenance-windows.ts';
import { sql as unplannedIndex } from './0009-unplanned-incidents-index.ts';
import { sql as maintenanceApproval } from './0010-maintenance-approval.ts';
import { sql as incidentEvidence } from './0011-incident-evidence.ts';
import { sql as consoleReads } from './0012-console-reads.ts';
import { sql as incidentRunsIndex } from './0013-incident-runs-index.ts';
import { sql as openIncidentsBySeverity } from './0014-open-incidents-by-severity.ts';
import { sql as drills } from './0015-drills.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Every schema change, in order. Append only: an applied migration is never
 * edited (the runner refuses a database whose recorded names differ).
 * Kept as TypeScript modules so `tsc` ships them in dist/ with no copy step.
 */
export const migrations: readonly Migration[] = [
  { version: 1, name: 'initial-schema', sql: initialSchema },
  { version: 2, name: 'pending-confirmations', sql: pendingConfirmations },
  { version: 3, name: 'message-outbox', sql: messageOutbox },
  { version: 4, name: 'run-fencing', sql: runFencing },
  { version: 5, name: 'incidents', sql: incidents },
  { version: 6, name: 'escalation-timers', sql: escalationTimers },
  { version: 7, name: 'oncall-overrides', sql: oncallOverrides },
  { version: 8, name: 'maintenance-windows', sql: maintenanceWindows },
  { version: 9, name: 'unplanned-incidents-index', sql: unplannedIndex },
  { version: 10, name: 'maintenance-approval', sql: maintenanceApproval },
  { version: 11, name: 'incident-evidence', sql: incidentEvidence },
  { version: 12, name: 'console-reads', sql: consoleReads },
  { version: 13, name: 'incident-runs-index', sql: incidentRunsIndex },
  { version: 14, name: 'open-incidents-by-severity', sql: openIncidentsBySeverity },
  { version: 15, name: 'drills', sql: drills },
];
