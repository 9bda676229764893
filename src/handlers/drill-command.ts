import { z } from 'zod';
import type { Config } from '../config/index.ts';
import { SEVERITY_IDS } from '../config/schema-kit.ts';
import type { Clock } from '../domain/clock.ts';
import { DRILL_NOTIFY } from '../domain/incident.ts';
import { previewSteps } from '../escalation/preview-text.ts';
import { safeJson } from '../lib/safe-json.ts';
import type { DrillRequest, Drills } from '../services/drills.ts';
import type { ResponseOutcome } from '../services/incident-response.ts';
import { actions, button, context, type SlackMessage, section } from '../slack/render/blocks.ts';
import { bold, escapeMrkdwn, formatDuration, inlineCode, slackDate } from '../slack/render/mrkdwn.ts';
import { renderError } from '../slack/render/notices.ts';
import { serviceKey } from './incident-command.ts';

export interface DrillCommandDeps {
  config: Config;
  drills: Drills;
  clock: Clock;
}

/** The buttons of a drill's confirmation; their value is the request, as {@link drillConfirmation} reads it. */
export const DRILL_ACTIONS = { start: 'drill.start', cancel: 'drill.cancel' } as const;

const USAGE = '/fleet drill P1 [--service api] [--speed 10] [--notify people|channel] [--include cto]';
const DEFAULT_SPEED = 10;
const MAX_SPEED = 600;
/** How long the Start button works: as long as a destructive action's confirmation. */
const CONFIRMATION_TTL_MS = 5 * 60_000;

/** What the Start button carries: the checked request, who asked, until when. Checked again on click. */
const drillConfirmation = z.object({
  request: z.object({
    severity: z.enum(SEVERITY_IDS),
    service: z.string().optional(),
    speed: z.number().int().min(1).max(MAX_SPEED),
    notify: z.enum(DRILL_NOTIFY),
    includeCto: z.boolean(),
  }),
  requestedBy: z.string(),
  expiresAt: z.number(),
});

/** `/fleet drill …` → the answer only the requester sees: the confirmation, a stop, help or an error. */
export async function handleDrillCommand(
  deps: DrillCommandDeps,
  words: readonly string[],
  userId: string,
): Promise<SlackMessage> {
  const [verb = 'help'] = words;
  if (verb === 'help') return help();
  if (verb === 'stop') return said(await deps.drills.stop(userId));
  const parsed = parseDrill(deps.config, words);
  if ('error' in parsed) return renderError({ message: parsed.error, hint: `Usage: ${USAGE}` });
  const refusal = await deps.drills.refusal(userId);
  if (refusal) return said(refusal);
  return confirmation(deps, parsed.request, userId);
}

/** The Start or Cancel button of a drill's confirmation → what to tell the person who clicked. */
export async function handleDrillClick(
  deps: DrillCommandDeps,
  click: { userId: string; value: string; start: boolean },
): Promise<string | SlackMessage> {
  const parsed = drillConfirmation.safeParse(safeJson(click.value));
  if (!parsed.success) return 'This button is not from a drill fleetbot can read; type the command again.';
  const { request, requestedBy, expiresAt } = parsed.data;
  if (click.userId !== requestedBy) return `Only <@${requestedBy}>, who asked for this drill, can start it.`;
  if (!click.start) return 'Drill not started.';
  if (deps.clock.now().getTime() > expiresAt) {
    return 'This confirmation has expired; nothing was started. Type the command again.';
  }
  const { service, ...rest } = request;
  return said(await deps.drills.start(click.userId, { ...rest, ...(service ? { service } : {}) }));
}

function parseDrill(config: Config, words: readonly string[]): { request: DrillRequest } | { error: string } {
  const [first, ...rest] = words;
  const severity = SEVERITY_IDS.find((id) => id === first?.toUpperCase());
  if (!severity) return { error: `Start with the severity to practise, one of ${SEVERITY_IDS.join(', ')}.` };
  const request: DrillRequest = { severity, speed: DEFAULT_SPEED, notify: 'people', includeCto: false };
  for (let index = 0; index < rest.length; index += 2) {
    const [flag, value] = [rest[index], rest[index + 1]];
    if (value === undefined) return { error: `\`${flag}\` needs a value.` };
    switch (flag) {
      case '--service': {
        const key = serviceKey(config, value);
        if (!key) {
          return {
            error: `Unknown service "${value}". Known services: ${Object.keys(config.services).join(', ')}.`,
          };
        }
        request.service = key;
        break;
      }
      case '--speed': {
        const speed = Number(value);
        if (!Number.isInteger(speed) || speed < 1 || speed > MAX_SPEED) {
          return {
            error: `--speed is a whole number from 1 to ${MAX_SPEED} (every duration is divided by it), got "${value}".`,
          };
        }
        request.speed = speed;
        break;
      }
      case '--notify': {
        const notify = DRILL_NOTIFY.find((mode) => mode === value);
        if (!notify)
          return {
            error: `--notify is people (DMs, as in production) or channel (mentions in the drill's thread only), got "${value}".`,
          };
        request.notify = notify;
        break;
      }
      case '--include':
        if (value !== 'cto')
          return { error: `Only the CTO can be included (\`--include cto\`), got "${value}".` };
        request.includeCto = true;
        break;
      default:
        return { error: `Unknown option "${flag}".` };
    }
  }
  return { request };
}

/** What the drill will do, who it pages when, and Start / Cancel. */
function confirmation(deps: DrillCommandDeps, request: DrillRequest, userId: string): SlackMessage {
  const { config, clock } = deps;
  const now = clock.now();
  const { steps } = previewSteps(config, request.severity, now, [], {
    drill: { speed: request.speed, notify: request.notify, includeCto: request.includeCto },
  });
  const lines = steps.map(
    (step) =>
      `+${formatDuration(step.afterMs)}${request.speed > 1 ? ` (${formatDuration(step.afterMs * request.speed)} in production)` : ''}: ${
        step.kind === 'page' ? 'page' : 'notify'
      } ${escapeMrkdwn(step.names.join(', '))}`,
  );
  const service = request.service ? config.services[request.service]?.workload : undefined;
  const value = JSON.stringify({
    request,
    requestedBy: userId,
    expiresAt: now.getTime() + CONFIRMATION_TTL_MS,
  });
  const text = `🧪 Start a ${request.severity} DRILL${service ? ` on ${service}` : ''} at ×${request.speed}?`;
  return {
    text,
    blocks: [
      section(
        `${bold(text)}\nIt runs the real escalation matrix with every duration divided by ${request.speed}, and ${
          request.notify === 'people'
            ? 'DMs the real people as production would'
            : 'keeps the pings in its thread (mentions, no DMs)'
        }. Every message says DRILL; runbook buttons only show what they would do.${
          request.includeCto ? ' The CTO is included.' : ' The CTO is not paged.'
        }`,
      ),
      section(
        `${bold('Who is paged when, if nobody acknowledges')}\n${lines.join('\n') || 'Nobody: no step is planned.'}`,
      ),
      context(
        `It ends when someone resolves it, with ${inlineCode('/fleet drill stop')}, or one response time after its last step; then its report is posted. This confirmation expires ${slackDate(new Date(now.getTime() + CONFIRMATION_TTL_MS), '{time}')}.`,
      ),
      actions(
        button('Start drill', { actionId: DRILL_ACTIONS.start, value }, 'primary'),
        button('Cancel', { actionId: DRILL_ACTIONS.cancel, value }),
      ),
    ],
  };
}

function help(): SlackMessage {
  const text = [
    bold('Drills'),
    `${inlineCode(USAGE)} — a practice incident that runs the real escalation matrix, every duration divided by --speed (default ${DEFAULT_SPEED}); asks you to confirm first`,
    `${inlineCode('/fleet drill stop')} — end the running drill now; its report follows`,
  ].join('\n');
  return {
    text: 'fleetbot drill commands',
    blocks: [
      section(text),
      context('One drill at a time. Starting or stopping one needs the drill permission.'),
    ],
  };
}

function said(outcome: ResponseOutcome): SlackMessage {
  const icon = outcome.ok ? '🧪' : outcome.reason === 'denied' ? '🚫' : 'ℹ️';
  // fleetbot's own sentences, with mentions and dates in Slack's syntax: not escaped.
  const text = `${icon} ${outcome.message}`;
  return { text, blocks: [section(text)] };
}
