import type { SeverityId } from '../config/index.ts';
import type { SeverityMapping } from '../domain/alert.ts';

// How each source's way of saying "how bad" becomes P0–P3. Lookups ignore case and never reach
// the prototype: a severity named `constructor` is unknown, not a function.

const PRIORITY = /^p([0-3])$/i;

/** `P0`…`P3` in any case, else undefined. */
export function priorityOf(value: string | null | undefined): SeverityId | undefined {
  const match = value === null || value === undefined ? null : PRIORITY.exec(value.trim());
  return match ? (`P${match[1]}` as SeverityId) : undefined;
}

/** `table[name]` with the key compared case-insensitively; own keys only. */
function lookup(
  table: Readonly<Record<string, SeverityId>>,
  name: string | null | undefined,
): SeverityId | undefined {
  const wanted = name?.trim().toLowerCase();
  if (!wanted) return undefined;
  for (const [key, id] of Object.entries(table)) {
    if (key.toLowerCase() === wanted) return id;
  }
  return undefined;
}

/** Azure's `Sev0`…`Sev4` through the mapping; null or unknown → the fallback. */
export function azureSeverity(severity: string | null | undefined, mapping: SeverityMapping): SeverityId {
  return lookup(mapping.azure, severity) ?? mapping.fallback;
}

/**
 * An Alertmanager alert's severity: a `priority` label of P0–P3 wins, else the `severity` label
 * through the mapping, else the fallback.
 */
export function alertmanagerSeverity(
  labels: Readonly<Record<string, string>>,
  mapping: SeverityMapping,
): SeverityId {
  return priorityOf(labels.priority) ?? lookup(mapping.alertmanager, labels.severity) ?? mapping.fallback;
}

/** The severity names the generic payload accepts besides `P0`–`P3` (fixed, not configurable). */
export const GENERIC_SEVERITY_NAMES: Readonly<Record<string, SeverityId>> = {
  critical: 'P0',
  high: 'P1',
  medium: 'P2',
  warning: 'P2',
  low: 'P3',
  info: 'P3',
};

/** A generic payload's `severity`: `P0`–`P3` or a name, in any case; undefined when it is neither. */
export function genericSeverity(value: string): SeverityId | undefined {
  return priorityOf(value) ?? lookup(GENERIC_SEVERITY_NAMES, value);
}
