import type { Permission } from '../../actions/action.ts';
import { redactCommand } from '../../logging/redact.ts';
import { context, type SlackMessage, section } from './blocks.ts';
import { clipPlain, finish } from './limits.ts';
import { bold, escapeMrkdwn, hintLine, inlineCode, mention } from './mrkdwn.ts';

/** Arguments echoed back at most this long; the command is a reminder, not a record. */
const MAX_ARGS = 500;

export interface RenderAcceptedInput {
  action: string;
  /** The arguments as typed after the action name. */
  args: string;
  /** Slack user id of whoever asked. */
  requestedBy: string;
}

/** The immediate answer to a command, before any work: `⏳ Running /fleet logs api --tail 200…`. */
export function renderAccepted(input: RenderAcceptedInput): SlackMessage {
  const command = inlineCode(commandLine(input.action, input.args));
  return finish(`⏳ Running ${command}…`, [
    section(`⏳ Running ${command}…`),
    context(`Requested by ${mention(input.requestedBy)}`),
  ]);
}

/**
 * A command as fleetbot shows it back (the acknowledgement, a run's header): `/fleet env api set
 * DB_PASSWORD=[REDACTED]`. Values of secret-looking keys and credentials in URLs are masked the way
 * logs mask them, and it is cut at a length a reminder needs.
 */
export function commandLine(action: string, args: string): string {
  return clipPlain(`/fleet ${action} ${redactCommand(args)}`.trim(), MAX_ARGS);
}

export interface RenderErrorInput {
  message: string;
  hint?: string;
}

/** Something the bot could not do (bad usage, unknown service, queue down): what and, if known, what to do. */
export function renderError(input: RenderErrorInput): SlackMessage {
  const first = `❌ ${escapeMrkdwn(input.message.trim())}`;
  const text = input.hint?.trim() ? `${first}\n${hintLine(input.hint)}` : first;
  return finish(text, [section(text)]);
}

export interface RenderDeniedInput {
  action: string;
  needed: Permission;
  /** What they may not do with it. @defaultValue `run` */
  doing?: 'run' | 'confirm' | 'cancel';
  /** Names of the roles that grant `needed`, e.g. `['On-Call Engineer', 'Team Lead']`. */
  roles: readonly string[];
}

/**
 * The one denial: a command, a confirmation or a cancellation refused by the role check, with what
 * it needs, which roles grant that, and who to ask.
 */
export function renderDenied(input: RenderDeniedInput): SlackMessage {
  const doing = input.doing ?? 'run';
  const roles = input.roles.map((role) => bold(escapeMrkdwn(role)));
  const one = roles.length === 1;
  const grant =
    roles.length === 0
      ? 'No role grants it yet: an admin can add it to one in the fleetbot config.'
      : `Granted by ${list(roles)}. Ask someone with ${one ? 'that role' : 'one of these roles'} to ${doing} it, or an admin to give you ${one ? 'it' : 'one'}.`;
  const first = `🚫 You may not ${doing} ${inlineCode(`/fleet ${input.action}`)}: it needs the ${bold(input.needed)} permission.`;
  return finish(first, [section(`${first}\n${grant}`)]);
}

/** `a`, `a and b`, `a, b and c`. */
function list(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
