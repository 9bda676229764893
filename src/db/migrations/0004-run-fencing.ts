/**
 * A running action carries the id of the attempt running it (a fencing token) and a heartbeat. A
 * job redelivered while its first attempt is still alive (a missed lock renewal, a stalled job)
 * finds a fresh heartbeat and leaves the run alone; only an attempt whose heartbeat stopped is
 * taken to be dead. Every later change of the row names the attempt, so a stale one changes nothing.
 */
export const sql = `
ALTER TABLE action_runs ADD COLUMN attempt_id uuid;
ALTER TABLE action_runs ADD COLUMN heartbeat_at timestamptz;
`;
