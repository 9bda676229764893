/**
 * trigger_ids as the request builders mint them: `<issue time in ms, 13 digits>.<10 digits>.<32 hex>`, the
 * shape of Slack's own. Carrying the issue time lets the fake refuse them after 3 s, as Slack does; ids
 * from elsewhere (the fixtures' `0000000000001.…`) carry no time and never expire.
 */
import { randomBytes } from 'node:crypto';

/** How long Slack accepts a trigger_id after the interaction that carried it. */
export const TRIGGER_LIFETIME_MS = 3000;

export function issueTriggerId(issuedAt = Date.now()): string {
  return `${issuedAt}.0000000000.${randomBytes(16).toString('hex')}`;
}

/** The issue time in ms, or undefined for trigger_ids not minted by issueTriggerId. */
export function triggerIssuedAt(triggerId: string): number | undefined {
  const first = Number(triggerId.split('.')[0]);
  // 1e12 ms is September 2001: anything smaller is a placeholder, not a time.
  return Number.isSafeInteger(first) && first >= 1e12 ? first : undefined;
}
