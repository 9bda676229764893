import type { types } from '@slack/bolt';

// Block Kit types come through Bolt (a direct dependency) rather than from @slack/types,
// which is only installed as Bolt's own dependency.
export type KnownBlock = types.KnownBlock;
export type SectionBlock = types.SectionBlock;
export type ContextBlock = types.ContextBlock;
export type ActionsBlock = types.ActionsBlock;
export type Button = types.Button;

/** What every renderer returns: `chat.postMessage` / `chat.update` / `respond` arguments. */
export interface SlackMessage {
  /** Notification and screen-reader fallback, at most 3000 characters. */
  text: string;
  blocks: KnownBlock[];
}

/** A section of mrkdwn text (already escaped by the caller). */
export function section(text: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

/** A context line: small grey mrkdwn text, one element per part. */
export function context(...parts: string[]): ContextBlock {
  return { type: 'context', elements: parts.map((text) => ({ type: 'mrkdwn', text })) };
}

export function actions(...elements: Button[]): ActionsBlock {
  return { type: 'actions', elements };
}

export function button(
  label: string,
  target: { actionId: string; value: string },
  style?: 'primary' | 'danger',
): Button {
  return {
    type: 'button',
    text: { type: 'plain_text', text: label, emoji: true },
    action_id: target.actionId,
    value: target.value,
    ...(style ? { style } : {}),
  };
}
