/**
 * The web console's filters and the App Home. Each list of the console is a keyset page in one of
 * these orders; `app_home_viewers` are the people whose Home tab is republished when incidents change.
 */
export const sql = `
CREATE INDEX incidents_status_id_idx ON incidents (status, id);
CREATE INDEX incidents_severity_id_idx ON incidents (severity, id);
CREATE INDEX incidents_service_id_idx ON incidents (service, id);
CREATE INDEX incidents_opened_idx ON incidents (opened_at);
CREATE INDEX timeline_events_page_idx ON timeline_events (incident_id, at, id);
DROP INDEX timeline_events_incident_idx;
CREATE INDEX action_runs_page_idx ON action_runs (requested_at, id);
CREATE INDEX action_runs_user_idx ON action_runs (requested_by, requested_at);
CREATE INDEX action_runs_action_idx ON action_runs (action, requested_at);
CREATE INDEX action_runs_target_idx ON action_runs (target, requested_at);
CREATE INDEX action_runs_status_idx ON action_runs (status, requested_at);

CREATE TABLE app_home_viewers (
  user_id       text        PRIMARY KEY,
  opened_at     timestamptz NOT NULL
);
CREATE INDEX app_home_viewers_opened_idx ON app_home_viewers (opened_at);
`;
