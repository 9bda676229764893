import { systemClock } from '../adapters/clock.ts';
import { type Config, loadConfig } from '../config/index.ts';
import { SEVERITY_IDS, type SeverityId } from '../config/schema-kit.ts';
import { localDateTime } from '../config/zoned-time.ts';
import { INCIDENT_FLAGS, type IncidentFlag } from '../domain/incident.ts';
import { previewText } from '../escalation/preview-text.ts';
import { type CliCommand, EXIT, UsageError } from './command.ts';

/**
 * `fleetbot escalation preview SEVERITY [--flags a,b] [--at "2026-12-06 03:00"]`: who would be paged
 * when for an incident opened then and never acknowledged, from the same evaluator the timers use
 * (business hours, maintenance holds and flags included).
 */
export const escalationPreviewCommand: CliCommand = {
  name: 'escalation preview',
  summary: 'Show who would be paged when for an incident of a severity, if nobody acknowledges',
  usage: 'escalation preview SEVERITY [--flags customer-data,database] [--at "2026-12-06 03:00"]',
  details: `SEVERITY is P0–P3. --at is when the incident opens: ISO 8601 (2026-12-06T08:00:00Z), or a local
"YYYY-MM-DD HH:MM" in businessHours.timezone; default now. --flags: ${INCIDENT_FLAGS.join(', ')}.`,
  options: { flags: { type: 'string' }, at: { type: 'string' } },
  positionals: [1, 1],
  async run({ values, positionals }, io) {
    const severity = positionals[0]?.toUpperCase();
    if (!(SEVERITY_IDS as readonly string[]).includes(severity ?? '')) {
      throw new UsageError(`Which severity? One of ${SEVERITY_IDS.join(', ')}, got "${positionals[0]}".`);
    }
    const config = loadConfig({ env: io.env });
    const openedAt = typeof values.at === 'string' ? openingTime(values.at, config) : systemClock.now();
    const flags = parseFlags(typeof values.flags === 'string' ? values.flags : '').map((flag) => ({
      flag,
      at: openedAt,
    }));
    io.out(previewText(config, severity as SeverityId, openedAt, flags));
    return EXIT.ok;
  },
};

function openingTime(text: string, config: Config): Date {
  const local = localDateTime(text, config.businessHours.timezone);
  if (local) return local;
  const instant = new Date(text);
  if (Number.isNaN(instant.getTime()) || !/\d{4}-\d{2}-\d{2}T/.test(text)) {
    throw new UsageError(
      `--at expects "YYYY-MM-DD HH:MM" (in ${config.businessHours.timezone}) or an ISO 8601 time, got "${text}".`,
    );
  }
  return instant;
}

function parseFlags(text: string): IncidentFlag[] {
  const given = text
    .split(',')
    .map((flag) => flag.trim())
    .filter(Boolean);
  const unknown = given.filter((flag) => !(INCIDENT_FLAGS as readonly string[]).includes(flag));
  if (unknown.length > 0) {
    throw new UsageError(`Unknown flag ${unknown.join(', ')}. Flags: ${INCIDENT_FLAGS.join(', ')}.`);
  }
  return given as IncidentFlag[];
}
