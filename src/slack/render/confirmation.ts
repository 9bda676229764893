import type { Preview } from '../../actions/action.ts';
import { actions, button, context, type KnownBlock, type SlackMessage, section } from './blocks.ts';
import { finish } from './limits.ts';
import { bold, escapeMrkdwn, inlineCode, mention, slackDate } from './mrkdwn.ts';
import { commandLine } from './notices.ts';

/** Where a button's click is routed: the handler's `action_id` and the payload it needs back. */
export interface ButtonTarget {
  actionId: string;
  value: string;
}

export interface RenderConfirmationInput {
  preview: Preview;
  /** Slack user id of whoever asked. */
  requestedBy: string;
  expiresAt: Date;
  confirm: ButtonTarget;
  cancel: ButtonTarget;
  /** When set, the requester may not confirm; another person with `role` must. */
  secondPerson?: { role: string };
  /** Items to tick before the confirm button counts (the runbook's pre-deployment checklist). */
  checklist?: readonly string[];
}

/** The checklist's checkboxes: their state comes with the confirm button's click. */
export const CONFIRM_CHECKLIST = { block: 'confirm.checklist', action: 'confirm.checklist' } as const;

/**
 * Verbs whose confirm button is red: they take running pods away or put old code back.
 * Anything else (Scale, Apply, Update) gets the ordinary primary style.
 */
const DANGER_VERB =
  /^(restart|roll ?back|scale down|delete|remove|drain|stop|kill|terminate|evict|drop|purge)\b/i;

export function confirmStyle(verb: string): 'danger' | 'primary' {
  return DANGER_VERB.test(verb.trim()) ? 'danger' : 'primary';
}

/**
 * The confirmation of a destructive action: the question in bold, what will happen one line each,
 * the runbook's cautions, [verb] [Cancel], and when the offer lapses (in the reader's time zone).
 */
export function renderConfirmation(input: RenderConfirmationInput): SlackMessage {
  const { preview } = input;
  const question = escapeMrkdwn(preview.question.trim());
  const verb = preview.verb.trim() || 'Confirm';
  const blocks = previewBlocks(preview);
  if (input.secondPerson) {
    blocks.push(
      section(
        `🔐 A second person must confirm: someone with the ${bold(escapeMrkdwn(input.secondPerson.role))} role other than ${mention(input.requestedBy)}.`,
      ),
    );
  }
  if (input.checklist && input.checklist.length > 0) {
    blocks.push(section(bold('Before you confirm, tick each item:')), {
      type: 'actions',
      block_id: CONFIRM_CHECKLIST.block,
      elements: [
        {
          type: 'checkboxes',
          action_id: CONFIRM_CHECKLIST.action,
          options: input.checklist.map((item, index) => ({
            text: { type: 'plain_text', text: item },
            value: String(index),
          })),
        },
      ],
    });
  }
  blocks.push(
    actions(button(verb, input.confirm, confirmStyle(verb)), button('Cancel', input.cancel)),
    context(`Requested by ${mention(input.requestedBy)} · expires ${slackDate(input.expiresAt, '{time}')}`),
  );
  return finish(
    `${question} ${escapeMrkdwn(verb)} or cancel before ${slackDate(input.expiresAt, '{time}')}.`,
    blocks,
  );
}

export interface RenderConfirmationClosedInput {
  preview: Preview;
  outcome: 'confirmed' | 'cancelled' | 'expired';
  /** Slack user id of whoever answered; none when it expired. */
  by?: string;
  at: Date;
}

/**
 * A runbook action asked for from a drill: what it would do, and no button to do it. A drill never
 * changes the cluster.
 */
export function renderDrillPreview(preview: Preview, requestedBy: string): SlackMessage {
  const question = escapeMrkdwn(preview.question.trim());
  const note = `🧪 ${bold('DRILL')}: in a real incident this is what ${bold(escapeMrkdwn(preview.verb.trim() || 'Confirm'))} would do. Nothing was changed: a drill only previews its runbook actions.`;
  return finish(`DRILL preview: ${question} Nothing was changed.`, [
    context(note),
    ...previewBlocks(preview),
    context(`Requested by ${mention(requestedBy)}`),
  ]);
}

/** The question in bold, what will happen one line each, and the runbook's cautions. */
function previewBlocks(preview: Preview): KnownBlock[] {
  const question = escapeMrkdwn(preview.question.trim());
  const details = preview.details
    .map((line) => line.trim())
    .filter(Boolean)
    .map(escapeMrkdwn);
  const blocks: KnownBlock[] = [section([bold(question), ...details].join('\n'))];
  const warnings = preview.warnings.map((line) => line.trim()).filter(Boolean);
  if (warnings.length > 0) blocks.push(section(warnings.map((line) => `⚠️ ${escapeMrkdwn(line)}`).join('\n')));
  return blocks;
}

/** What replaces a confirmation once it is answered: the question and the answer, and no buttons to press twice. */
export function renderConfirmationClosed(input: RenderConfirmationClosedInput): SlackMessage {
  const question = escapeMrkdwn(input.preview.question.trim());
  const by = input.by ? ` by ${mention(input.by)}` : '';
  const when = slackDate(input.at);
  const verb = escapeMrkdwn(input.preview.verb.trim());
  const outcome = {
    confirmed: `✅ ${verb ? `${verb} confirmed` : 'Confirmed'}${by} · ${when}`,
    cancelled: `🚫 Cancelled${by} · ${when} · nothing was changed`,
    expired: `⌛ Expired unanswered · ${when} · nothing was changed; run the command again if it is still needed`,
  }[input.outcome];
  return finish(`${question} ${outcome}`, [section(question), context(outcome)]);
}

export interface RenderValueRequestInput {
  action: string;
  /** The words typed after the verb. */
  args: string;
  /** Slack user id of the second person who approved. */
  approvedBy: string;
  button: ButtonTarget;
}

/** An approved two-person secret change asking its requester for the value: one button, which opens the private form. */
export function renderValueRequest(input: RenderValueRequestInput): SlackMessage {
  const command = inlineCode(commandLine(input.action, input.args));
  const first = `✅ ${mention(input.approvedBy)} approved ${command}. Enter the new value in a private form; it is never shown, logged or stored.`;
  return finish(first, [
    section(first),
    actions(button('Enter the value', input.button, 'primary')),
    context(
      'The approval lapses after 5 minutes without a value; nothing changes until the value is submitted.',
    ),
  ]);
}
