/**
 * Alerts become incidents. `alert_events` is the intake log: every alert a source sent, committed
 * before the sender hears 2xx, unique on its identity at the source (a retried delivery is stored
 * once and counted); `processed_at` null means the worker has not applied it yet. `alerts` is then
 * one row per alert fingerprint per incident. An incident's number is its id; `version` counts
 * changes and `synced_version` how far its Slack message has them, so a crash between the two is
 * found and repaired.
 */
export const sql = `
ALTER TABLE incidents DROP CONSTRAINT incidents_status_check;
UPDATE incidents SET status = 'triggered' WHERE status = 'open';
ALTER TABLE incidents ALTER COLUMN status SET DEFAULT 'triggered';
ALTER TABLE incidents ADD CONSTRAINT incidents_status_check
  CHECK (status IN ('triggered', 'acknowledged', 'mitigated', 'resolved'));
ALTER TABLE incidents
  ADD COLUMN target             text,
  ADD COLUMN opened_by          text,
  ADD COLUMN commander          text,
  ADD COLUMN flags              text[]      NOT NULL DEFAULT '{}',
  ADD COLUMN mitigated_at       timestamptz,
  ADD COLUMN mitigated_by       text,
  ADD COLUMN incident_channel   text,
  ADD COLUMN checklist          jsonb       NOT NULL DEFAULT '{}',
  ADD COLUMN alert_count        integer     NOT NULL DEFAULT 0,
  ADD COLUMN repeat_count       integer     NOT NULL DEFAULT 0,
  ADD COLUMN last_alert_at      timestamptz,
  ADD COLUMN postmortem_done_at timestamptz,
  ADD COLUMN postmortem_done_by text,
  ADD COLUMN version            integer     NOT NULL DEFAULT 1,
  ADD COLUMN synced_version     integer     NOT NULL DEFAULT 0;
CREATE INDEX incidents_service_open_idx ON incidents (service, opened_at) WHERE status <> 'resolved';
CREATE INDEX incidents_unsynced_idx ON incidents (id) WHERE synced_version < version;

CREATE TABLE alert_events (
  id                bigserial   PRIMARY KEY,
  source            text        NOT NULL CHECK (source IN ('azure', 'alertmanager', 'generic')),
  fingerprint       text        NOT NULL,
  status            text        NOT NULL CHECK (status IN ('firing', 'resolved')),
  starts_at         timestamptz NOT NULL,
  -- The normalised alert, as the parser made it.
  alert             jsonb       NOT NULL,
  -- Facts about the delivery for the timeline (Alertmanager's truncatedAlerts).
  notes             text[]      NOT NULL DEFAULT '{}',
  deliveries        integer     NOT NULL DEFAULT 1,
  -- How many of the deliveries the incident has counted already.
  counted           integer     NOT NULL DEFAULT 0,
  received_at       timestamptz NOT NULL,
  last_received_at  timestamptz NOT NULL,
  processed_at      timestamptz,
  incident_id       bigint      REFERENCES incidents (id),
  UNIQUE (source, fingerprint, starts_at, status)
);
CREATE INDEX alert_events_pending_idx ON alert_events (id) WHERE processed_at IS NULL;
CREATE INDEX alert_events_received_idx ON alert_events (received_at);

ALTER TABLE alerts DROP CONSTRAINT alerts_source_fingerprint_key;
ALTER TABLE alerts ALTER COLUMN incident_id SET NOT NULL;
ALTER TABLE alerts ADD CONSTRAINT alerts_incident_fingerprint_key UNIQUE (incident_id, source, fingerprint);
CREATE INDEX alerts_fingerprint_idx ON alerts (source, fingerprint);
`;
