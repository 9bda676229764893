/** Plain-JSON helpers shared by the store, the patchers and the controllers. */

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sortKeys(value: unknown, semantic: boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => sortKeys(v, semantic));
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = sortKeys(value[key], semantic);
    // Go's semantic equality treats nil and empty maps/slices alike, and a JSON null is a nil field.
    if (semantic && (v === null || v === undefined || isEmpty(v))) continue;
    out[key] = v;
  }
  return out;
}

const isEmpty = (v: unknown) =>
  Array.isArray(v) ? v.length === 0 : isObject(v) && Object.keys(v).length === 0;

/** JSON with sorted keys, so equal objects serialise equally whatever order their keys were written in. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value, false));
}

export function deepEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** Equality as apimachinery's `Semantic.DeepEqual` sees typed objects: null, absent and empty are the same. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a, true)) === JSON.stringify(sortKeys(b, true));
}

export function semanticJson(value: unknown): string {
  return JSON.stringify(sortKeys(value, true));
}
