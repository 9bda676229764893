import { redactString } from '../logging/redact.ts';
import type { Metrics } from '../metrics.ts';
import { type HttpServer, sendJson } from './http-server.ts';

/** A dependency readiness waits on: it answers, or its ping rejects with why. */
export interface ReadinessCheck {
  name: string;
  ping(): Promise<void>;
}

/**
 * `/healthz`: the process is up. `/readyz`: 200 only when every dependency
 * answers, otherwise 503 naming the ones that failed and why. Checks run in
 * parallel, each bounded by its own ping timeout, so one hung dependency cannot
 * hold the probe.
 */
export function mountProbes(server: HttpServer, checks: readonly ReadinessCheck[], metrics: Metrics): void {
  server.route('GET', '/healthz', (_request, response) => sendJson(response, 200, { status: 'ok' }));
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
