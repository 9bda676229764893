import { describe, expect, it } from 'vitest';
import { actions, button, context, type KnownBlock, section } from '../../../src/slack/render/blocks.ts';
import { clipMrkdwn, clipPlain, finish, LIMITS, limitViolations } from '../../../src/slack/render/limits.ts';
import { fitLines } from '../../../src/slack/render/mrkdwn.ts';

describe('finish: Slack limits in one place', () => {
  it('keeps 49 of too many blocks and says how many are not shown', () => {
    const blocks = Array.from({ length: 120 }, (_, i) => section(`block ${i}`));
    const message = finish('many', blocks);
    expect(message.blocks).toHaveLength(LIMITS.blocks);
    expect(message.blocks[48]).toEqual(section('block 48'));
    expect(message.blocks[49]).toEqual(context('_… 71 more not shown_'));
    expect(limitViolations(message)).toEqual([]);
  });

  it('leaves exactly 50 blocks alone', () => {
    const message = finish(
      'fifty',
      Array.from({ length: 50 }, (_, i) => section(`block ${i}`)),
    );
    expect(message.blocks).toHaveLength(50);
    expect(message.blocks[49]).toEqual(section('block 49'));
  });

  it('drops empty sections, context elements and contexts rather than send invalid ones', () => {
    const message = finish('x', [
      section(''),
      section('  \n'),
      context('', 'kept'),
      context(''),
      section('ok'),
    ]);
    expect(message.blocks).toEqual([context('kept'), section('ok')]);
  });

  it('clips section text, fields, context elements and button text', () => {
    const withFields: KnownBlock = {
      type: 'section',
      fields: Array.from({ length: 12 }, (_, i) => ({ type: 'mrkdwn', text: `${i}${'f'.repeat(2500)}` })),
    };
    const message = finish('y'.repeat(5000), [
      section('s'.repeat(4000)),
      withFields,
      context(...Array.from({ length: 12 }, (_, i) => `c${i}`)),
      actions(button('b'.repeat(100), { actionId: 'a', value: 'v' })),
    ]);
    expect(limitViolations(message)).toEqual([]);
    expect(message.text.length).toBeLessThanOrEqual(LIMITS.fallbackText);
    const [text, fields, ctx, acts] = message.blocks;
    expect(text?.type === 'section' && text.text?.text.length).toBe(LIMITS.sectionText - 4);
    expect(fields?.type === 'section' && fields.fields?.length).toBe(10);
    expect(fields?.type === 'section' && fields.fields?.every((f) => f.text.length <= 2000)).toBe(true);
    expect(ctx?.type === 'context' && ctx.elements.length).toBe(10);
    expect(
      acts?.type === 'actions' && acts.elements[0]?.type === 'button' && acts.elements[0].text.text,
    ).toHaveLength(75);
  });

  it('never sends an empty fallback text', () => {
    expect(finish('   ', [section('a')]).text).toBe('…');
  });

  it('throws on routing data Slack would refuse, instead of cutting it', () => {
    expect(() => finish('x', [actions(button('Go', { actionId: 'a'.repeat(256), value: 'v' }))])).toThrow(
      RangeError,
    );
    expect(() => finish('x', [actions(button('Go', { actionId: 'a', value: 'v'.repeat(2001) }))])).toThrow(
      RangeError,
    );
    expect(() =>
      finish('x', [actions(button('Go', { actionId: 'a'.repeat(255), value: 'v'.repeat(2000) }))]),
    ).not.toThrow();
  });
});

describe('clipping mrkdwn', () => {
  it('never cuts inside an entity or a token, and ends with an ellipsis', () => {
    for (let max = 20; max < 40; max++) {
      const clipped = clipMrkdwn(
        `${'x'.repeat(10)}&amp;&lt;<@U0DANA> <!date^1^{time}|14:00 UTC> tail tail tail`,
        max,
      );
      expect(clipped.length).toBeLessThanOrEqual(max);
      expect(clipped.endsWith('…')).toBe(true);
      expect(clipped).not.toMatch(/&[a-z]*…$/);
      expect(clipped).not.toMatch(/<[^>]*…$/);
    }
  });

  it('closes a code block it cuts open', () => {
    const clipped = clipMrkdwn(`*Title*\n\`\`\`\n${'line\n'.repeat(1000)}\`\`\``, 3000);
    expect(clipped.length).toBeLessThanOrEqual(3000);
    expect(clipped.endsWith('…\n```')).toBe(true);
    expect(clipped.split('```').length - 1).toBe(2);
  });

  it('does not split a surrogate pair', () => {
    expect(clipPlain('ab😀cd', 4)).toBe('ab…');
    expect(clipPlain('short', 10)).toBe('short');
  });
});

describe('fitLines', () => {
  const lines = Array.from({ length: 1000 }, (_, i) => `row ${i} ${'.'.repeat(50)}`);

  it('fits whole lines and states how many more there are', () => {
    const { text, shown } = fitLines(['HEADER', ...lines], {
      before: '*T*\n',
      keep: 1,
      code: true,
      noun: 'rows',
      maxLine: 300,
    });
    expect(text.length).toBeLessThanOrEqual(3000);
    expect(text.startsWith('*T*\n```\nHEADER\nrow 0 ')).toBe(true);
    expect(text.endsWith(`\`\`\`\n_… ${1000 - shown} more rows_`)).toBe(true);
  });

  it('says nothing more when everything fits, and counts escapes against the budget', () => {
    expect(fitLines(['a', 'b'], { code: true, noun: 'rows', maxLine: 10 }).text).toBe('```\na\nb\n```');
    const { text } = fitLines(
      Array.from({ length: 100 }, () => '<>&'.repeat(20)),
      { code: true, noun: 'rows', maxLine: 100 },
    );
    expect(text.length).toBeLessThanOrEqual(3000);
  });

  it('keeps three backticks from closing the code block early', () => {
    expect(fitLines(['a ``` b'], { code: true, maxLine: 20 }).text).toBe('```\na `\u200b`\u200b` b\n```');
  });
});

describe('limitViolations', () => {
  it('names each broken limit', () => {
    const problems = limitViolations({
      text: '',
      blocks: [
        ...Array.from({ length: 50 }, () => section('x')),
        section(''),
        { type: 'section', text: { type: 'mrkdwn', text: 'z'.repeat(3001) } },
        {
          type: 'actions',
          elements: [{ type: 'button', text: { type: 'plain_text', text: 'b'.repeat(76) }, action_id: 'a' }],
        },
      ],
    });
    expect(problems).toEqual([
      'text: empty',
      'blocks: 53 > 50',
      'blocks[50] section text: empty',
      'blocks[51] section text: 3001 > 3000',
      'blocks[52] actions elements[0] text: 76 > 75',
    ]);
  });
});
