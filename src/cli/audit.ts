import { tableLines } from '../actions/result-columns.ts';
import { systemClock } from '../adapters/clock.ts';
import { parseDuration } from '../config/index.ts';
import { ActionRunStore } from '../db/action-run-store.ts';
import { openCliDatabase } from './cli-database.ts';
import { type CliCommand, EXIT, UsageError } from './command.ts';

/** `fleetbot audit [--since 24h] [--json]`: who ran what, confirmed by whom, with what outcome and duration. */
export const auditCommand: CliCommand = {
  name: 'audit',
  summary: 'List the audit log: who ran which action with which parameters, and the outcome',
  usage: 'audit [--since 24h] [--json]',
  details: 'Secret values are never stored; parameters are shown as recorded (redacted).',
  options: { since: { type: 'string' }, json: { type: 'boolean' } },
  async run({ values }, io) {
    const window = typeof values.since === 'string' ? values.since : '24h';
    let ms: number;
    try {
      ms = parseDuration(window);
    } catch {
      throw new UsageError(`--since expects a duration like 30m, 24h or 7d, got "${window}".`);
    }
    const { database } = await openCliDatabase(io);
    try {
      const rows = await new ActionRunStore({ pool: database.pool }).list(
        new Date(systemClock.now().getTime() - ms),
      );
      if (values.json) {
        io.out(JSON.stringify(rows, null, 2));
        return EXIT.ok;
      }
      if (rows.length === 0) {
        io.out(`No actions in the last ${window}.`);
        return EXIT.ok;
      }
      const table = rows.map((row) => [
        row.requestedAt.toISOString().replace('T', ' ').slice(0, 19),
        row.requestedBy,
        row.action,
        JSON.stringify(row.params),
        row.confirmedBy ?? '-',
        row.status,
        row.startedAt && row.finishedAt
          ? `${((row.finishedAt.getTime() - row.startedAt.getTime()) / 1000).toFixed(1)} s`
          : '-',
        row.summary ?? '',
      ]);
      io.out(
        tableLines(
          ['REQUESTED (UTC)', 'BY', 'ACTION', 'PARAMETERS', 'CONFIRMED BY', 'OUTCOME', 'TOOK', 'SUMMARY'],
          table,
        ).join('\n'),
      );
      return EXIT.ok;
    } finally {
      await database.close();
    }
  },
};
