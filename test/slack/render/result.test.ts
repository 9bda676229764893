import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { ActionContext, ActionResult } from '../../../src/actions/action.ts';
import { health } from '../../../src/actions/health.ts';
import { logs } from '../../../src/actions/logs.ts';
import { restart } from '../../../src/actions/restart.ts';
import { systemClock } from '../../../src/adapters/clock.ts';
import { PgFleetDatabase } from '../../../src/adapters/fleet-database.ts';
import { IoFleetRedis } from '../../../src/adapters/fleet-redis.ts';
import { loadConfig } from '../../../src/config/index.ts';
import type { Cluster, RolloutState } from '../../../src/domain/cluster.ts';
import type { HealthCheck } from '../../../src/health/health-check.ts';
import type { KnownBlock, SlackMessage } from '../../../src/slack/render/index.ts';
import { INLINE_OUTPUT_LINES, limitViolations, renderResult } from '../../../src/slack/render/index.ts';

// Pure rendering: the results come from the real actions run against small in-memory fakes of the
// cluster and the health checks (nothing here talks to Kubernetes or Slack).

const config = loadConfig({ env: { LOG_LEVEL: 'silent' } });

function contextFor(cluster: Partial<Cluster>, checks: HealthCheck[] = []): ActionContext {
  return {
    config,
    cluster: cluster as Cluster,
    logger: { info() {}, warn() {}, error() {}, debug() {} } as unknown as ActionContext['logger'],
    clock: systemClock,
    healthChecks: () => checks,
    fleetDatabase: new PgFleetDatabase({ url: undefined }),
    fleetRedis: new IoFleetRedis({ url: undefined }),
    progress() {},
  };
}

const check = (
  name: string,
  label: string,
  status: 'ok' | 'failed' | 'warning',
  detail: string,
): HealthCheck => ({
  name,
  label,
  critical: name === 'cluster',
  run: async () => ({ status, detail }),
});

const HEALTHY: HealthCheck[] = [
  check('cluster', 'Cluster', 'ok', 'fleet-aks-cluster reachable (v1.32.6)'),
  check('pods', 'Pods', 'ok', '10/10 Running and Ready (fleet-api 3/3, fleet-app 3/3, …)'),
  check('endpoints', 'Endpoints', 'ok', '4/4 services have ready endpoints'),
  check('api', 'API', 'ok', '/api/health → healthy · production · v1.0.0'),
  check('database', 'Database', 'ok', 'SELECT NOW() ok · 23 connections'),
  check('redis', 'Redis', 'ok', 'PONG'),
  check('telemetry', 'Telemetry', 'ok', '1,284 requests in the last 10 min'),
];

async function healthResult(checks: HealthCheck[]): Promise<ActionResult> {
  return health.run(contextFor({}, checks), health.params.parse({}), AbortSignal.timeout(5_000));
}

function sections(message: SlackMessage): string[] {
  return message.blocks.flatMap((block) => (block.type === 'section' && block.text ? [block.text.text] : []));
}

function contexts(message: SlackMessage): string[] {
  return message.blocks.flatMap((block) =>
    block.type === 'context' ? block.elements.flatMap((e) => ('text' in e ? [e.text] : [])) : [],
  );
}

/** Every limit, checked by hand as well as by `limitViolations`. */
function expectWithinLimits(message: SlackMessage): void {
  expect(limitViolations(message)).toEqual([]);
  expect(message.blocks.length).toBeLessThanOrEqual(50);
  expect(message.text.length).toBeGreaterThan(0);
  expect(message.text.length).toBeLessThanOrEqual(3000);
  for (const block of message.blocks as KnownBlock[]) {
    if (block.type === 'section') {
      expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(3000);
      expect(block.text?.text.trim().length ?? block.fields?.length ?? 0).toBeGreaterThan(0);
      for (const field of block.fields ?? []) expect(field.text.length).toBeLessThanOrEqual(2000);
      expect(block.fields?.length ?? 0).toBeLessThanOrEqual(10);
    }
    if (block.type === 'context') expect(block.elements.length).toBeLessThanOrEqual(10);
  }
}

describe('renderResult: health', () => {
  it('puts the verdict first and one aligned, marked line per check with its duration', async () => {
    const result = await healthResult(HEALTHY);
    const message = renderResult({ action: 'health', result, requestedBy: 'U0DANA', durationMs: 1_240 });

    const [first, checks] = sections(message);
    expect(first).toMatch(/^✅ \*fleet-management is healthy\* · 7\/7 checks passed · \d+ ms$/);
    expect(message.text).toMatch(/^✅ fleet-management is healthy · 7\/7 checks passed · \d+ ms$/);
    const lines = checks?.split('\n') ?? [];
    expect(lines[0]).toBe('```');
    expect(lines.at(-1)).toBe('```');
    const body = lines.slice(1, -1);
    expect(body).toHaveLength(7);
    expect(body.every((line) => line.startsWith('✓ '))).toBe(true);
    expect(body[0]).toMatch(/^✓ Cluster {4}fleet-aks-cluster reachable \(v1\.32\.6\) +\d+ ms$/);
    // Labels padded to one width, notes right-aligned to one column.
    expect(body.every((line) => line.slice(11, 13) === '  ' && line[13] !== ' ')).toBe(true);
    expect(new Set(body.map((line) => line.length)).size).toBe(1);
    // From results, `→` passes through and nothing is escaped that needs no escaping.
    expect(checks).toContain('/api/health → healthy · production · v1.0.0');
    expect(contexts(message)).toEqual(['`/fleet health` · requested by <@U0DANA> · took 1.2 s']);
    expectWithinLimits(message);
  });

  it('shows a degraded verdict with the failing check first and its reason', async () => {
    const checks = [...HEALTHY];
    checks[1] = check(
      'pods',
      'Pods',
      'failed',
      '9/10 Ready · fleet-api-5d9f-x2 CrashLoopBackOff (restarts 7, exit 1)',
    );
    const result = await healthResult(checks);
    const message = renderResult({ action: 'health', result });

    const [first, body] = sections(message);
    expect(first).toMatch(/^⚠️ \*fleet-management is degraded\* · 6\/7 checks passed · \d+ ms$/);
    const lines = body?.split('\n').slice(1, -1) ?? [];
    expect(lines[0]).toMatch(
      /^✗ Pods {7}9\/10 Ready · fleet-api-5d9f-x2 CrashLoopBackOff \(restarts 7, exit 1\) +\d+ ms$/,
    );
    expect(lines.slice(1).every((line) => line.startsWith('✓ '))).toBe(true);
    expect(contexts(message)).toEqual(['`/fleet health`']);
    expectWithinLimits(message);
  });

  it('marks checks that are not configured with a dash', async () => {
    const result: ActionResult = {
      status: 'ok',
      summary: 'fleet-management is healthy · 6 of 7 checks ran, 1 not configured (Telemetry) · 90 ms',
      sections: [
        {
          fields: [
            { label: 'API', value: 'ok', status: 'ok', note: '12 ms' },
            {
              label: 'Telemetry',
              value: 'APPINSIGHTS_APP_ID not set',
              status: 'not_configured',
              note: '0 ms',
            },
          ],
        },
      ],
    };
    const body = sections(renderResult({ action: 'health', result }))[1] ?? '';
    expect(body).toContain('– Telemetry  APPINSIGHTS_APP_ID not set   0 ms');
  });
});

describe('renderResult: restart', () => {
  const rollout = (overrides: Partial<RolloutState>): RolloutState => ({
    phase: 'complete',
    message: 'deployment "fleet-api" successfully rolled out',
    desired: 3,
    updated: 3,
    ready: 3,
    available: 3,
    old: 0,
    problems: [],
    ...overrides,
  });

  it('says the service restarted, with the rollout figures as lines', async () => {
    const cluster: Partial<Cluster> = {
      restart: async () => ({ restartedAt: '2026-11-26T14:02:00Z' }),
      waitForRollout: async () => rollout({}),
    };
    const result = await restart.run(contextFor(cluster), { service: 'api' }, AbortSignal.timeout(5_000));
    const message = renderResult({ action: 'restart', result, requestedBy: 'U0DANA', durationMs: 72_000 });

    const [first, facts] = sections(message);
    expect(first).toMatch(/^✅ \*fleet-api restarted in \d+ s\* · 3\/3 available$/);
    expect(facts).toBe(
      [
        '```',
        'Updated    3/3',
        'Available  3/3',
        'Rollout    deployment "fleet-api" successfully rolled out',
        '```',
      ].join('\n'),
    );
    expect(contexts(message)).toEqual(['`/fleet restart` · requested by <@U0DANA> · took 1 min 12 s']);
    expectWithinLimits(message);
  });

  it('says a stuck rollout failed and lists the pod problems as text', async () => {
    const cluster: Partial<Cluster> = {
      restart: async () => ({ restartedAt: '2026-11-26T14:02:00Z' }),
      waitForRollout: async () =>
        rollout({
          phase: 'failed',
          message: 'new pods are failing',
          updated: 1,
          available: 2,
          problems: [
            {
              pod: 'fleet-api-5d9f-x2',
              reason: 'CrashLoopBackOff',
              message: 'back-off restarting',
              restarts: 7,
            },
          ],
        } as Partial<RolloutState>),
    };
    const result = await restart.run(contextFor(cluster), { service: 'api' }, AbortSignal.timeout(5_000));
    const message = renderResult({ action: 'restart', result });
    const texts = sections(message);
    expect(texts[0]).toBe(
      '❌ *fleet-api rollout stuck: pod fleet-api-5d9f-x2 CrashLoopBackOff (back-off restarting)*',
    );
    expect(texts[2]).toBe(
      'Pod problems:\n• fleet-api-5d9f-x2: CrashLoopBackOff — back-off restarting (restarts 7)',
    );
    expect(texts.join('\n')).not.toContain('What to do');
  });
});

describe('renderResult: long output', () => {
  const LINES = 2_000;
  const logLines = Array.from(
    { length: LINES },
    (_, i) =>
      `2026-11-26T14:02:${String(i % 60).padStart(2, '0')}Z line ${i + 1} GET /api/vehicles 200${i === 3 ? ' <script>alert(1)</script> & more' : ''}`,
  );
  const pod = {
    metadata: { name: 'fleet-api-5d9f-x2', creationTimestamp: new Date('2026-11-20T00:00:00Z') },
    spec: { nodeName: 'aks-node-1' },
    status: { phase: 'Running' },
  } as unknown as V1Pod;

  async function logsResult(): Promise<ActionResult> {
    const cluster: Partial<Cluster> = {
      listPods: async () => [pod],
      podLogs: async () => `${logLines.join('\n')}\n`,
    };
    return logs.run(
      contextFor(cluster),
      logs.params.parse({ service: 'api', tail: LINES }),
      AbortSignal.timeout(5_000),
    );
  }

  it('shows the first 15 lines in a code block and points at the uploaded file', async () => {
    const result = await logsResult();
    expect(result.attachment?.lines).toBe(LINES);
    const message = renderResult({ action: 'logs', result });

    const texts = sections(message);
    expect(texts[0]).toBe('✅ *fleet-api-5d9f-x2: 2000 lines*');
    const preview = texts.find((text) => text.startsWith('```')) ?? '';
    const body = preview.split('\n').slice(1, -1);
    expect(body).toHaveLength(INLINE_OUTPUT_LINES);
    expect(body[0]).toBe(logLines[0]);
    expect(body[14]).toBe(logLines[14]);
    expect(preview).not.toContain(logLines[15]);
    expect(body[3]).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; more');

    const filename = result.attachment?.filename ?? '';
    expect(filename).toMatch(/^logs-fleet-api-\d{8}-\d{4}\.txt$/);
    // The action's note ("last 2000 lines; raise --tail …") is its own section, so it is not repeated.
    expect(texts).toContain('last 2000 lines; raise --tail (max 5000) for more');
    expect(contexts(message)).toContain(`Full output: ${filename} (2,000 lines) — attached below`);
    expect(JSON.stringify(message)).not.toContain('<script>');
    expectWithinLimits(message);
  });

  it('fits very long lines: fewer lines inline rather than an oversized section', () => {
    const wide = Array.from({ length: 40 }, (_, i) => `${i} ${'<&>'.repeat(400)}`);
    const message = renderResult({
      action: 'logs',
      result: {
        status: 'ok',
        summary: 'x: 40 lines',
        sections: [],
        attachment: { filename: 'logs-x.txt', content: wide.join('\n'), lines: 40 },
      },
    });
    const preview = sections(message).find((text) => text.startsWith('```')) ?? '';
    expect(preview.length).toBeLessThanOrEqual(3000);
    expect(preview.endsWith('```')).toBe(true);
    expect(preview).not.toMatch(/&[a-z]*…/);
    expectWithinLimits(message);
  });

  it('adds the output note to the file line when no section says it', () => {
    const message = renderResult({
      action: 'logs',
      result: {
        status: 'ok',
        summary: 'x: 3 lines',
        sections: [],
        attachment: { filename: 'logs-x.txt', content: 'a\nb\nc', lines: 3, note: 'output capped at 2 MiB' },
      },
    });
    expect(contexts(message)[0]).toBe(
      'Full output: logs-x.txt (3 lines) — attached below · output capped at 2 MiB',
    );
  });

  it('says nothing about a file when there is no output', () => {
    const message = renderResult({
      action: 'logs',
      result: {
        status: 'ok',
        summary: 'fleet-api-1: 0 of 100 lines contain "panic"',
        sections: [],
        attachment: { filename: 'logs-fleet-api.txt', content: '', lines: 0 },
      },
    });
    expect(message.blocks).toHaveLength(2);
    expect(JSON.stringify(message)).not.toContain('Full output');
  });
});

describe('renderResult: big tables', () => {
  const podRows = Array.from({ length: 200 }, (_, i) => [
    `fleet-api-5d9f${String(i).padStart(4, '0')}-abcde`,
    '1/1',
    i % 50 === 0 ? 'CrashLoopBackOff' : 'Running',
    String(i % 7),
    `${i % 30}d`,
  ]);
  const status: ActionResult = {
    status: 'warning',
    summary: '1 of 3 workloads not rolled out · 4 of 200 pods not running',
    sections: [
      {
        title: 'Workloads',
        table: {
          headers: ['WORKLOAD', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'ROLLOUT', 'IMAGES', 'AGE'],
          rows: [
            ['deployment/fleet-api', '197/200', '200', '197', 'progressing', 'fleet-api:1.4.2', '12d'],
            ['deployment/fleet-app', '3/3', '3', '3', 'complete', 'fleet-app:2.0.0', '12d'],
          ],
        },
      },
      { title: 'Pods', table: { headers: ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'], rows: podRows } },
      { title: 'Services', table: { headers: ['NAME', 'TYPE', 'CLUSTER-IP', 'PORTS'], rows: [] } },
    ],
  };

  it('aligns columns in a code block, cuts the table to fit and says how many rows are left out', () => {
    const message = renderResult({ action: 'status', result: status });
    const texts = sections(message);
    expect(texts[0]).toBe('⚠️ *1 of 3 workloads not rolled out* · 4 of 200 pods not running');
    expect(texts[1]).toBe(
      [
        '*Workloads*',
        '```',
        'WORKLOAD               READY     UP-TO-DATE   AVAILABLE   ROLLOUT       IMAGES            AGE',
        'deployment/fleet-api   197/200   200          197         progressing   fleet-api:1.4.2   12d',
        'deployment/fleet-app   3/3       3            3           complete      fleet-app:2.0.0   12d',
        '```',
      ].join('\n'),
    );
    const pods = texts[2] ?? '';
    expect(
      pods.startsWith('*Pods*\n```\nNAME                       READY   STATUS             RESTARTS   AGE\n'),
    ).toBe(true);
    expect(pods.length).toBeLessThanOrEqual(3000);
    const shownRows = pods.split('```')[1]?.trim().split('\n').length ?? 0;
    expect(shownRows).toBeGreaterThan(20);
    expect(pods).toMatch(new RegExp(`\`\`\`\\n_… ${200 - (shownRows - 1)} more rows_$`));
    expect(texts[3]).toBe('*Services*\n_(none)_');
    expectWithinLimits(message);
  });

  it('keeps to 50 blocks when a result has more sections than that', () => {
    const result: ActionResult = {
      status: 'ok',
      summary: 'many',
      sections: Array.from({ length: 80 }, (_, i) => ({ title: `Part ${i}`, text: `text ${i}` })),
    };
    const message = renderResult({ action: 'describe', result });
    expect(message.blocks).toHaveLength(50);
    // 1 summary + 80 sections + 1 footer = 82 blocks; 49 kept.
    expect(contexts(message).at(-1)).toBe('_… 33 more not shown_');
    expectWithinLimits(message);
  });

  it('cuts a very long text section on a line and says how many lines are left out', () => {
    const text = Array.from(
      { length: 500 },
      (_, i) => `• pod-${i}: CrashLoopBackOff — back-off (restarts ${i})`,
    ).join('\n');
    const message = renderResult({
      action: 'restart',
      result: { status: 'failed', summary: 'stuck', sections: [{ text }] },
    });
    const body = sections(message)[1] ?? '';
    expect(body.length).toBeLessThanOrEqual(3000);
    expect(body).toMatch(/\n_… \d+ more lines_$/);
    expectWithinLimits(message);
  });
});

describe('renderResult: failures and escaping', () => {
  // Shaped as the action runner records a FleetbotError: the hint both as a section and in data.error.
  const failed: ActionResult = {
    status: 'failed',
    summary: 'Unknown service "apii". Did you mean "api"?',
    sections: [{ text: 'Add it under services in fleetbot.yml, or use one of api, app, db.' }],
    data: {
      error: {
        code: 'unknown_service',
        message: 'Unknown service "apii". Did you mean "api"?',
        hint: 'Add it under services in fleetbot.yml, or use one of api, app, db.',
      },
    },
  };

  it('puts the hint on the line after the summary, once', () => {
    const message = renderResult({ action: 'logs', result: failed, requestedBy: 'U0DANA' });
    const texts = sections(message);
    expect(texts).toEqual([
      '❌ *Unknown service "apii". Did you mean "api"?*\nWhat to do: Add it under services in fleetbot.yml, or use one of api, app, db.',
    ]);
    expect(message.text).toBe(
      '❌ Unknown service "apii". Did you mean "api"?\nWhat to do: Add it under services in fleetbot.yml, or use one of api, app, db.',
    );
    expectWithinLimits(message);
  });

  it('shows a hint that names itself as it is', () => {
    const message = renderResult({
      action: 'logs',
      result: {
        ...failed,
        sections: [],
        data: { error: { code: 'usage', message: 'x', hint: 'Usage: /fleet logs <service>' } },
      },
    });
    expect(sections(message)[0]).toContain('\nUsage: /fleet logs &lt;service&gt;');
  });

  it('escapes &, < and > from results everywhere, but not the tokens it makes', () => {
    const result: ActionResult = {
      status: 'warning',
      summary: '<script>alert(1)</script> & <!channel> · <@U999>',
      sections: [
        {
          title: 'A & B <i>',
          fields: [{ label: '<b>', value: 'x > y && <@UEVIL>', status: 'warning' }],
          table: { headers: ['A<'], rows: [['<!here>']] },
          text: 'see <https://evil.example|here> & `code`',
        },
      ],
    };
    const message = renderResult({ action: 'status', result, requestedBy: 'U0DANA' });
    const json = JSON.stringify(message);
    for (const raw of [
      '<script>',
      '<!channel>',
      '<@U999>',
      '<@UEVIL>',
      '<!here>',
      '<https://evil',
      '<b>',
      '<i>',
      'A<',
    ]) {
      expect(json).not.toContain(raw);
    }
    expect(sections(message)[0]).toBe(
      '⚠️ *&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;!channel&gt;* · &lt;@U999&gt;',
    );
    expect(message.text).toBe(
      '⚠️ &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;!channel&gt; · &lt;@U999&gt;',
    );
    expect(json).toContain('*A &amp; B &lt;i&gt;*');
    expect(json).toContain('⚠ &lt;b&gt;  x &gt; y &amp;&amp; &lt;@UEVIL&gt;');
    expect(json).toContain('see &lt;https://evil.example|here&gt; &amp; `code`');
    expect(contexts(message)).toEqual(['`/fleet status` · requested by <@U0DANA>']);
  });
});
