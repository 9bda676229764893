import type { Incident } from '../../domain/incident.ts';
import { incidentRef } from '../../domain/incident.ts';
import type { EscalationStep } from '../../escalation/evaluator.ts';
import { spokenDuration } from '../../escalation/evaluator.ts';
import { actions, button, context, type SlackMessage, section } from './blocks.ts';
import { INCIDENT_ACTIONS } from './incident.ts';
import { bold, escapeMrkdwn, slackDate } from './mrkdwn.ts';

export interface RenderEscalationPingInput {
  incident: Incident;
  step: EscalationStep;
  /** `Team Lead, Engineering Manager`. */
  roleNames: string;
  /** How long the incident has been open. */
  waitedMs: number;
  /** How late the step is (fleetbot was down when it was due); 0 when on time. */
  lateMs: number;
}

/**
 * An escalation ping: the DM to each person (what, how long it waited, why them, one-click
 * Acknowledge) and the line under the incident's message that mentions them all.
 */
export function renderEscalationPing(input: RenderEscalationPingInput): {
  direct: SlackMessage;
  thread: (mentions: readonly string[]) => SlackMessage;
} {
  const { incident, step } = input;
  const ref = incidentRef(incident.number);
  const what = `${ref} (${incident.severity}) · ${escapeMrkdwn(incident.title)}`;
  const late =
    input.lateMs > 0
      ? ` ⚠️ This page is ${spokenDuration(input.lateMs)} late: fleetbot was not running when it was due.`
      : '';
  const why =
    step.kind === 'page'
      ? `You are paged as ${escapeMrkdwn(input.roleNames)}.`
      : `You are next on the escalation matrix (${escapeMrkdwn(input.roleNames)}): ${escapeMrkdwn(step.reason)}.`;
  const drill = incident.drill ? '🧪 DRILL · ' : '';
  const first = `${drill}🔔 ${bold(what)} has been open ${spokenDuration(input.waitedMs)}${
    incident.acknowledgedAt ? '' : ' without acknowledgement'
  }. ${why}${late}`;
  const direct: SlackMessage = {
    text: `${drill}🔔 ${ref} (${incident.severity}) ${incident.title}: ${step.kind === 'page' ? 'you are paged' : 'escalated to you'}`,
    blocks: [
      section(first),
      context(
        `opened ${slackDate(incident.openedAt, '{time}')}${incident.channel ? ` · <#${incident.channel}>` : ''} · \`/fleet incident show ${incident.drill ? ref : incident.number}\``,
      ),
      ...(incident.acknowledgedAt
        ? []
        : [
            actions(
              button(
                'Acknowledge',
                { actionId: INCIDENT_ACTIONS.acknowledge, value: String(incident.number) },
                'primary',
              ),
            ),
          ]),
    ],
  };
  return {
    direct,
    thread: (mentions) => {
      const text = `${drill}🔔 ${step.kind === 'page' ? 'Paged' : 'Escalated to'} ${escapeMrkdwn(input.roleNames)}: ${escapeMrkdwn(step.reason)}${late} ${
        mentions.length > 0 ? mentions.join(' ') : '(nobody holds these roles in fleetbot.yml)'
      }`;
      return { text, blocks: [section(text)] };
    },
  };
}
