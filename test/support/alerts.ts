import { expect } from 'vitest';
import { eventually } from './eventually.ts';
import type { SlackHarness } from './slack-harness.ts';

/**
 * Posts one alert to the harness's `/alerts/generic` (fingerprint = title) and returns the number of
 * the incident it opened, once that exists.
 */
export async function openByAlert(
  h: Pick<SlackHarness, 'events' | 'db'>,
  token: string,
  alert: { title: string; severity: string; service: string },
): Promise<number> {
  const response = await fetch(h.events.replace('/slack/events', '/alerts/generic'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ ...alert, fingerprint: alert.title }),
  });
  expect(response.status).toBe(202);
  return eventually(
    async () =>
      Number((await h.db.query('SELECT id FROM incidents WHERE title = $1', [alert.title])).rows[0]?.id ?? 0),
    10_000,
    'the incident',
  );
}
