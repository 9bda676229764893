/** Object names and hashes in the shapes the Kubernetes controllers produce. */
import { randomInt } from 'node:crypto';
import { semanticJson } from './json.ts';

// apimachinery's rand alphabet: no vowels (no words) and no look-alike characters.
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** The 5-character suffix `generateName` gets, e.g. `fleet-api-7c9d8f6b5-` + `k2x9p`. */
export function randomSuffix(length = 5): string {
  let out = '';
  for (let i = 0; i < length; i++) out += SAFE_ALPHABET[randomInt(SAFE_ALPHABET.length)];
  return out;
}

function fnv32a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * A pod-template hash like the deployment controller's `pod-template-hash` label: FNV-32a of the template,
 * printed in decimal and mapped through the safe alphabet. Deterministic, so equal templates get equal names.
 */
export function templateHash(template: unknown): string {
  return [...String(fnv32a(semanticJson(template)))]
    .map((digit) => SAFE_ALPHABET[digit.charCodeAt(0) % SAFE_ALPHABET.length])
    .join('');
}

/** RFC 3339 at second precision, as metav1.Time serialises. */
export const timestamp = (at: number = Date.now()) => new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
