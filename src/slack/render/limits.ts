import { type Button, context, type KnownBlock, type SlackMessage } from './blocks.ts';

/**
 * Slack's Block Kit limits (https://docs.slack.dev/block-kit and each block's reference page).
 * A message over any of them is refused whole (`invalid_blocks`), so every renderer ends in
 * {@link finish}, which enforces them here and nowhere else.
 */
export const LIMITS = {
  blocks: 50,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  contextElements: 10,
  /** Not documented separately; a context element is held to the section limit. */
  contextText: 3000,
  actionsElements: 25,
  buttonText: 75,
  actionId: 255,
  buttonValue: 2000,
  headerText: 150,
  /** Slack truncates at 40,000; the fallback is a notification, so it is held to a section's length. */
  fallbackText: 3000,
} as const;

const ELLIPSIS = '…';
const FENCE = '```';

/** `text` cut to `max` characters with an ellipsis, never splitting a surrogate pair. */
export function clipPlain(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${withoutLoneSurrogate(text.slice(0, max - ELLIPSIS.length))}${ELLIPSIS}`;
}

/**
 * Escaped mrkdwn cut to `max` characters: never inside an `&amp;` entity or a `<@U…>`/`<!date…>`
 * token, and an open code block is closed again so the rest of the message does not turn monospace.
 * Renderers fit their content before this; it is the last guard, not the way to shorten things.
 */
export function clipMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  const reserve = ELLIPSIS.length + 1 + FENCE.length;
  let cut = text
    .slice(0, max - reserve)
    .replace(/&[a-z]*$/i, '')
    .replace(/<[^>]*$/, '')
    .replace(/`+$/, '');
  cut = `${withoutLoneSurrogate(cut)}${ELLIPSIS}`;
  if (count(cut, FENCE) % 2 === 1) cut += `\n${FENCE}`;
  return cut;
}

/**
 * The message with Slack's limits applied: empty sections and context elements dropped, texts
 * clipped, lists cut to their maximum, and past 50 blocks the first 49 kept plus a line saying how
 * many were not shown. Button `action_id`s and `value`s are routing data, not display text: cutting
 * them would send a click somewhere else, so an oversized one throws.
 */
export function finish(text: string, blocks: readonly KnownBlock[]): SlackMessage {
  const fitted = blocks.map(fitBlock).filter((block): block is KnownBlock => block !== undefined);
  const kept =
    fitted.length <= LIMITS.blocks
      ? fitted
      : [
          ...fitted.slice(0, LIMITS.blocks - 1),
          context(`_… ${(fitted.length - LIMITS.blocks + 1).toLocaleString('en-US')} more not shown_`),
        ];
  const fallback = clipMrkdwn(text.trim(), LIMITS.fallbackText);
  return { text: fallback.length > 0 ? fallback : ELLIPSIS, blocks: kept };
}

function fitBlock(block: KnownBlock): KnownBlock | undefined {
  switch (block.type) {
    case 'section': {
      const text =
        block.text && block.text.text.trim().length > 0
          ? { ...block.text, text: clipMrkdwn(block.text.text, LIMITS.sectionText) }
          : undefined;
      const fields = (block.fields ?? [])
        .filter((field) => field.text.trim().length > 0)
        .slice(0, LIMITS.sectionFields)
        .map((field) => ({ ...field, text: clipMrkdwn(field.text, LIMITS.fieldText) }));
      if (!text && fields.length === 0) return undefined;
      const { text: _text, fields: _fields, ...rest } = block;
      return { ...rest, ...(text ? { text } : {}), ...(fields.length > 0 ? { fields } : {}) };
    }
    case 'context': {
      const elements = block.elements
        .filter((element) => !('text' in element) || element.text.trim().length > 0)
        .slice(0, LIMITS.contextElements)
        .map((element) =>
          'text' in element ? { ...element, text: clipMrkdwn(element.text, LIMITS.contextText) } : element,
        );
      return elements.length > 0 ? { ...block, elements } : undefined;
    }
    case 'actions': {
      const elements = block.elements
        .slice(0, LIMITS.actionsElements)
        .map((element) => (element.type === 'button' ? fitButton(element) : element));
      return elements.length > 0 ? { ...block, elements } : undefined;
    }
    case 'header':
      return { ...block, text: { ...block.text, text: clipPlain(block.text.text, LIMITS.headerText) } };
    default:
      return block;
  }
}

function fitButton(button: Button): Button {
  if (button.action_id && button.action_id.length > LIMITS.actionId) {
    throw new RangeError(
      `Button action_id is ${button.action_id.length} characters; Slack allows ${LIMITS.actionId}. Derive a shorter id.`,
    );
  }
  if (button.value && button.value.length > LIMITS.buttonValue) {
    throw new RangeError(
      `Button value is ${button.value.length} characters; Slack allows ${LIMITS.buttonValue}. Store the payload and pass its id.`,
    );
  }
  return { ...button, text: { ...button.text, text: clipPlain(button.text.text, LIMITS.buttonText) } };
}

/**
 * Every way `message` breaks Slack's limits, as readable lines (none: `[]`). For tests and for a
 * notifier that wants to log what it was about to send when Slack answers `invalid_blocks`.
 */
export function limitViolations(message: SlackMessage): string[] {
  const out: string[] = [];
  if (message.text.length === 0) out.push('text: empty');
  if (message.text.length > LIMITS.fallbackText) {
    out.push(`text: ${message.text.length} > ${LIMITS.fallbackText} characters`);
  }
  if (message.blocks.length > LIMITS.blocks) out.push(`blocks: ${message.blocks.length} > ${LIMITS.blocks}`);
  message.blocks.forEach((block, i) => {
    const at = `blocks[${i}] ${block.type}`;
    const over = (what: string, length: number, max: number) => {
      if (length > max) out.push(`${at} ${what}: ${length} > ${max}`);
    };
    if (block.type === 'section') {
      if (!block.text && !block.fields?.length) out.push(`${at}: neither text nor fields`);
      if (block.text) {
        if (block.text.text.trim().length === 0) out.push(`${at} text: empty`);
        over('text', block.text.text.length, LIMITS.sectionText);
      }
      if (block.fields) {
        over('fields', block.fields.length, LIMITS.sectionFields);
        block.fields.forEach((field, f) => {
          if (field.text.trim().length === 0) out.push(`${at} fields[${f}]: empty`);
          over(`fields[${f}]`, field.text.length, LIMITS.fieldText);
        });
      }
    } else if (block.type === 'context') {
      if (block.elements.length === 0) out.push(`${at}: no elements`);
      over('elements', block.elements.length, LIMITS.contextElements);
      block.elements.forEach((element, e) => {
        if ('text' in element) {
          if (element.text.trim().length === 0) out.push(`${at} elements[${e}]: empty`);
          over(`elements[${e}]`, element.text.length, LIMITS.contextText);
        }
      });
    } else if (block.type === 'actions') {
      if (block.elements.length === 0) out.push(`${at}: no elements`);
      over('elements', block.elements.length, LIMITS.actionsElements);
      block.elements.forEach((element, e) => {
        if (element.type !== 'button') return;
        if (element.text.text.length === 0) out.push(`${at} elements[${e}] text: empty`);
        over(`elements[${e}] text`, element.text.text.length, LIMITS.buttonText);
        over(`elements[${e}] action_id`, element.action_id?.length ?? 0, LIMITS.actionId);
        over(`elements[${e}] value`, element.value?.length ?? 0, LIMITS.buttonValue);
      });
    }
  });
  return out;
}

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

function withoutLoneSurrogate(text: string): string {
  const last = text.charCodeAt(text.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? text.slice(0, -1) : text;
}
