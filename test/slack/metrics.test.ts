import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_AZURE_CREDENTIAL } from '../support/action-harness.ts';
import { eventually } from '../support/eventually.ts';
import { FakeAzureMonitor } from '../support/fake-azure-monitor.ts';
import { metricsTelemetry } from '../support/metrics-telemetry.ts';
import { ONCALL, SIGNING_SECRET, type SlackHarness, startSlackHarness } from '../support/slack-harness.ts';
import { postSigned, slashCommandBody } from '../support/slack-requests.ts';

// `/fleet metrics` as deployed: a signed slash command, the real queue, worker and delivery path,
// the real Web API client and Azure SDK. Fake: Slack, Azure Monitor Logs (and the idle Kubernetes API).

const COMPONENT =
  '/subscriptions/00000000-0000-0000-0000-00000000f1ee/resourceGroups/rg-fleet-prod/providers/microsoft.insights/components/fleet-management-insights';
const CHANNEL = 'C0000INCIDENT';

let azure: FakeAzureMonitor;
let h: SlackHarness;
beforeAll(async () => {
  azure = await FakeAzureMonitor.start();
  azure.answer(metricsTelemetry());
  h = await startSlackHarness(
    { APPINSIGHTS_RESOURCE_ID: COMPONENT, AZURE_MONITOR_LOGS_ENDPOINT: azure.url },
    { azureCredential: FAKE_AZURE_CREDENTIAL },
  );
});
afterAll(async () => {
  await h?.close();
  await azure?.close();
});

describe('/fleet metrics in Slack', () => {
  it('posts the figures with portal links and uploads the chart as a PNG in the thread', async () => {
    const ack = await postSigned(
      h.events,
      slashCommandBody({ text: 'metrics --service api', user_id: ONCALL, channel_id: CHANNEL }),
      { secret: SIGNING_SECRET },
    );
    expect(ack.status).toBe(200);
    const found = await eventually(
      () => h.slack.uploads.find((u) => u.completed && u.filename.endsWith('.png')),
      30_000,
      'the chart upload',
    );
    if (!found) throw new Error('unreachable: eventually resolves with the upload');
    const upload = found;
    expect(upload.filename).toMatch(/^metrics-fleet-api-\d{8}-\d{4}\.png$/);
    expect(upload.title).toBe('Latency percentiles and error rate — fleet-api, last 1h');
    expect(upload.channel).toBe(CHANNEL);
    expect(upload.thread_ts).toMatch(/^\d{10}\.\d{6}$/);
    // The bytes arrive as a PNG, not as base64 text: signature, then IHDR with the size.
    const png = upload.raw ?? Buffer.alloc(0);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
    expect(png.readUInt32BE(16)).toBeGreaterThan(1_300);
    expect(png.readUInt32BE(20)).toBeGreaterThan(600);

    const posted = await eventually(
      () =>
        h.slack.messages.find(
          (m) =>
            m.channel === CHANNEL &&
            m.thread_ts === upload.thread_ts &&
            JSON.stringify(m.blocks).includes('P95'),
        ),
      10_000,
      'the result in the thread',
    );
    const text = JSON.stringify(posted?.blocks);
    expect(text).toContain('2.31 s (threshold 2.00 s)');
    expect(text).toContain(`https://portal.azure.com/#resource${COMPONENT}/failures`);
    expect(text).toContain('Chart: Latency percentiles and error rate');
    // Once Slack has it, the PNG is not kept in fleetbot's database.
    await eventually(
      async () =>
        (
          await h.db.query(
            "SELECT count(*)::int AS n FROM slack_messages WHERE kind = 'upload' AND content IS NOT NULL",
          )
        ).rows[0].n === 0,
      10_000,
      'the upload content to be dropped',
    );
  });
});
