import type { ActionResult, Field, Section } from '../actions/action.ts';

const MARK: Record<string, string> = { ok: '✓', warning: '⚠', failed: '✗', not_configured: '–' };

/** A result as a terminal shows it: the summary line, aligned fields and columns, then any long output. */
export function renderText(result: ActionResult): string {
  const lines = [`${MARK[result.status]} ${result.summary}`];
  for (const section of result.sections) lines.push(...renderSection(section));
  if (result.attachment) {
    lines.push('', result.attachment.content);
    if (result.attachment.note) lines.push('', `(${result.attachment.note})`);
  }
  return lines.join('\n');
}

function renderSection(section: Section): string[] {
  const out: string[] = [''];
  if (section.title) out.push(section.title);
  if (section.fields) out.push(...renderFields(section.fields));
  if (section.table) out.push(...renderTable(section.table.headers, section.table.rows));
  if (section.text) out.push(...section.text.split('\n').map((line) => `  ${line}`));
  return out;
}

function renderFields(fields: readonly Field[]): string[] {
  const labelWidth = Math.max(...fields.map((f) => f.label.length));
  const valueWidth = Math.max(...fields.map((f) => f.value.length));
  return fields.map((field) => {
    const mark = field.status ? `${MARK[field.status] ?? ' '} ` : '';
    const note = field.note ? `  ${field.note.padStart(7)}` : '';
    return `  ${mark}${field.label.padEnd(labelWidth)}  ${field.note ? field.value.padEnd(valueWidth) : field.value}${note}`.trimEnd();
  });
}

function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  if (rows.length === 0) return ['  (none)'];
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    `  ${cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('   ')}`.trimEnd();
  return [line(headers), ...rows.map(line)];
}
