import type { SeverityId } from '../config/schema-kit.ts';
import { readPingKey } from './escalation-pings.ts';
import { CHECKLISTS, type DrillNotify, type Incident, incidentRef, type TimelineEvent } from './incident.ts';

/** Starting a drill while another runs: the store refuses it, whoever won the race. */
export class DrillAlreadyRunning extends Error {
  constructor() {
    super('another drill is running');
    this.name = 'DrillAlreadyRunning';
  }
}

/** How a drill ended. */
export type DrillEnd = 'resolved' | 'stopped' | 'timed-out';

/** One escalation step of a drill as it happened. */
export interface DrillStepReport {
  /** `page`, `deadline.1`, `rule.0`… */
  key: string;
  roles: string[];
  /** Who was paged (Slack user ids). */
  people: string[];
  /** How they were reached: `dm` (a DM each, and a mention in the thread) or `thread` (the mention only). */
  route: 'dm' | 'thread';
  /** When it was due and when it fired, counted from the drill's start. */
  dueAfterMs: number;
  firedAfterMs: number;
  /** Fired this much after it was due (fleetbot down, a backlog); 0 when on time. */
  lateMs: number;
}

/** A direct message of the drill that Slack refused. */
export interface FailedDm {
  user: string;
  step: string;
  error: string;
}

/** Someone paged who answered (acknowledged, resolved, ticked, wrote a note…). */
export interface DrillAnswer {
  user: string;
  /** What they did first, as the timeline says it. */
  what: string;
  afterMs: number;
}

/** What a drill showed about the escalation matrix: kept with the incident, posted when it ends. */
export interface DrillReport {
  number: number;
  title: string;
  severity: SeverityId;
  speed: number;
  notify: DrillNotify;
  includeCto: boolean;
  startedBy: string;
  startedAt: Date;
  endedAt: Date;
  ended: DrillEnd;
  /** Who resolved or stopped it (a Slack user id); absent when it timed out. */
  endedBy?: string;
  steps: DrillStepReport[];
  acknowledged?: { by: string; afterMs: number };
  answered: DrillAnswer[];
  /** People paged who never answered. */
  silent: string[];
  checklist: { ticked: number; total: number };
  /** Roles a step named that nobody holds in fleetbot.yml (no Slack id). */
  unheld: string[];
  failedDms: FailedDm[];
}

/** What the report is made from: the drill, its timeline, and how each escalation DM fared. */
export interface DrillReportInput {
  incident: Incident;
  timeline: readonly TimelineEvent[];
  /** Escalation DMs by key `escalation.<n>.<step>.<user>`, with their delivery outcome. */
  directMessages: readonly { key: string; status: string; error?: string }[];
}

interface EscalatedDetails {
  step?: string;
  roles?: string[];
  people?: string[];
  unheld?: string[];
  dueAt?: string;
  /** Set by the escalation when it fired the step late (its pings said so). */
  lateMs?: number;
}

/** Builds the report of a drill that has ended. Pure: the same input always gives the same report. */
export function buildDrillReport({ incident, timeline, directMessages }: DrillReportInput): DrillReport {
  const drill = incident.drill;
  if (!drill) throw new Error(`${incidentRef(incident.number)} is not a drill`);
  const start = incident.openedAt.getTime();
  const endedAt = incident.resolvedAt ?? timeline.at(-1)?.at ?? incident.openedAt;
  const resolvedBy = incident.resolvedBy;
  const ended: DrillEnd = resolvedBy === 'fleetbot' ? 'timed-out' : drill.stopped ? 'stopped' : 'resolved';
  const route = drill.notify === 'people' ? 'dm' : 'thread';
  const steps: DrillStepReport[] = [];
  const paged = new Set<string>();
  const unheld = new Set<string>();
  for (const event of timeline) {
    if (event.kind !== 'escalated') continue;
    const details = (event.details ?? {}) as EscalatedDetails;
    const due = details.dueAt ? new Date(details.dueAt).getTime() : event.at.getTime();
    for (const person of details.people ?? []) paged.add(person);
    for (const role of details.unheld ?? []) unheld.add(role);
    steps.push({
      key: details.step ?? '?',
      roles: details.roles ?? [],
      people: details.people ?? [],
      route,
      dueAfterMs: due - start,
      firedAfterMs: event.at.getTime() - start,
      lateMs: details.lateMs ?? 0,
    });
  }
  const answered = new Map<string, DrillAnswer>();
  for (const event of timeline) {
    if (!/^[UW][A-Z0-9]+$/.test(event.actor) || answered.has(event.actor)) continue;
    if (event.kind === 'opened' || event.actor === drill.startedBy) continue;
    answered.set(event.actor, {
      user: event.actor,
      what: event.text,
      afterMs: event.at.getTime() - start,
    });
  }
  const failedDms = directMessages
    .filter((message) => message.status === 'failed')
    .map((message) => {
      const ping = readPingKey(incident.number, message.key);
      return {
        user: ping?.route === 'direct' ? ping.user : '?',
        step: ping?.step ?? '?',
        error: message.error ?? 'not delivered',
      };
    });
  const during = CHECKLISTS.during.items.map(([id]) => `during.${id}`);
  return {
    number: incident.number,
    title: incident.title,
    severity: incident.severity,
    speed: drill.speed,
    notify: drill.notify,
    includeCto: drill.includeCto,
    startedBy: drill.startedBy,
    startedAt: incident.openedAt,
    endedAt,
    ended,
    ...(resolvedBy && resolvedBy !== 'fleetbot' ? { endedBy: resolvedBy } : {}),
    steps,
    ...(incident.acknowledgedAt && incident.acknowledgedBy
      ? {
          acknowledged: {
            by: incident.acknowledgedBy,
            afterMs: incident.acknowledgedAt.getTime() - start,
          },
        }
      : {}),
    answered: [...answered.values()],
    // Who started it knows it is a drill: neither their answer nor their silence says anything.
    silent: [...paged].filter((person) => !answered.has(person) && person !== drill.startedBy),
    checklist: { ticked: during.filter((item) => incident.checklist[item]).length, total: during.length },
    unheld: [...unheld],
    failedDms,
  };
}

/** How the report's parts are shown where it is read. */
export interface DrillReportFormat {
  /** A person: a Slack mention, a user id. */
  who: (user: string) => string;
  duration: (ms: number) => string;
  /** A role's name. */
  role: (id: string) => string;
  /** Text people typed or Slack said (a note, an error), made safe for the medium. */
  text: (text: string) => string;
}

/** The report as short sections of lines, for Slack, the CLI and the console alike. */
export function drillReportSections(
  report: DrillReport,
  format: DrillReportFormat,
): { title: string; lines: string[] }[] {
  const { who, duration, role, text } = format;
  const ended = {
    resolved: `resolved by ${report.endedBy ? who(report.endedBy) : 'someone'}`,
    stopped: `stopped by ${report.endedBy ? who(report.endedBy) : 'someone'}`,
    'timed-out': 'timed out after its last escalation step',
  }[report.ended];
  const production = (ms: number) =>
    report.speed === 1 ? '' : ` (${duration(ms * report.speed)} in production)`;
  const steps = report.steps.map((step) => {
    const people = step.people.length > 0 ? step.people.map(who).join(', ') : 'nobody';
    const late = step.lateMs > 0 ? ` — ⚠️ late by ${duration(step.lateMs)}` : '';
    const route = step.route === 'dm' ? 'DM + thread mention' : 'thread mention';
    return `${step.key}: ${step.roles.map(role).join(', ') || 'no role'} → ${people} by ${route}, due at +${duration(step.dueAfterMs)}${production(step.dueAfterMs)}, fired at +${duration(step.firedAfterMs)}${late}`;
  });
  const answers = [
    report.acknowledged
      ? `Acknowledged by ${who(report.acknowledged.by)} after ${duration(report.acknowledged.afterMs)}${production(report.acknowledged.afterMs)}.`
      : 'Nobody acknowledged it.',
    ...report.answered.map(
      (answer) => `${who(answer.user)} answered after ${duration(answer.afterMs)}: ${text(answer.what)}`,
    ),
    report.silent.length > 0
      ? `Never answered: ${report.silent.map(who).join(', ')}.`
      : 'Everyone paged answered.',
  ];
  const late = report.steps.filter((step) => step.lateMs > 0);
  const problems = [
    ...(late.length > 0
      ? [`Steps late: ${late.map((step) => `${step.key} by ${duration(step.lateMs)}`).join(', ')}.`]
      : []),
    ...report.unheld.map((id) => `${role(id)} has no Slack id in fleetbot.yml: nobody was paged for it.`),
    ...report.failedDms.map((dm) => `DM to ${who(dm.user)} (${dm.step}) failed: ${text(dm.error)}.`),
  ];
  return [
    {
      title: `Drill report ${incidentRef(report.number)}`,
      lines: [
        `${report.severity} drill "${text(report.title)}" at ×${report.speed}, ${report.notify === 'people' ? 'DMs to people' : 'mentions in the thread only'}${report.includeCto ? ', CTO included' : ''}; started by ${who(report.startedBy)}, ${ended} after ${duration(report.endedAt.getTime() - report.startedAt.getTime())}.`,
        `Checklist: ${report.checklist.ticked} of ${report.checklist.total} "During incident" items ticked.`,
      ],
    },
    { title: 'Escalation steps', lines: steps.length > 0 ? steps : ['No step fired.'] },
    { title: 'Answers', lines: answers },
    {
      title: 'To fix',
      lines: problems.length > 0 ? problems : ['Nothing: every step on time, every DM delivered.'],
    },
  ];
}

/** Drills and their reports (PostgreSQL). */
export interface DrillStore {
  /** The drill not resolved yet, if one runs (there is at most one). */
  running(): Promise<Incident | undefined>;
  report(number: number): Promise<DrillReport | undefined>;
  /** The report of the latest drill that has one. */
  latestReport(): Promise<DrillReport | undefined>;
  /** Keeps the report; false when the drill had one already (a retried job). */
  saveReport(report: DrillReport): Promise<boolean>;
  /** Resolved drills still without a report (a crash between the end and its report job). */
  unreported(limit: number): Promise<number[]>;
  /** The drill's escalation DMs, keyed `escalation.<n>.<step>.<user>`, as delivery left them. */
  directMessages(number: number): Promise<{ key: string; status: string; error?: string }[]>;
  /** The steps whose ping went to the drill's thread (every step's does), by step key. */
  pingedSteps(number: number): Promise<string[]>;
}

/**
 * Steps pinged but not in the timeline yet: a check records its steps just after sending them, so a
 * report built in between would leave out a step everyone saw.
 */
export function unrecordedSteps(timeline: readonly TimelineEvent[], pinged: readonly string[]): string[] {
  const recorded = new Set(
    timeline
      .filter((event) => event.kind === 'escalated')
      .map((event) => (event.details as EscalatedDetails | undefined)?.step),
  );
  return pinged.filter((step) => !recorded.has(step));
}
