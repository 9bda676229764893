/**
 * Emergency maintenance needs a manager's approval; windows already in the table were in force
 * without one and stay so. Checklist ticks and posted notices are kept per window (recurring ones
 * have no row, hence a text key).
 */
export const sql = `
ALTER TABLE maintenance_windows
  ADD COLUMN approved_by  text,
  ADD COLUMN approved_at  timestamptz,
  ADD COLUMN cancelled_by text;
UPDATE maintenance_windows SET approved_by = created_by, approved_at = created_at;
CREATE TABLE maintenance_checks (
  window_key text        NOT NULL,
  item       text        NOT NULL,
  checked_by text        NOT NULL,
  checked_at timestamptz NOT NULL,
  PRIMARY KEY (window_key, item)
);
CREATE TABLE maintenance_notices (
  window_key text        NOT NULL,
  notice     text        NOT NULL,
  sent_at    timestamptz NOT NULL,
  PRIMARY KEY (window_key, notice)
);
`;
