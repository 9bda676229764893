import type { Config } from '../../config/index.ts';
import { type DrillReport, drillReportSections } from '../../domain/drill.ts';
import { incidentRef } from '../../domain/incident.ts';
import { type SlackMessage, section } from './blocks.ts';
import { clipPlain } from './limits.ts';
import { bold, escapeMrkdwn, formatDuration, mention } from './mrkdwn.ts';

/** A drill's report, posted in its thread (and its channel) when it ends. */
export function renderDrillReport(report: DrillReport, config: Config): SlackMessage {
  const sections = drillReportSections(report, {
    who: mention,
    duration: formatDuration,
    role: (id) => escapeMrkdwn(config.roles[id]?.name ?? id),
    text: escapeMrkdwn,
  });
  return {
    text: `🧪 DRILL report ${incidentRef(report.number)}: ${report.steps.length} escalation steps, ${report.silent.length} never answered`,
    blocks: sections.map((part, index) =>
      section(
        clipPlain(
          `${index === 0 ? '🧪 ' : ''}${bold(part.title)}\n${part.lines.map((line) => `• ${line}`).join('\n')}`,
          2_900,
        ),
      ),
    ),
  };
}
