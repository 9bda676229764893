import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openByAlert } from '../support/alerts.ts';
import { eventually } from '../support/eventually.ts';
import { type SlackHarness, startSlackHarness } from '../support/slack-harness.ts';

const TOKEN = 'alerts-token-0000fakefakefake0000';
const ALERTS_CHANNEL = 'C0000ALERTS';
let h: SlackHarness;

beforeAll(async () => {
  h = await startSlackHarness(
    { ALERTS_TOKEN: TOKEN },
    {
      yaml: `channels: { alerts: ${ALERTS_CHANNEL} }\nalerts: { incidentChannel: [], groupWindow: 0s }\nmaintenance: { notices: [] }`,
    },
  );
}, 60_000);

afterAll(async () => {
  await h?.close();
});

function alert(title: string, service: string): Promise<number> {
  return openByAlert(h, TOKEN, { title, severity: 'P2', service });
}

/** Every version of the incident's alert message Slack received, oldest first. */
function versions(number: number): string[] {
  return [...h.slack.callsTo('chat.postMessage'), ...h.slack.callsTo('chat.update')]
    .filter(
      (call) => call.args.channel === ALERTS_CHANNEL && String(call.args.text).includes(`INC-${number} `),
    )
    .map((call) => `${String(call.args.text)}\n${JSON.stringify(call.args.blocks ?? [])}`);
}

describe('alerts enriched with cluster evidence', () => {
  it('fleet-api in CrashLoopBackOff: the alert message gains its pods, restart count and last error lines', async () => {
    h.kube.scenario('crashloop-api');
    const number = await alert('fleet-api 5xx above 5%', 'api');
    const enriched = await eventually(
      () => versions(number).find((text) => text.includes('Cluster evidence')),
      15_000,
      'the evidence block',
    );
    expect(enriched).toContain('fleet-api-7c9d8f6b5-w7t4m: CrashLoopBackOff');
    expect(enriched).toContain('14 restarts');
    expect(enriched).toContain('FATAL fleet-api exited with code 1');
    expect(enriched).toContain('Finding:');
    // The page went out first, without the evidence.
    expect(versions(number)[0]).not.toContain('Cluster evidence');
  }, 30_000);

  it('a cluster that hangs: the alert message is posted at once, and the evidence says it timed out', async () => {
    h.kube.hang({ pathIncludes: '/pods' });
    try {
      const number = await alert('fleet-app blank pages', 'frontend');
      await eventually(() => versions(number).length > 0, 10_000, 'the alert message');
      const timedOut = await eventually(
        () => versions(number).find((text) => text.includes('did not answer within 3 s')),
        20_000,
        'the timeout said',
      );
      expect(timedOut).toContain('Cluster evidence');
    } finally {
      h.kube.unhang();
    }
  }, 40_000);
});
