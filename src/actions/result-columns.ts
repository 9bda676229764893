import type { Field, ResultStatus } from './action.ts';

/**
 * Aligned plain-text lines for results, shared by the terminal renderer
 * (`src/cli/render-text.ts`) and Slack's monospaced code blocks, which also cut
 * long cells so one wide value cannot push every other column off the line.
 */

export const MARK: Record<ResultStatus | 'not_configured', string> = {
  ok: '✓',
  warning: '⚠',
  failed: '✗',
  not_configured: '–',
};

/** Values longer than this still show whole; they just stop setting the note column's position. */
const ALIGN_VALUES_UP_TO = 60;

/** `✓ Cluster   fleet-aks-cluster reachable (v1.32.6)   38 ms`: mark, label padded, value, note. */
export function fieldLines(fields: readonly Field[]): string[] {
  if (fields.length === 0) return [];
  const marked = fields.some((field) => field.status);
  const labelWidth = Math.max(...fields.map((f) => f.label.length));
  const valueWidth = Math.min(ALIGN_VALUES_UP_TO, Math.max(...fields.map((f) => f.value.length)));
  const noteWidth = Math.max(0, ...fields.map((f) => f.note?.length ?? 0));
  return fields.map((field) => {
    const mark = marked ? `${field.status ? MARK[field.status] : ' '} ` : '';
    const value = field.note ? field.value.padEnd(valueWidth) : field.value;
    const note = field.note ? `  ${field.note.padStart(noteWidth)}` : '';
    return `${mark}${field.label.padEnd(labelWidth)}  ${value}${note}`.trimEnd();
  });
}

/** Header line then one line per row, columns three spaces apart; `clip` shortens cells (Slack). */
export function tableLines(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  clip: (cell: string) => string = (cell) => cell,
): string[] {
  const cells = [headers, ...rows].map((row) => headers.map((_, i) => clip(row[i] ?? '')));
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  return cells.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('   ')
      .trimEnd(),
  );
}
