/**
 * An incident's page (console) and its ticket list the action runs started from it
 * (`action_runs.incident_id`): without an index that read scanned the whole audit log on every
 * page, ~0.6 ms at 5,000 runs and growing with it (bench:console). Most runs belong to no incident.
 */
export const sql = `
CREATE INDEX action_runs_incident_idx ON action_runs (incident_id, requested_at) WHERE incident_id IS NOT NULL;
`;
