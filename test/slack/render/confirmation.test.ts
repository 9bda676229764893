import { describe, expect, it } from 'vitest';
import type { Preview } from '../../../src/actions/action.ts';
import {
  confirmStyle,
  limitViolations,
  renderConfirmation,
  renderConfirmationClosed,
  type SlackMessage,
} from '../../../src/slack/render/index.ts';

const preview: Preview = {
  question: 'Restart Deployment fleet-api in fleet-management?',
  details: [
    '3 pods · image fleet-api:1.4.2 · last restarted 2 days ago · no rollout in progress',
    'This replaces every pod one by one (maxUnavailable 25%).',
  ],
  warnings: ['Never restart fleet-postgres without a fresh backup & a <maintenance> window.'],
  verb: 'Restart',
};
const expiresAt = new Date('2026-11-26T14:07:00Z');
const confirm = { actionId: 'fleet.confirm', value: '{"requestId":"R1","action":"restart"}' };
const cancel = { actionId: 'fleet.cancel', value: '{"requestId":"R1"}' };

function textOf(message: SlackMessage): string[] {
  return message.blocks.flatMap((block) => {
    if (block.type === 'section') return block.text ? [block.text.text] : [];
    if (block.type === 'context') return block.elements.flatMap((e) => ('text' in e ? [e.text] : []));
    return [];
  });
}

describe('renderConfirmation', () => {
  const message = renderConfirmation({ preview, requestedBy: 'U0DANA', expiresAt, confirm, cancel });

  it('asks the question in bold, then the details one per line, then the warnings', () => {
    const [question, warnings] = textOf(message);
    expect(question).toBe(
      '*Restart Deployment fleet-api in fleet-management?*\n' +
        '3 pods · image fleet-api:1.4.2 · last restarted 2 days ago · no rollout in progress\n' +
        'This replaces every pod one by one (maxUnavailable 25%).',
    );
    expect(warnings).toBe(
      '⚠️ Never restart fleet-postgres without a fresh backup &amp; a &lt;maintenance&gt; window.',
    );
    expect(message.text).toContain('Restart Deployment fleet-api in fleet-management?');
    expect(limitViolations(message)).toEqual([]);
  });

  it('offers [Restart] in red and [Cancel], passing action ids and values through', () => {
    const actions = message.blocks.filter((block) => block.type === 'actions');
    expect(actions).toHaveLength(1);
    expect(actions[0]?.type === 'actions' && actions[0].elements).toEqual([
      {
        type: 'button',
        text: { type: 'plain_text', text: 'Restart', emoji: true },
        action_id: 'fleet.confirm',
        value: confirm.value,
        style: 'danger',
      },
      {
        type: 'button',
        text: { type: 'plain_text', text: 'Cancel', emoji: true },
        action_id: 'fleet.cancel',
        value: cancel.value,
      },
    ]);
  });

  it('says when it expires in the reader’s time zone, and who asked', () => {
    expect(textOf(message).at(-1)).toBe(
      `Requested by <@U0DANA> · expires <!date^${expiresAt.getTime() / 1000}^{time}|14:07 UTC>`,
    );
  });

  it('says when a second person with a role must confirm', () => {
    const gated = renderConfirmation({
      preview,
      requestedBy: 'U0DANA',
      expiresAt,
      confirm,
      cancel,
      secondPerson: { role: 'Team Lead' },
    });
    expect(textOf(gated)).toContain(
      '🔐 A second person must confirm: someone with the *Team Lead* role other than <@U0DANA>.',
    );
    expect(gated.blocks.some((block) => block.type === 'actions')).toBe(true);
  });

  it('colours the verbs that take pods away or put old code back red, others primary', () => {
    for (const verb of ['Restart', 'Roll back', 'Scale down', 'Delete'])
      expect(confirmStyle(verb)).toBe('danger');
    for (const verb of ['Scale', 'Apply', 'Update', 'Scale up']) expect(confirmStyle(verb)).toBe('primary');
    const apply = renderConfirmation({
      preview: { ...preview, verb: 'Apply' },
      requestedBy: 'U1',
      expiresAt,
      confirm,
      cancel,
    });
    const button = apply.blocks.find((block) => block.type === 'actions');
    expect(button?.type === 'actions' && button.elements[0]).toMatchObject({ style: 'primary' });
  });

  it('keeps a long verb within the button limit and refuses an oversized action id or value', () => {
    const long = renderConfirmation({
      preview: { ...preview, verb: 'Restart '.repeat(20) },
      requestedBy: 'U1',
      expiresAt,
      confirm,
      cancel,
    });
    expect(limitViolations(long)).toEqual([]);
    expect(() =>
      renderConfirmation({
        preview,
        requestedBy: 'U1',
        expiresAt,
        confirm: { actionId: 'a'.repeat(256), value: 'v' },
        cancel,
      }),
    ).toThrow(/action_id/);
    expect(() =>
      renderConfirmation({
        preview,
        requestedBy: 'U1',
        expiresAt,
        confirm: { actionId: 'a', value: 'v'.repeat(2001) },
        cancel,
      }),
    ).toThrow(/value/);
  });
});

describe('renderConfirmationClosed', () => {
  const at = new Date('2026-11-26T14:03:00Z');
  const date = `<!date^${at.getTime() / 1000}^{date_short_pretty} {time}|2026-11-26 14:03 UTC>`;

  it.each([
    ['confirmed', 'U0SAM', `✅ Restart confirmed by <@U0SAM> · ${date}`],
    ['cancelled', 'U0DANA', `🚫 Cancelled by <@U0DANA> · ${date} · nothing was changed`],
    [
      'expired',
      undefined,
      `⌛ Expired unanswered · ${date} · nothing was changed; run the command again if it is still needed`,
    ],
  ] as const)('%s: the question and the answer, and no buttons', (outcome, by, line) => {
    const message = renderConfirmationClosed({ preview, outcome, at, ...(by ? { by } : {}) });
    expect(message.blocks.some((block) => block.type === 'actions')).toBe(false);
    expect(textOf(message)).toEqual(['Restart Deployment fleet-api in fleet-management?', line]);
    expect(limitViolations(message)).toEqual([]);
  });
});
