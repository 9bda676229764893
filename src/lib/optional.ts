/** `{ key: value }`, or nothing when the value is null or undefined (optional fields are absent, not undefined). */
export function optional<K extends string, V>(key: K, value: V | null | undefined): Partial<Record<K, V>> {
  return (value === null || value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;
}
