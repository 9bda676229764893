/** Who covers a role for a while instead of its rotation or its configured people (`/fleet oncall override`). */
export const sql = `
CREATE TABLE oncall_overrides (
  id          bigserial   PRIMARY KEY,
  role        text        NOT NULL,
  user_id     text        NOT NULL,
  starts_at   timestamptz NOT NULL,
  ends_at     timestamptz NOT NULL,
  reason      text,
  created_by  text        NOT NULL,
  created_at  timestamptz NOT NULL
);
CREATE INDEX oncall_overrides_active_idx ON oncall_overrides (ends_at, role);
`;
