/**
 * Open incidents, most severe first then oldest: the overview's list and every App Home publish
 * (one per viewer when incidents change) read the first ten without sorting every open incident.
 */
export const sql = `
CREATE INDEX incidents_open_severity_idx ON incidents (severity, opened_at) WHERE status <> 'resolved';
`;
