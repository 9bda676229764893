import { tableLines } from '../actions/result-columns.ts';
import { systemClock } from '../adapters/clock.ts';
import type { Config } from '../config/index.ts';
import { PgDrillStore } from '../db/drill-store.ts';
import { type DrillReport, drillReportSections } from '../domain/drill.ts';
import { type DrillSettings, type Incident, incidentRef, parseIncidentRef } from '../domain/incident.ts';
import type { ResponseOutcome } from '../services/incident-response.ts';
import { formatDuration } from '../slack/render/mrkdwn.ts';
import { openCliDatabase } from './cli-database.ts';
import { type CliCommand, type CliIo, EXIT, UsageError } from './command.ts';

const USAGE =
  'incidents list [--all] [--json] | show N [--json] | ack N | resolve N [--note TEXT] | postmortem N';

/**
 * `fleetbot incidents …`: the incident tickets from a terminal. Acknowledging or resolving here is
 * the same change as the buttons (timeline, Slack message updated by the workers); whoever can run
 * the CLI against fleetbot's database is trusted as `cli:$USER`.
 */
export const incidentsCommand: CliCommand = {
  name: 'incidents',
  summary: 'List, show, acknowledge and resolve incidents; print a post-mortem draft',
  usage: USAGE,
  details:
    'N is the incident number (42 or INC-42), or a drill (DRILL-3): `show` prints its report once it ended. Times are UTC. Changes are recorded as cli:$USER and shown in Slack.',
  options: { all: { type: 'boolean' }, json: { type: 'boolean' }, note: { type: 'string' } },
  positionals: [1, 2],
  async run({ values, positionals }, io) {
    const [verb = '', given] = positionals;
    if (!['list', 'show', 'ack', 'resolve', 'postmortem'].includes(verb)) {
      throw new UsageError(`Unknown "incidents ${verb}".\nUsage: fleetbot ${USAGE}`);
    }
    const number = verb === 'list' ? 0 : parseNumber(given, verb);
    const { config, logger, database } = await openCliDatabase(io);
    const { composeServices } = await import('../main.ts');
    const services = await composeServices(config, database, { logger, clock: systemClock });
    try {
      const { tickets, response } = services.incidents;
      const who = { kind: 'cli' as const, name: io.env.USER ?? 'unknown' };
      switch (verb) {
        case 'list': {
          const incidents = await tickets.list({ includeResolved: values.all === true, limit: 200 });
          if (values.json) io.out(JSON.stringify(incidents, null, 2));
          else if (incidents.length === 0) io.out(values.all ? 'No incidents.' : 'No open incidents.');
          else io.out(table(incidents));
          return EXIT.ok;
        }
        case 'show': {
          const ticket = await tickets.ticket(number);
          if (!ticket) return notFound(io, number);
          const report = ticket.incident.drill
            ? await new PgDrillStore({ pool: database.pool }).report(number)
            : undefined;
          if (values.json)
            io.out(JSON.stringify(report ? { ...ticket, drillReport: report } : ticket, null, 2));
          else io.out(showTicket(ticket.incident, ticket.timeline, report, config));
          return EXIT.ok;
        }
        case 'postmortem': {
          const draft = await tickets.postmortem(number);
          if (!draft) return notFound(io, number);
          io.out(draft);
          return EXIT.ok;
        }
        case 'ack':
          return report(io, await response.acknowledge(number, who));
        default:
          return report(
            io,
            await response.resolve(number, who, typeof values.note === 'string' ? values.note : undefined),
          );
      }
    } finally {
      await services.queue.close();
      await database.close();
    }
  },
};

function parseNumber(given: string | undefined, verb: string): number {
  const number = parseIncidentRef(given);
  if (number === undefined)
    throw new UsageError(`"incidents ${verb}" needs an incident number, e.g. 42, INC-42 or DRILL-3.`);
  return number;
}

function notFound(io: CliIo, number: number): number {
  io.err(`There is no incident ${incidentRef(number)}. \`fleetbot incidents list --all\` shows them all.`);
  return EXIT.failed;
}

/** Done, or already done (exit 0: the incident is as asked); refused or unknown (exit 1). */
function report(io: CliIo, outcome: ResponseOutcome): number {
  if (outcome.ok || outcome.reason === 'unchanged') {
    io.out(outcome.message);
    return EXIT.ok;
  }
  io.err(outcome.message);
  return EXIT.failed;
}

function utc(date: Date | undefined): string {
  return date ? date.toISOString().replace('T', ' ').slice(0, 16) : '-';
}

function table(incidents: readonly Incident[]): string {
  return tableLines(
    ['INCIDENT', 'SEV', 'STATUS', 'SERVICE', 'OPENED (UTC)', 'ALERTS', 'TITLE'],
    incidents.map((incident) => [
      incidentRef(incident.number),
      incident.severity,
      incident.status,
      incident.service ?? incident.target ?? '-',
      utc(incident.openedAt),
      `${incident.alertCount} (${incident.repeatCount} repeats)`,
      incident.title,
    ]),
  ).join('\n');
}

function showTicket(
  incident: Incident,
  timeline: readonly { at: Date; actor: string; text: string }[],
  report: DrillReport | undefined,
  config: Config,
): string {
  return [
    `${incidentRef(incident.number)} · ${incident.severity} · ${incident.status} · ${incident.title}`,
    ...(incident.drill ? [drillLine(incident.drill)] : []),
    `service ${incident.service ?? incident.target ?? 'unknown'} · opened ${utc(incident.openedAt)} UTC · commander ${incident.commander ?? 'none'} · flags ${incident.flags.join(', ') || 'none'}`,
    `alerts ${incident.alertCount} (${incident.repeatCount} repeats) · acknowledged ${utc(incident.acknowledgedAt)} · resolved ${utc(incident.resolvedAt)}`,
    ...(report ? reportLines(report, config) : []),
    '',
    'Timeline (UTC):',
    ...timeline.map((event) => `  ${utc(event.at)}  ${event.actor}  ${event.text}`),
  ].join('\n');
}

/** The DRILL mark: a practice incident, and how it runs. */
function drillLine(drill: DrillSettings): string {
  return `DRILL (practice) · ×${drill.speed} · started by ${drill.startedBy}${drill.endsAt ? ` · times out ${utc(drill.endsAt)} UTC` : ''}`;
}

/** The drill's report as text: the same sections as in Slack and the console, user ids as they are. */
function reportLines(report: DrillReport, config: Config): string[] {
  return drillReportSections(report, {
    who: (user) => user,
    duration: formatDuration,
    role: (id) => config.roles[id]?.name ?? id,
    text: (text) => text,
  }).flatMap((part) => ['', `${part.title}:`, ...part.lines.map((line) => `  ${line}`)]);
}
