/**
 * Escalation timers live with the incident: its frozen policy and run id (from 0001), the keys of
 * the steps already delivered, when the next check is due (what the delayed job waits for, and what
 * start-up reconciles from), and the flags and hand escalations with their times.
 */
export const sql = `
ALTER TABLE incidents
  ADD COLUMN escalation_done    text[]      NOT NULL DEFAULT '{}',
  ADD COLUMN escalation_due_at  timestamptz,
  ADD COLUMN escalation_flags   jsonb       NOT NULL DEFAULT '[]',
  ADD COLUMN escalation_manual  jsonb       NOT NULL DEFAULT '[]';
CREATE INDEX incidents_escalation_due_idx ON incidents (escalation_due_at)
  WHERE escalation_due_at IS NOT NULL AND status <> 'resolved';
`;
