/** What fleetbot found in the cluster when an alert opened the incident, shown on its message. */
export const sql = `
ALTER TABLE incidents ADD COLUMN evidence jsonb;
`;
