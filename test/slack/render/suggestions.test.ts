import { describe, expect, it } from 'vitest';
import type { ActionResult } from '../../../src/actions/action.ts';
import { renderText } from '../../../src/cli/render-text.ts';
import { limitViolations, renderResult, SUGGESTION_ACTION } from '../../../src/slack/render/index.ts';

// Pure rendering of a result's suggested commands: buttons in Slack, `Next:` lines in a terminal.

const result: ActionResult = {
  status: 'warning',
  summary: '1 problem found · Slow response times: fleet-api',
  sections: [{ title: '⚠ Slow response times · fleet-api', text: '2 of 2 fleet-api pods run hot.' }],
  suggestions: [
    { label: 'Scale fleet-api to 3…', command: 'scale api 3' },
    { label: 'Error logs of fleet-api', command: 'logs api --grep error' },
  ],
};

describe('suggested commands', () => {
  it('are buttons whose value is the command, under the result and above its footer', () => {
    const message = renderResult({ action: 'diagnose slow', result, requestedBy: 'U0000ONCALL' });
    expect(limitViolations(message)).toEqual([]);
    const actions = message.blocks.filter((block) => block.type === 'actions');
    expect(actions).toHaveLength(1);
    expect(message.blocks.at(-2)).toBe(actions[0]);
    expect(
      (
        actions[0] as { elements: { action_id: string; value: string; text: { text: string } }[] }
      ).elements.map((e) => [e.action_id, e.value, e.text.text]),
    ).toEqual([
      [`${SUGGESTION_ACTION}.0`, 'scale api 3', 'Scale fleet-api to 3…'],
      [`${SUGGESTION_ACTION}.1`, 'logs api --grep error', 'Error logs of fleet-api'],
    ]);
  });

  it('add no block to a result without them', () => {
    const message = renderResult({ action: 'status', result: { ...result, suggestions: [] } });
    expect(message.blocks.some((block) => block.type === 'actions')).toBe(false);
  });

  it('are Next lines in a terminal', () => {
    expect(renderText(result).split('\n').slice(-2)).toEqual([
      'Next: fleetbot run scale api 3   (Scale fleet-api to 3…)',
      'Next: fleetbot run logs api --grep error   (Error logs of fleet-api)',
    ]);
  });
});
