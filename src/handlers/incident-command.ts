import type { View } from '@slack/types';
import type { Config } from '../config/index.ts';
import { SEVERITY_IDS, type SeverityId } from '../config/schema-kit.ts';
import { INCIDENT_FLAGS, type IncidentFlag, incidentRef, parseIncidentRef } from '../domain/incident.ts';
import { didYouMean } from '../lib/did-you-mean.ts';
import { runbookButtons } from '../services/incident-publisher.ts';
import type { IncidentResponse, Responder, ResponseOutcome } from '../services/incident-response.ts';
import type { IncidentTickets } from '../services/incident-tickets.ts';
import { context, type SlackMessage, section } from '../slack/render/blocks.ts';
import { renderDeclareModal, renderIncidentTicket } from '../slack/render/incident.ts';
import { bold, escapeMrkdwn, inlineCode, slackDate, userIdOf } from '../slack/render/mrkdwn.ts';
import { renderError } from '../slack/render/notices.ts';

export interface IncidentCommandDeps {
  config: Config;
  response: IncidentResponse;
  tickets: IncidentTickets;
}

/** The `/fleet incident …` words, with what each expects, for help and for errors. */
export const INCIDENT_USAGE: readonly (readonly [string, string])[] = [
  ['open P1 <title> [--service api]', 'declare an incident (a form without arguments)'],
  ['list [--all]', 'open incidents (all with --all)'],
  ['show N', 'the ticket: status, alerts, latest timeline, checklists'],
  ['timeline N', 'every event with who and when'],
  ['ack N', 'acknowledge'],
  ['mitigate N', 'mark mitigated (the impact has stopped)'],
  ['resolve N [note]', 'resolve, with an optional note'],
  ['escalate N [role] [reason]', 'page a role now (default: the next on the escalation matrix)'],
  ['severity N P0', 'change the severity'],
  ['note N <text>', 'add a note to the timeline (anyone)'],
  ['assign N @user', 'make someone the incident commander'],
  [`flag N ${INCIDENT_FLAGS.join('|')}`, 'a reason to escalate'],
  ['check N during.impact', 'tick (or untick) a checklist item'],
  ['postmortem N done', 'the post-mortem is written: no more reminders'],
];

export interface IncidentCommandOutcome {
  message: SlackMessage;
  modal?: View;
}

/** `/fleet incident <verb> …` → the answer to acknowledge with (only the requester sees it). */
export async function handleIncidentCommand(
  deps: IncidentCommandDeps,
  words: readonly string[],
  who: { userId: string; channelId: string },
): Promise<IncidentCommandOutcome> {
  const [verb = 'help', ...rest] = words;
  const responder: Responder = { kind: 'slack', userId: who.userId };
  const { response, tickets } = deps;
  if (verb === 'help') return { message: incidentHelp() };
  if (verb === 'list') {
    const incidents = await tickets.list({ includeResolved: rest.includes('--all') });
    if (incidents.length === 0)
      return { message: plain(rest.includes('--all') ? 'No incidents yet.' : 'No open incidents. 🎉') };
    return {
      message: plain(
        incidents
          .map(
            (incident) =>
              `${bold(incidentRef(incident.number))} · ${incident.severity} · ${incident.status} · ${escapeMrkdwn(incident.title)} · opened ${slackDate(incident.openedAt)}`,
          )
          .join('\n'),
      ),
    };
  }
  if (verb === 'open') return open(deps, rest, responder, who.channelId);
  const known = INCIDENT_USAGE.map(([usage]) => usage.split(' ')[0] ?? '');
  if (!known.includes(verb)) {
    return fail(
      `Unknown \`/fleet incident ${verb}\`.${didYouMean(verb, known, (name) => `\`${name}\``)}`,
      'Type `/fleet incident help` for the list.',
    );
  }
  const number = parseIncidentRef(rest[0]);
  if (number === undefined) {
    return fail(
      `\`/fleet incident ${verb}\` needs an incident number, e.g. \`/fleet incident ${verb} 42\`.`,
      usageOf(verb),
    );
  }
  const args = rest.slice(1);
  switch (verb) {
    case 'show':
    case 'timeline': {
      const ticket = await tickets.ticket(number);
      if (!ticket)
        return fail(
          `There is no incident ${incidentRef(number)}.`,
          'Type `/fleet incident list` for the open ones.',
        );
      const service = ticket.incident.service ? deps.config.services[ticket.incident.service] : undefined;
      return {
        message: renderIncidentTicket({
          ...ticket,
          runbook: runbookButtons(ticket.incident.service, service?.workload),
          ...(service ? { workload: service.workload } : {}),
          limit: verb === 'timeline' ? 40 : 15,
        }),
      };
    }
    case 'ack':
      return answer(await response.acknowledge(number, responder));
    case 'mitigate':
      return answer(await response.mitigate(number, responder));
    case 'resolve':
      return answer(await response.resolve(number, responder, args.join(' ') || undefined));
    case 'escalate': {
      // `escalate N [role] [reason]`: a role id from fleetbot.yml first, else all of it is the reason.
      const [role, ...why] = args;
      const roles = role && deps.config.roles[role] ? [role] : undefined;
      const reason = (roles ? why : args).join(' ').slice(0, 500) || undefined;
      return answer(await response.escalate(number, responder, roles, reason));
    }
    case 'severity': {
      const severity = args[0]?.toUpperCase();
      if (!isSeverity(severity))
        return fail(`Which severity? Give one of ${SEVERITY_IDS.join(', ')}.`, usageOf(verb));
      return answer(await response.severity(number, responder, severity));
    }
    case 'note':
      if (args.length === 0) return fail('The note is empty.', usageOf(verb));
      return answer(await response.note(number, responder, args.join(' ').slice(0, 2_000)));
    case 'assign': {
      const user = userIdOf(args[0]);
      if (!user) {
        return fail(
          'Who? Mention the person (`@name`, picked from Slack’s list so it becomes a link) or give their user id (U…).',
          usageOf(verb),
        );
      }
      return answer(await response.assign(number, responder, user));
    }
    case 'flag': {
      const flag = args[0];
      if (!isFlag(flag)) {
        return fail(
          `Which flag? One of ${INCIDENT_FLAGS.join(', ')}.${flag ? didYouMean(flag, INCIDENT_FLAGS, (name) => `\`${name}\``) : ''}`,
          usageOf(verb),
        );
      }
      return answer(await response.flag(number, responder, flag));
    }
    case 'check':
      if (!args[0]) return fail('Which item? e.g. `during.impact` or `post.runbook`.', usageOf(verb));
      return answer(await response.check(number, responder, args[0]));
    case 'postmortem':
      if (args[0] !== 'done') {
        return fail(
          'The draft is posted when the incident resolves; `fleetbot incidents postmortem N` prints it again.',
          usageOf(verb),
        );
      }
      return answer(await response.postmortemDone(number, responder));
    default:
      return fail(`\`/fleet incident ${verb}\` is not available here.`, usageOf(verb));
  }
}

async function open(
  deps: IncidentCommandDeps,
  words: readonly string[],
  responder: Responder,
  channelId: string,
): Promise<IncidentCommandOutcome> {
  if (words.length === 0) {
    return {
      message: plain('Opening the form to declare an incident…'),
      modal: renderDeclareModal({ services: Object.keys(deps.config.services), sourceChannel: channelId }),
    };
  }
  const [first, ...rest] = words;
  const severity = first?.toUpperCase();
  if (!isSeverity(severity))
    return fail(`Start with the severity, one of ${SEVERITY_IDS.join(', ')}.`, usageOf('open'));
  const serviceAt = rest.indexOf('--service');
  const service = serviceAt >= 0 ? rest[serviceAt + 1] : undefined;
  const title = (serviceAt >= 0 ? [...rest.slice(0, serviceAt), ...rest.slice(serviceAt + 2)] : rest)
    .join(' ')
    .trim();
  if (!title) return fail('Give the incident a title.', usageOf('open'));
  const key = service ? serviceKey(deps.config, service) : undefined;
  if (service && !key) {
    const known = Object.keys(deps.config.services);
    return fail(
      `Unknown service "${service}".${didYouMean(service, known, (name) => `\`${name}\``)}`,
      `Known services: ${known.join(', ')}.`,
    );
  }
  return answer(
    await deps.response.open(responder, {
      severity,
      title: title.slice(0, 300),
      ...(key ? { service: key } : {}),
    }),
  );
}

/** The configured service key for a name people type: the key, an alias or the workload. */
export function serviceKey(config: Config, name: string): string | undefined {
  return Object.entries(config.services).find(
    ([key, service]) => key === name || service.aliases.includes(name) || service.workload === name,
  )?.[0];
}

function answer(outcome: ResponseOutcome): IncidentCommandOutcome {
  if (outcome.ok) return { message: plain(`✅ ${escapeMrkdwn(outcome.message)}`) };
  const icon = outcome.reason === 'denied' ? '🚫' : outcome.reason === 'unchanged' ? 'ℹ️' : '⚠️';
  return { message: plain(`${icon} ${escapeMrkdwn(outcome.message)}`) };
}

function isSeverity(value: string | undefined): value is SeverityId {
  return (SEVERITY_IDS as readonly string[]).includes(value ?? '');
}

function isFlag(value: string | undefined): value is IncidentFlag {
  return (INCIDENT_FLAGS as readonly string[]).includes(value ?? '');
}

function usageOf(verb: string): string {
  const usage = INCIDENT_USAGE.find(([line]) => line.split(' ')[0] === verb)?.[0];
  return usage ? `Usage: /fleet incident ${usage}` : 'Type `/fleet incident help` for the list.';
}

function incidentHelp(): SlackMessage {
  const lines = INCIDENT_USAGE.map(
    ([usage, what]) => `${inlineCode(`/fleet incident ${usage}`)} — ${escapeMrkdwn(what)}`,
  );
  return {
    text: 'fleetbot incident commands',
    blocks: [
      section([bold('Incidents'), ...lines].join('\n')),
      context('N is the incident number: 42 or INC-42.'),
    ],
  };
}

function plain(text: string): SlackMessage {
  return { text, blocks: [section(text)] };
}

function fail(message: string, hint?: string): IncidentCommandOutcome {
  return { message: renderError({ message, ...(hint ? { hint } : {}) }) };
}
