import { type ActionDefinition, HELP_GROUPS } from '../../actions/action.ts';
import { context, type KnownBlock, type SlackMessage, section } from './blocks.ts';
import { clipPlain, finish } from './limits.ts';
import { bold, escapeMrkdwn, inlineCode } from './mrkdwn.ts';

/** A summary is one line; this only stops a runaway one from crowding out its group. */
const MAX_SUMMARY = 300;

/** `/fleet help`: every command under its group, in `HELP_GROUPS` order; empty groups left out. */
export function renderHelp(list: readonly ActionDefinition[]): SlackMessage {
  const blocks: KnownBlock[] = [section(`${bold('fleetbot')} runs the operations runbook. Commands:`)];
  for (const group of HELP_GROUPS) {
    const members = list.filter((action) => action.group === group);
    if (members.length === 0) continue;
    const lines = members.map(
      (action) => `${inlineCode(usageOf(action))} — ${escapeMrkdwn(clipPlain(action.summary, MAX_SUMMARY))}`,
    );
    blocks.push(section([bold(escapeMrkdwn(group)), ...lines].join('\n')));
  }
  blocks.push(
    section(
      [
        bold('Incidents'),
        `${inlineCode('/fleet incident open P1 <title>')} — declare one · ${inlineCode('list')} · ${inlineCode('show N')} · ${inlineCode('ack N')} · ${inlineCode('resolve N')} · ${inlineCode('/fleet incident help')} for all`,
        `${inlineCode('/fleet drill P1 --speed 10')} — practise the escalation matrix · ${inlineCode('/fleet drill stop')} · ${inlineCode('/fleet drill help')}`,
      ].join('\n'),
    ),
  );
  blocks.push(context(`${inlineCode('/fleet help <command>')} for usage and an example`));
  return finish(`fleetbot commands: ${list.map((action) => escapeMrkdwn(action.name)).join(', ')}`, blocks);
}

/** `/fleet help logs`: usage, what it does, and an example to copy. */
export function renderCommandHelp(action: ActionDefinition): SlackMessage {
  const lines = [
    bold(inlineCode(usageOf(action))),
    escapeMrkdwn(action.summary),
    `Example: ${inlineCode(`/fleet ${action.example}`)}`,
  ];
  return finish(`${escapeMrkdwn(usageOf(action))} — ${escapeMrkdwn(action.summary)}`, [
    section(lines.join('\n')),
    context(escapeMrkdwn(action.group)),
  ]);
}

function usageOf(action: ActionDefinition): string {
  return `/fleet ${action.name} ${action.usage}`.trim();
}
