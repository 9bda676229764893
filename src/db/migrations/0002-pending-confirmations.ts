/**
 * A destructive action waits for its Confirm button with the parameters it will
 * run with. They stay out of `params` (the audit copy, redacted) and are
 * cleared as soon as the run is confirmed, cancelled or expires.
 */
export const sql = `
ALTER TABLE action_runs ADD COLUMN pending_params jsonb;
ALTER TABLE action_runs ADD COLUMN confirmation_expires_at timestamptz;
`;
