import { describe, expect, it } from 'vitest';
import { type ActionDefinition, HELP_GROUPS } from '../../../src/actions/action.ts';
import { actions } from '../../../src/actions/registry.ts';
import {
  limitViolations,
  renderCommandHelp,
  renderHelp,
  type SlackMessage,
} from '../../../src/slack/render/index.ts';

function sectionTexts(message: SlackMessage): string[] {
  return message.blocks.flatMap((block) => (block.type === 'section' && block.text ? [block.text.text] : []));
}

const escaped = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

describe('renderHelp', () => {
  const message = renderHelp(actions);
  // The action groups, between the heading and the incident commands (which are not actions).
  const groups = sectionTexts(message).slice(1, -1);

  it('lists every registered action once, under its group, groups in HELP_GROUPS order', () => {
    const used = HELP_GROUPS.filter((group) => actions.some((action) => action.group === group));
    expect(groups.map((text) => text.split('\n')[0])).toEqual(used.map((group) => `*${escaped(group)}*`));
    for (const [i, group] of used.entries()) {
      const lines = groups[i]?.split('\n').slice(1);
      const members = actions.filter((action) => action.group === group);
      expect(lines).toEqual(
        members.map((a) => `\`${escaped(`/fleet ${a.name} ${a.usage}`.trim())}\` — ${escaped(a.summary)}`),
      );
    }
    // Each action once, in HELP_GROUPS order (a name may be two words: `db backup`).
    const listed = groups
      .join('\n')
      .split('\n')
      .filter((line) => line.startsWith('`/fleet '));
    const ordered = HELP_GROUPS.flatMap((group) => actions.filter((a) => a.group === group));
    expect(listed.map((line, index) => line.startsWith(`\`/fleet ${ordered[index]?.name}`))).toEqual(
      ordered.map(() => true),
    );
    expect(listed).toHaveLength(actions.length);
  });

  it('leaves out groups without commands and ends with how to get more', () => {
    const only = renderHelp(actions.filter((action) => action.group === 'Logs'));
    expect(
      sectionTexts(only)
        .slice(1)
        .map((text) => text.split('\n')[0]),
    ).toEqual(['*Logs*', '*Incidents*']);
    expect(sectionTexts(message).at(-1)).toContain('`/fleet incident help` for all');
    const last = message.blocks.at(-1);
    expect(last?.type === 'context' && last.elements[0]).toMatchObject({
      text: '`/fleet help &lt;command&gt;` for usage and an example',
    });
    expect(limitViolations(message)).toEqual([]);
  });

  it('keeps a group within a section when summaries run long', () => {
    const [first] = actions as readonly ActionDefinition[];
    const many = Array.from(
      { length: 40 },
      (_, i) => ({ ...first, name: `cmd${i}`, summary: 'x'.repeat(400) }) as ActionDefinition,
    );
    expect(limitViolations(renderHelp(many))).toEqual([]);
  });
});

describe('renderCommandHelp', () => {
  it('gives usage, summary and an example to copy', () => {
    const logs = actions.find((action) => action.name === 'logs') as ActionDefinition;
    const message = renderCommandHelp(logs);
    expect(sectionTexts(message)).toEqual([
      [
        '*`/fleet logs &lt;service&gt; [--tail N] [--grep TEXT] [--previous] [--since 15m] [--pod NAME | --all-pods] [--private]`*',
        'Recent log lines of a service (one pod, as kubectl picks it, or --all-pods), optionally filtered',
        'Example: `/fleet logs api --tail 200 --grep error`',
      ].join('\n'),
    ]);
    expect(message.text).toContain('/fleet logs &lt;service&gt;');
    expect(limitViolations(message)).toEqual([]);
  });
});
