/** The reconciliation sweep asks every 5 s for open incidents never planned: an index for that. */
export const sql = `
CREATE INDEX incidents_unplanned_idx ON incidents (id) WHERE escalation_policy IS NULL AND status <> 'resolved';
`;
