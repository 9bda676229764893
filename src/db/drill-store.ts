import type pg from 'pg';
import type { DrillReport, DrillStore } from '../domain/drill.ts';
import { escalationKeyPrefix, readPingKey } from '../domain/escalation-pings.ts';
import { DRILL_BASE, type Incident } from '../domain/incident.ts';
import { toIncident } from './incident-store.ts';

/** Drills in PostgreSQL: incidents with `drill` set, their reports in `drill_report`. */
export class PgDrillStore implements DrillStore {
  private readonly pool: pg.Pool;

  constructor(options: { pool: pg.Pool }) {
    this.pool = options.pool;
  }

  async running(): Promise<Incident | undefined> {
    const { rows } = await this.pool.query(
      "SELECT * FROM incidents WHERE drill IS NOT NULL AND status <> 'resolved' LIMIT 1",
    );
    return rows[0] ? toIncident(rows[0]) : undefined;
  }

  async report(number: number): Promise<DrillReport | undefined> {
    const { rows } = await this.pool.query('SELECT drill_report FROM incidents WHERE id = $1', [number]);
    return rows[0]?.drill_report ? reportOf(rows[0].drill_report) : undefined;
  }

  async latestReport(): Promise<DrillReport | undefined> {
    const { rows } = await this.pool.query(
      // Among drills only (numbered above DRILL_BASE): bounded even while no drill has a report.
      `SELECT drill_report FROM incidents WHERE id > ${DRILL_BASE} AND drill_report IS NOT NULL ORDER BY id DESC LIMIT 1`,
    );
    return rows[0] ? reportOf(rows[0].drill_report) : undefined;
  }

  async saveReport(report: DrillReport): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'UPDATE incidents SET drill_report = $2 WHERE id = $1 AND drill_report IS NULL',
      [report.number, JSON.stringify(report)],
    );
    return rowCount === 1;
  }

  async unreported(limit: number): Promise<number[]> {
    const { rows } = await this.pool.query(
      `SELECT id FROM incidents WHERE drill IS NOT NULL AND drill_report IS NULL AND status = 'resolved'
        ORDER BY id LIMIT $1`,
      [limit],
    );
    return rows.map((row) => Number(row.id));
  }

  async directMessages(number: number): Promise<{ key: string; status: string; error?: string }[]> {
    return (await this.pings(number))
      .filter(({ ping }) => ping.route === 'direct')
      .map(({ row }) => ({
        key: String(row.key),
        status: String(row.status),
        ...(row.last_error ? { error: String(row.last_error) } : {}),
      }));
  }

  async pingedSteps(number: number): Promise<string[]> {
    return (await this.pings(number))
      .filter(({ ping }) => ping.route === 'thread')
      .map(({ ping }) => ping.step);
  }

  /** The messages of the incident's escalation that are pings, with what their key says. */
  private async pings(number: number) {
    const { rows } = await this.pool.query(
      'SELECT key, status, last_error FROM slack_messages WHERE key LIKE $1 ORDER BY id',
      [`${escalationKeyPrefix(number)}%`],
    );
    return rows.flatMap((row) => {
      const ping = readPingKey(number, String(row.key));
      return ping ? [{ row, ping }] : [];
    });
  }
}

/** A report as jsonb keeps it: its two dates as text. */
export type StoredDrillReport = DrillReport & { startedAt: string; endedAt: string };

export function reportOf(stored: StoredDrillReport): DrillReport {
  return { ...stored, startedAt: new Date(stored.startedAt), endedAt: new Date(stored.endedAt) };
}
