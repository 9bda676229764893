import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FleetbotError } from '../../src/domain/errors.ts';
import {
  type CheckOutcome,
  formatDuration,
  type HealthCheck,
  runHealthChecks,
} from '../../src/health/health-check.ts';
import { healthSummary } from '../../src/health/health-summary.ts';

// Pure orchestration: the checks here are plain functions, no dependency is involved.

function check(
  name: string,
  run: (signal: AbortSignal) => Promise<CheckOutcome>,
  critical = false,
): HealthCheck {
  return { name, label: name.toUpperCase(), critical, run };
}

const outcome =
  (status: CheckOutcome['status'], detail = status) =>
  async () => ({ status, detail });

/** Where a promise stands, read synchronously: for asserting "still pending" and "settled" on a fake clock. */
function track<T>(promise: Promise<T>): { settled: boolean; value?: T; error?: unknown } {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

// The deadline is a setTimeout and the default clock is performance.now: on vitest's fake timers both
// move only when the test advances them, so "not before the deadline, and at it" is asserted exactly.
afterEach(() => {
  vi.useRealTimers();
});

describe('runHealthChecks', () => {
  it('runs the checks in parallel and measures each one', async () => {
    vi.useFakeTimers();
    const started: string[] = [];
    const sleeper = (name: string, ms: number) =>
      check(name, () => {
        started.push(name);
        return new Promise((resolve) =>
          setTimeout(() => resolve({ status: 'ok', detail: `${name} slept` }), ms),
        );
      });
    const run = track(
      runHealthChecks([sleeper('a', 300), sleeper('b', 200), sleeper('c', 100)], { timeoutMs: 5_000 }),
    );
    await vi.advanceTimersByTimeAsync(0);
    // All three are under way before any has finished.
    expect(started).toEqual(['a', 'b', 'c']);
    await vi.advanceTimersByTimeAsync(299);
    expect(run.settled).toBe(false);
    // The report comes when the longest check ends (run one after another, it would take 600 ms).
    await vi.advanceTimersByTimeAsync(1);
    expect(run.error).toBeUndefined();
    expect(run.value?.verdict).toBe('healthy');
    expect(run.value?.durationMs).toBe(300);
    expect(run.value?.checks.map(({ name, detail, durationMs }) => [name, detail, durationMs])).toEqual([
      ['a', 'a slept', 300],
      ['b', 'b slept', 200],
      ['c', 'c slept', 100],
    ]);
  });

  it('lists failed checks first, then warnings, then the rest in the given order', async () => {
    const report = await runHealthChecks(
      [
        check('one', outcome('ok')),
        check('two', outcome('warning')),
        check('three', outcome('not_configured')),
        check('four', outcome('failed')),
        check('five', outcome('ok')),
        check('six', outcome('failed')),
      ],
      { timeoutMs: 1_000 },
    );
    expect(report.checks.map((result) => [result.name, result.label, result.status])).toEqual([
      ['four', 'FOUR', 'failed'],
      ['six', 'SIX', 'failed'],
      ['two', 'TWO', 'warning'],
      ['one', 'ONE', 'ok'],
      ['three', 'THREE', 'not_configured'],
      ['five', 'FIVE', 'ok'],
    ]);
  });

  it.each([
    { name: 'all ok', statuses: ['ok', 'ok'], verdict: 'healthy', ran: 2, passed: 2 },
    {
      name: 'not configured fails nothing',
      statuses: ['ok', 'not_configured'],
      verdict: 'healthy',
      ran: 1,
      passed: 1,
    },
    { name: 'a warning', statuses: ['ok', 'warning'], verdict: 'degraded', ran: 2, passed: 1 },
    { name: 'a non-critical failure', statuses: ['ok', 'failed'], verdict: 'degraded', ran: 2, passed: 1 },
    { name: 'a critical failure', statuses: ['failed', 'ok'], verdict: 'down', ran: 2, passed: 1 },
    { name: 'a critical warning', statuses: ['warning', 'ok'], verdict: 'degraded', ran: 2, passed: 1 },
    {
      name: 'a critical check not configured',
      statuses: ['not_configured', 'ok'],
      verdict: 'healthy',
      ran: 1,
      passed: 1,
    },
    {
      name: 'not configured beside a failure',
      statuses: ['not_configured', 'failed'],
      verdict: 'degraded',
      ran: 1,
      passed: 0,
    },
    {
      name: 'nothing configured',
      statuses: ['not_configured', 'not_configured'],
      verdict: 'unknown',
      ran: 0,
      passed: 0,
    },
  ] as const)('verdict with $name: $verdict', async ({ statuses, verdict, ran, passed }) => {
    const [first, second] = statuses;
    const report = await runHealthChecks(
      [check('critical', outcome(first), true), check('other', outcome(second))],
      { timeoutMs: 1_000 },
    );
    expect(report).toMatchObject({ verdict, ran, passed, notConfigured: 2 - ran });
  });

  it('no checks at all: unknown, not healthy', async () => {
    const report = await runHealthChecks([], { timeoutMs: 1_000 });
    expect(report).toMatchObject({ verdict: 'unknown', ran: 0, passed: 0, notConfigured: 0 });
  });

  it('cuts a check that ignores its signal at the timeout', async () => {
    vi.useFakeTimers();
    let sawAbort = false;
    let answered = false;
    const stubborn = check(
      'stubborn',
      (signal) =>
        new Promise((resolve) => {
          signal.addEventListener('abort', () => {
            sawAbort = true;
          });
          setTimeout(() => {
            answered = true;
            resolve({ status: 'ok', detail: 'too late' });
          }, 3_000);
        }),
    );
    const run = track(runHealthChecks([stubborn, check('quick', outcome('ok'))], { timeoutMs: 200 }));
    await vi.advanceTimersByTimeAsync(199);
    expect(run.settled).toBe(false);
    expect(sawAbort).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    // Settled at the deadline, while the stubborn check has still not answered: the report did not wait for it.
    expect(run.settled).toBe(true);
    expect(answered).toBe(false);
    expect(sawAbort).toBe(true);
    const report = run.value;
    expect(report?.durationMs).toBe(200);
    expect(report?.checks).toMatchObject([
      { name: 'stubborn', status: 'failed', detail: 'no answer within 200 ms', durationMs: 200 },
      { name: 'quick', status: 'ok' },
    ]);
    expect(report?.verdict).toBe('degraded');
  });

  it('reports the timeout, not the error the aborted check throws', async () => {
    const obedient = check('obedient', async (signal) => {
      await sleep(10_000, undefined, { signal });
      return { status: 'ok', detail: 'never' };
    });
    const report = await runHealthChecks([obedient], { timeoutMs: 1_000 });
    expect(report.checks[0]).toMatchObject({ status: 'failed', detail: 'no answer within 1 s' });
  });

  it('reports a check that throws as failed, with its message redacted and on one line', async () => {
    const throwing = check('db', async () => {
      throw new Error('could not connect to\npostgres://fleet:hunter2@db:5432/fleet');
    });
    const report = await runHealthChecks([throwing], { timeoutMs: 1_000 });
    expect(report.checks[0]?.status).toBe('failed');
    expect(report.checks[0]?.detail).toBe('could not connect to postgres://fleet:[REDACTED]@db:5432/fleet');
  });

  it("reports a FleetbotError's hint after its message", async () => {
    const throwing = check('telemetry', async () => {
      throw new FleetbotError('forbidden', 'not allowed', { hint: 'grant the role' });
    });
    const report = await runHealthChecks([throwing], { timeoutMs: 1_000 });
    expect(report.checks[0]?.detail).toBe('not allowed — grant the role');
  });

  it('rejects with the reason when the caller cancels, without waiting for the checks', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    let given: AbortSignal | undefined;
    const stubborn = check('stubborn', (signal) => {
      given = signal;
      return new Promise(() => {});
    });
    const run = track(runHealthChecks([stubborn], { timeoutMs: 5_000, signal: controller.signal }));
    await vi.advanceTimersByTimeAsync(100);
    expect(run.settled).toBe(false);
    const reason = new Error('shutting down');
    controller.abort(reason);
    // No time passes: the check never settles and the 5 s deadline is far off, yet the run is over.
    await vi.advanceTimersByTimeAsync(0);
    expect(run.settled).toBe(true);
    expect(run.error).toBe(reason);
    // The unsettled check was told to stop, with the same reason.
    expect(given?.aborted).toBe(true);
    expect(given?.reason).toBe(reason);
  });

  it('takes durations from the given clock', async () => {
    let tick = 0;
    const report = await runHealthChecks([check('a', outcome('ok'))], {
      timeoutMs: 1_000,
      now: () => (tick += 7),
    });
    expect(report.checks[0]?.durationMs).toBe(7);
    expect(report.durationMs).toBe(21);
  });
});

describe('healthSummary', () => {
  const NAMES = ['Cluster', 'Pods', 'Endpoints', 'API', 'Database', 'Redis', 'Telemetry'];
  /** The seven runbook checks with these statuses, in the runbook's order, each taking `ms`. */
  const report = (statuses: CheckOutcome['status'][]) =>
    runHealthChecks(
      statuses.map((status, index) => ({
        ...check(`c${index}`, outcome(status)),
        label: NAMES[index] ?? '',
      })),
      { timeoutMs: 1_000, now: () => 0 },
    );

  it('every check ran: passed of all, and the duration', async () => {
    expect(healthSummary('fleet-management', await report(Array(7).fill('ok')))).toBe(
      'fleet-management is healthy · 7/7 checks passed · 0 ms',
    );
    expect(
      healthSummary('fleet-management', await report(['ok', 'failed', 'ok', 'ok', 'ok', 'warning', 'ok'])),
    ).toBe('fleet-management is degraded · 5/7 checks passed · 0 ms');
  });

  it('names the checks that did not run and never counts them as passed', async () => {
    const some = await report([
      'ok',
      'ok',
      'ok',
      'not_configured',
      'not_configured',
      'not_configured',
      'not_configured',
    ]);
    expect(healthSummary('fleet-management', some)).toBe(
      'fleet-management is healthy · 3 of 7 checks ran, 4 not configured (API, Database, Redis, Telemetry) · 0 ms',
    );
    const failing = await report(['ok', 'failed', 'ok', 'ok', 'not_configured', 'not_configured', 'ok']);
    expect(healthSummary('fleet-management', failing)).toBe(
      'fleet-management is degraded · 5 of 7 checks ran, 4 passed, 2 not configured (Database, Redis) · 0 ms',
    );
  });

  it('nothing ran: health is unknown', async () => {
    expect(healthSummary('fleet-management', await report(Array(7).fill('not_configured')))).toBe(
      'fleet-management health is unknown · none of 7 checks ran, 7 not configured (Cluster, Pods, Endpoints, API, Database, Redis, Telemetry) · 0 ms',
    );
    expect(healthSummary('fleet-management', await report([]))).toBe(
      'fleet-management health is unknown · no checks to run · 0 ms',
    );
  });
});

describe('formatDuration', () => {
  it.each([
    [5_000, '5 s'],
    [1_500, '1.5 s'],
    [300, '300 ms'],
  ])('%d ms reads %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
