/**
 * The stores the product is built on. Postgres is the source of truth: incidents
 * (with their frozen escalation snapshot and fencing run id), the alerts that
 * opened them, each incident's timeline, and every action run (the audit log).
 */
export const sql = `
CREATE TABLE incidents (
  id                 bigserial PRIMARY KEY,
  title              text        NOT NULL,
  severity           text        NOT NULL CHECK (severity IN ('P0', 'P1', 'P2', 'P3')),
  status             text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
  service            text,
  summary            text,
  opened_at          timestamptz NOT NULL DEFAULT now(),
  acknowledged_at    timestamptz,
  acknowledged_by    text,
  resolved_at        timestamptz,
  resolved_by        text,
  -- Escalation: the policy copied at open, and the run id every delayed step carries;
  -- acknowledge/resolve replace the run id so stale timers fence themselves out.
  escalation_policy  jsonb,
  escalation_run_id  uuid,
  escalation_step    integer     NOT NULL DEFAULT 0,
  slack_channel      text,
  slack_ts           text,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX incidents_open_idx ON incidents (status, opened_at) WHERE status <> 'resolved';

CREATE TABLE alerts (
  id             bigserial PRIMARY KEY,
  source         text        NOT NULL CHECK (source IN ('azure', 'alertmanager', 'generic')),
  -- Identity of the alert at its source (Azure alertId, Alertmanager fingerprint, ...).
  fingerprint    text        NOT NULL,
  status         text        NOT NULL CHECK (status IN ('firing', 'resolved')),
  severity       text        CHECK (severity IN ('P0', 'P1', 'P2', 'P3')),
  title          text        NOT NULL,
  service        text,
  labels         jsonb       NOT NULL DEFAULT '{}',
  payload        jsonb       NOT NULL,
  incident_id    bigint      REFERENCES incidents (id),
  repeat_count   integer     NOT NULL DEFAULT 1,
  first_seen_at  timestamptz NOT NULL DEFAULT now(),
  last_seen_at   timestamptz NOT NULL DEFAULT now(),
  resolved_at    timestamptz,
  UNIQUE (source, fingerprint)
);
CREATE INDEX alerts_incident_idx ON alerts (incident_id);

CREATE TABLE timeline_events (
  id           bigserial PRIMARY KEY,
  incident_id  bigint      NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  at           timestamptz NOT NULL DEFAULT now(),
  kind         text        NOT NULL,
  actor        text,
  details      jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX timeline_events_incident_idx ON timeline_events (incident_id, at);

-- One row per requested action: the audit log. Parameters are stored with secret values redacted.
CREATE TABLE action_runs (
  id            uuid        PRIMARY KEY,
  -- Slack request / CLI invocation the run came from; unique so a retried request records once.
  request_id    text        NOT NULL UNIQUE,
  action        text        NOT NULL,
  params        jsonb       NOT NULL DEFAULT '{}',
  target        text,
  requested_by  text        NOT NULL,
  confirmed_by  text,
  origin        text        NOT NULL CHECK (origin IN ('slack', 'cli', 'alert', 'system')),
  status        text        NOT NULL CHECK (status IN ('denied', 'awaiting_confirmation', 'queued', 'running', 'ok', 'warning', 'failed', 'cancelled')),
  summary       text,
  -- The structured result (sections, data; no attachments), redacted like params.
  result        jsonb,
  incident_id   bigint      REFERENCES incidents (id),
  requested_at  timestamptz NOT NULL DEFAULT now(),
  started_at    timestamptz,
  finished_at   timestamptz
);
CREATE INDEX action_runs_requested_idx ON action_runs (requested_at);
CREATE INDEX action_runs_running_target_idx ON action_runs (target) WHERE status = 'running';
`;
