/** Picks the patch algorithm from the request's Content-Type, as the API server's PATCH handler does. */
import { applyJsonPatch } from './json-patch.ts';
import { applyMergePatch } from './merge-patch.ts';
import { unsupportedMediaType } from './status.ts';
import { applyStrategicMergePatch } from './strategic-merge-patch.ts';

export type PatchType = 'json' | 'merge' | 'strategic';

const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
};

/**
 * Server-side apply (`application/apply-patch+yaml`) is not simulated; it gets the 415 a server without
 * it would send, so a caller relying on it fails loudly instead of being half-served.
 */
export function patchTypeOf(contentType: string | undefined): PatchType {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const type = PATCH_TYPES[mediaType];
  if (!type) throw unsupportedMediaType(mediaType);
  return type;
}

export function applyPatch(type: PatchType, original: unknown, patch: unknown, kind: string): unknown {
  switch (type) {
    case 'json':
      return applyJsonPatch(original, patch);
    case 'merge':
      return applyMergePatch(original, patch);
    case 'strategic':
      return applyStrategicMergePatch(original, patch, kind);
  }
}
