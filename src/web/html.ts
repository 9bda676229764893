/**
 * HTML built by tagged templates: every interpolated value is escaped unless it is already `Html`
 * (a fragment built the same way). Nothing reaches a page unescaped by accident.
 */
export class Html {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
}

type Part = Html | string | number | boolean | null | undefined | readonly Part[];

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

const SPECIAL = /[&<>"']/;

export function escapeHtml(text: string): string {
  // Most values (times, ids, kinds) have nothing to escape: one test is cheaper than a replace.
  return SPECIAL.test(text) ? text.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character) : text;
}

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof Html) return part.text;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(String(part));
}

export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let text = strings[0] ?? '';
  for (let index = 0; index < values.length; index++) {
    text += render(values[index]) + (strings[index + 1] ?? '');
  }
  return new Html(text);
}

/** Trusted markup made elsewhere (the Markdown renderer, which escapes raw HTML itself). */
export function trusted(text: string): Html {
  return new Html(text);
}
