function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Lays `file` over `defaults`: mappings merge key by key, lists and plain values replace, and an
 * empty value (`key:` with nothing after it, YAML null) counts as absent: the default, or unset.
 * So commenting out every child of a key does not turn the key into an error. Returns a new
 * value; neither input is changed or shared with the result.
 */
export function layer(defaults: unknown, file: unknown): unknown {
  if (file === undefined || file === null) return structuredClone(defaults);
  if (!isMapping(defaults) || !isMapping(file)) return structuredClone(file);
  const merged: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(defaults), ...Object.keys(file)])) {
    merged[key] = layer(defaults[key], file[key]);
  }
  return merged;
}
