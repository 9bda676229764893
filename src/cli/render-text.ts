import type { ActionResult, Section } from '../actions/action.ts';
import { fieldLines, MARK, tableLines } from '../actions/result-columns.ts';

/** A result as a terminal shows it: the summary line, aligned fields and columns, then any long output. */
export function renderText(result: ActionResult): string {
  const lines = [`${MARK[result.status]} ${result.summary}`];
  for (const section of result.sections) lines.push(...renderSection(section));
  if (result.attachment) {
    lines.push('', result.attachment.content);
    if (result.attachment.note) lines.push('', `(${result.attachment.note})`);
  }
  const next = result.suggestions ?? [];
  if (next.length > 0) lines.push('', ...next.map((s) => `Next: fleetbot run ${s.command}   (${s.label})`));
  return lines.join('\n');
}

function renderSection(section: Section): string[] {
  const out: string[] = [''];
  if (section.title) out.push(section.title);
  if (section.fields) out.push(...indent(fieldLines(section.fields)));
  if (section.table) {
    out.push(
      ...(section.table.rows.length === 0
        ? ['  (none)']
        : indent(tableLines(section.table.headers, section.table.rows))),
    );
  }
  if (section.text) out.push(...indent(section.text.split('\n')));
  return out;
}

function indent(lines: readonly string[]): string[] {
  return lines.map((line) => `  ${line}`);
}
