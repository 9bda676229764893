/** `JSON.parse`, or undefined for text that is not JSON: for values a client sent back (a button's, a form's), checked by a schema next. */
export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
