/**
 * Label and field selectors in the query-string syntax of `labelSelector=` and `fieldSelector=`, and the
 * string form of a metav1.LabelSelector (what `/scale` reports as `status.selector`).
 */
import { isObject } from './json.ts';
import type { KubeObject, LabelSelector, Labels } from './k8s-types.ts';
import { badRequest } from './status.ts';

type Operator = 'in' | 'notin' | 'exists' | '!' | '=' | '!=' | 'gt' | 'lt';

interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

export type LabelMatcher = (labels: Labels | undefined) => boolean;

/** Splits on commas that are not inside `( … )`, as the label-selector lexer does. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function parseRequirement(term: string): Requirement {
  const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
  if (set?.[1] && set[2] && set[3] !== undefined) {
    const values = set[3].split(',').map((v) => v.trim());
    return { key: set[1], operator: set[2] as Operator, values };
  }
  const compare = /^([^!=<>\s]+)\s*(==|=|!=|>|<)\s*(.*)$/.exec(term);
  if (compare?.[1] && compare[2]) {
    const op = compare[2];
    const operator: Operator = op === '!=' ? '!=' : op === '>' ? 'gt' : op === '<' ? 'lt' : '=';
    return { key: compare[1], operator, values: [compare[3] ?? ''] };
  }
  if (/^![^!=\s]+$/.test(term)) return { key: term.slice(1), operator: '!', values: [] };
  if (/^[^!=<>\s()]+$/.test(term)) return { key: term, operator: 'exists', values: [] };
  throw badRequest(`unable to parse requirement: ${term}`);
}

function matches(req: Requirement, labels: Labels): boolean {
  const has = Object.hasOwn(labels, req.key);
  const value = labels[req.key];
  switch (req.operator) {
    case 'exists':
      return has;
    case '!':
      return !has;
    case '=':
    case 'in':
      return has && req.values.includes(value ?? '');
    case '!=':
    case 'notin':
      return !has || !req.values.includes(value ?? '');
    case 'gt':
      return has && Number(value) > Number(req.values[0]);
    case 'lt':
      return has && Number(value) < Number(req.values[0]);
  }
}

/** Parses `app=fleet-api,tier in (web,api),!canary`; an empty selector matches everything. */
export function parseLabelSelector(text: string | null | undefined): LabelMatcher {
  const requirements = splitTopLevel(text ?? '').map(parseRequirement);
  return (labels) => requirements.every((r) => matches(r, labels ?? {}));
}

/** metav1.LabelSelectorAsSelector(…).String(): requirements sorted by key, set values sorted. */
export function labelSelectorString(selector: LabelSelector | undefined): string {
  const terms: { key: string; text: string }[] = [];
  for (const [key, value] of Object.entries(selector?.matchLabels ?? {}))
    terms.push({ key, text: `${key}=${value}` });
  for (const { key, operator, values = [] } of selector?.matchExpressions ?? []) {
    const sorted = [...values].sort().join(',');
    const text =
      operator === 'In'
        ? `${key} in (${sorted})`
        : operator === 'NotIn'
          ? `${key} notin (${sorted})`
          : operator === 'Exists'
            ? key
            : `!${key}`;
    terms.push({ key, text });
  }
  return terms
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((t) => t.text)
    .join(',');
}

export function matchesLabelSelector(
  selector: LabelSelector | undefined,
  labels: Labels | undefined,
): boolean {
  const text = labelSelectorString(selector);
  // A nil or empty metav1.LabelSelector selects nothing for workloads; callers only pass real selectors.
  return text !== '' && parseLabelSelector(text)(labels);
}

export type FieldMatcher = (object: KubeObject) => boolean;

function fieldValue(object: KubeObject, path: string): string {
  // Events index `source` by the reporting component; every other key is a plain JSON path.
  const key = path === 'source' ? 'source.component' : path;
  let current: unknown = object;
  for (const part of key.split('.')) current = isObject(current) ? current[part] : undefined;
  if (current === undefined || current === null) return path === 'spec.unschedulable' ? 'false' : '';
  return String(current);
}

/**
 * Parses `metadata.name=fleet-api,involvedObject.kind=Pod`. Keys other than `metadata.name`,
 * `metadata.namespace` and the type's own are rejected with the API server's 400.
 */
export function parseFieldSelector(
  text: string | null | undefined,
  allowed: readonly string[],
): FieldMatcher {
  const terms = (text ?? '')
    .split(/(?<!\\),/)
    .map((t) => t.trim())
    .filter((t) => t !== '')
    .map((term) => {
      const m = /^([^!=]+)(==|=|!=)(.*)$/.exec(term);
      if (!m?.[1] || !m[2]) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
      const key = m[1].trim();
      if (key !== 'metadata.name' && key !== 'metadata.namespace' && !allowed.includes(key)) {
        throw badRequest(`field label not supported: ${key}`);
      }
      const value = (m[3] ?? '').replace(/\\(.)/g, '$1');
      return { key, negate: m[2] === '!=', value };
    });
  return (object) => terms.every((t) => (fieldValue(object, t.key) === t.value) !== t.negate);
}
