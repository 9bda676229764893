import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AlertSource } from '../domain/alert.ts';
import { type HttpServer, MAX_BODY_BYTES, sendJson } from '../http/http-server.ts';
import type { Logger } from '../logging/logger.ts';
import type { AlertIntake } from '../services/alert-intake.ts';

export const ALERT_PATHS: Readonly<Record<AlertSource, string>> = {
  azure: '/alerts/azure',
  alertmanager: '/alerts/alertmanager',
  generic: '/alerts/generic',
};

export interface AlertRoutesOptions {
  /** `ALERTS_TOKEN`; without it the routes answer 503 saying how to enable them. */
  token: string | undefined;
  intake: AlertIntake;
  logger: Logger;
}

/**
 * POST /alerts/azure | alertmanager | generic: authenticate (Bearer token, or `?token=` because
 * Azure action groups cannot set headers), read the JSON, hand it to the intake, answer. 202 once
 * the alerts are committed; 503 when they could not be, so the sender retries; 400/401/413/415 say
 * what was wrong. Nothing here answers 500 for a bad payload.
 */
export function mountAlertRoutes(server: HttpServer, options: AlertRoutesOptions): void {
  const expected = options.token ? digest(options.token) : undefined;
  if (!expected) {
    options.logger.info(
      'alert webhooks are off: set ALERTS_TOKEN to receive alerts on /alerts/azure, /alerts/alertmanager and /alerts/generic',
    );
  }
  for (const [source, path] of Object.entries(ALERT_PATHS) as [AlertSource, string][]) {
    server.route('POST', path, (request, response) => receive(source, request, response, expected, options));
  }
}

async function receive(
  source: AlertSource,
  request: IncomingMessage,
  response: ServerResponse,
  expected: Buffer | undefined,
  options: AlertRoutesOptions,
): Promise<void> {
  if (!expected) {
    request.resume();
    return sendJson(response, 503, {
      error: 'alerts_disabled',
      message:
        'Alert webhooks are not enabled on this fleetbot. Set ALERTS_TOKEN in its environment, then send the token as "Authorization: Bearer <token>" or "?token=<token>".',
    });
  }
  const given = tokenOf(request);
  if (!given || !timingSafeEqual(digest(given), expected)) {
    request.resume();
    response.setHeader('www-authenticate', 'Bearer');
    return sendJson(response, 401, {
      error: 'unauthorized',
      message: given
        ? 'The alert token is wrong: send the ALERTS_TOKEN fleetbot runs with.'
        : 'No alert token: send "Authorization: Bearer <ALERTS_TOKEN>" or add "?token=<ALERTS_TOKEN>" to the URL.',
    });
  }
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    request.resume();
    return sendJson(response, 415, {
      error: 'unsupported_media_type',
      message: `Alerts are JSON: send "Content-Type: application/json"${type ? `, not "${type}"` : ''}.`,
    });
  }
  const text = await readBody(request);
  if (text === undefined) {
    response.setHeader('connection', 'close');
    return sendJson(response, 413, {
      error: 'payload_too_large',
      message: `An alert delivery is at most ${MAX_BODY_BYTES / 1024 / 1024} MB; split it or send fewer alerts per group.`,
    });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return sendJson(response, 400, {
      error: 'malformed_json',
      message: `The body is not JSON: ${(error as Error).message}.`,
    });
  }
  let outcome: Awaited<ReturnType<AlertIntake['receive']>>;
  try {
    outcome = await options.intake.receive(source, body);
  } catch (error) {
    options.logger.error(
      { err: error, source },
      'an alert could not be stored; the sender was told to retry',
    );
    response.setHeader('retry-after', '5');
    return sendJson(response, 503, {
      error: 'unavailable',
      message:
        'fleetbot could not store the alert (its database did not answer). Nothing was lost: send it again.',
    });
  }
  if (outcome.status === 'invalid') {
    const [first] = outcome.problems;
    return sendJson(response, 400, {
      error: 'invalid_alert',
      message: first
        ? `Not a valid ${source} alert: ${first.path || '(the body)'}: ${first.message}`
        : `Not a valid ${source} alert.`,
      problems: outcome.problems,
    });
  }
  sendJson(response, 202, { accepted: outcome.alerts });
}

function tokenOf(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  if (header?.toLowerCase().startsWith('bearer ')) return header.slice('bearer '.length).trim() || undefined;
  const query = new URL(request.url ?? '/', 'http://fleetbot').searchParams.get('token');
  return query ?? undefined;
}

/** Both sides hashed first, so the comparison takes the same time whatever the lengths. */
function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** The body as text, or undefined once it passes the limit (a sender that lied about its length). */
async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      request.resume();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
