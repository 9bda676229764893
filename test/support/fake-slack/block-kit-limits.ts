/**
 * The Block Kit limits Slack enforces on messages and views (NOTES.md §5 and the block reference pages),
 * reported as Slack reports them: one `<problem> [json-pointer:/blocks/…]` line per violation. Only the
 * limits fleetbot can hit are checked; anything else passes.
 */

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const textOf = (value: unknown): string | undefined =>
  isObject(value) && typeof value.text === 'string' ? value.text : undefined;

/** Blocks per message; modals and Home tabs allow 100. */
export const MESSAGE_BLOCK_LIMIT = 50;
export const VIEW_BLOCK_LIMIT = 100;

class Problems {
  readonly lines: string[] = [];

  maxLength(value: unknown, max: number, pointer: string): void {
    if (typeof value === 'string' && value.length > max) {
      this.lines.push(`must be less than ${max + 1} characters [json-pointer:${pointer}]`);
    }
  }

  maxItems(value: unknown, max: number, pointer: string): void {
    if (Array.isArray(value) && value.length > max) {
      this.lines.push(`must be less than ${max + 1} items [json-pointer:${pointer}]`);
    }
  }

  add(problem: string, pointer: string): void {
    this.lines.push(`${problem} [json-pointer:${pointer}]`);
  }
}

function checkButton(element: Json, pointer: string, problems: Problems): void {
  problems.maxLength(textOf(element.text), 75, `${pointer}/text/text`);
  problems.maxLength(element.action_id, 255, `${pointer}/action_id`);
  problems.maxLength(element.value, 2000, `${pointer}/value`);
  problems.maxLength(element.url, 3000, `${pointer}/url`);
  if (element.style !== undefined && element.style !== 'primary' && element.style !== 'danger') {
    problems.add('must be one of "primary", "danger"', `${pointer}/style`);
  }
}

function checkBlock(block: Json, pointer: string, problems: Problems): void {
  problems.maxLength(block.block_id, 255, `${pointer}/block_id`);
  switch (block.type) {
    case 'header':
      problems.maxLength(textOf(block.text), 150, `${pointer}/text/text`);
      break;
    case 'section': {
      const text = textOf(block.text);
      if (text === '') problems.add('must be more than 0 characters', `${pointer}/text/text`);
      problems.maxLength(text, 3000, `${pointer}/text/text`);
      if (text === undefined && !Array.isArray(block.fields)) {
        problems.add('must provide either text or fields', pointer);
      }
      problems.maxItems(block.fields, 10, `${pointer}/fields`);
      if (Array.isArray(block.fields)) {
        block.fields.forEach((field, i) => {
          problems.maxLength(textOf(field), 2000, `${pointer}/fields/${i}/text`);
        });
      }
      break;
    }
    case 'actions':
      problems.maxItems(block.elements, 25, `${pointer}/elements`);
      if (Array.isArray(block.elements)) {
        block.elements.forEach((element, i) => {
          if (isObject(element) && element.type === 'button') {
            checkButton(element, `${pointer}/elements/${i}`, problems);
          }
        });
      }
      break;
    case 'context':
      problems.maxItems(block.elements, 10, `${pointer}/elements`);
      break;
  }
}

/** The violations in a decoded `blocks` array; empty when Slack would accept it. */
export function blockProblems(blocks: readonly unknown[], maxBlocks: number): string[] {
  const problems = new Problems();
  problems.maxItems(blocks, maxBlocks, '/blocks');
  const blockIds = new Set<string>();
  blocks.forEach((block, i) => {
    const pointer = `/blocks/${i}`;
    if (!isObject(block) || typeof block.type !== 'string') {
      problems.add('missing required field: type', pointer);
      return;
    }
    if (typeof block.block_id === 'string') {
      if (blockIds.has(block.block_id)) problems.add('block_id must be unique', `${pointer}/block_id`);
      blockIds.add(block.block_id);
    }
    checkBlock(block, pointer, problems);
  });
  return problems.lines;
}
