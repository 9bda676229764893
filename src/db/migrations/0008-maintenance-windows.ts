/** Maintenance windows besides the recurring one of fleetbot.yml (`/fleet maintenance …`). */
export const sql = `
CREATE TABLE maintenance_windows (
  id          bigserial   PRIMARY KEY,
  starts_at   timestamptz NOT NULL,
  ends_at     timestamptz NOT NULL,
  reason      text        NOT NULL,
  created_by  text        NOT NULL,
  created_at  timestamptz NOT NULL,
  cancelled_at timestamptz,
  CHECK (ends_at > starts_at)
);
CREATE INDEX maintenance_windows_ends_idx ON maintenance_windows (ends_at) WHERE cancelled_at IS NULL;
`;
