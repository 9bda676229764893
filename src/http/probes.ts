import { redactString } from '../logging/redact.ts';
import type { Metrics } from '../metrics.ts';
import { type HttpServer, sendJson } from './http-server.ts';

/** A dependency readiness waits on: it answers, or its ping rejects with why. */
export interface ReadinessCheck {
  name: string;
  ping(): Promise<void>;
}

/** Something whose loss the process cannot recover from by waiting: `/healthz` fails while it says why. */
export interface LivenessCheck {
  name: string;
  /** Why the process is not alive in a useful sense, or undefined when it is. */
  problem(): string | undefined;
}

/**
 * `/healthz`: the process is up and can work (503 naming what is gone, e.g. an embedded database
 * that stayed down: the orchestrator then restarts the pod). `/readyz`: 200 only when every dependency
 * answers, otherwise 503 naming the ones that failed and why. Checks run in
 * parallel, each bounded by its own ping timeout, so one hung dependency cannot
 * hold the probe.
 */
export function mountProbes(
  server: HttpServer,
  checks: readonly ReadinessCheck[],
  metrics: Metrics,
  liveness: readonly LivenessCheck[] = [],
): void {
  server.route('GET', '/healthz', (_request, response) => {
    const problems = liveness.flatMap((check) => {
      const problem = check.problem();
      return problem ? [{ name: check.name, problem }] : [];
    });
    if (problems.length === 0) sendJson(response, 200, { status: 'ok' });
    else
      sendJson(response, 503, {
        status: 'failing',
        problems: Object.fromEntries(problems.map((p) => [p.name, p.problem])),
      });
  });
  server.route('GET', '/readyz', async (_request, response) => {
    const results = await Promise.all(
      checks.map(async (check) => {
        try {
          await check.ping();
          return { name: check.name, ok: true as const };
        } catch (error) {
          metrics.readinessFailures.inc({ dependency: check.name });
          return { name: check.name, ok: false as const, error: redactString((error as Error).message) };
        }
      }),
    );
    const failed = results.filter((result) => !result.ok);
    sendJson(response, failed.length === 0 ? 200 : 503, {
      status: failed.length === 0 ? 'ready' : 'not_ready',
      ...(failed.length > 0 ? { failing: failed.map((result) => result.name) } : {}),
      checks: Object.fromEntries(
        results.map((result) => [result.name, result.ok ? 'ok' : `failed: ${result.error}`]),
      ),
    });
  });
  server.route('GET', '/metrics', async (_request, response) => {
    const text = await metrics.registry.metrics();
    response.writeHead(200, { 'content-type': metrics.registry.contentType });
    response.end(text);
  });
}
