/**
 * Drills: practice incidents. `drill` holds how one runs (speed, who is notified), `drill_report`
 * the report kept when it ends. Drills take their numbers from a sequence of their own, offset by
 * DRILL_BASE (`DRILL-3` is incident 1000000003), so real incident numbers have no gaps. The partial
 * unique index is "one drill at a time": a second start fails on it, whoever wins the race.
 */
export const sql = `
CREATE SEQUENCE drill_numbers;
ALTER TABLE incidents ADD COLUMN drill jsonb, ADD COLUMN drill_report jsonb;
CREATE UNIQUE INDEX incidents_one_running_drill_idx ON incidents ((true))
  WHERE drill IS NOT NULL AND status <> 'resolved';
CREATE INDEX incidents_unreported_drills_idx ON incidents (id)
  WHERE drill IS NOT NULL AND drill_report IS NULL AND status = 'resolved';
`;
