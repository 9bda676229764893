import http from 'node:http';
import https from 'node:https';
import type { Clock } from '../domain/clock.ts';
import { KubeCredentials } from './kube-credentials.ts';
import type { KubeTarget } from './kubeconfig.ts';

/** A non-2xx answer from the API server; `body` is its text (a Status object, usually). */
export class KubeApiError extends Error {
  readonly code: number;
  readonly body: string;

  constructor(code: number, body: string) {
    super(`Kubernetes API answered ${code}`);
    this.name = 'KubeApiError';
    this.code = code;
    this.body = body;
  }
}

export interface KubeRequest {
  method?: 'GET' | 'PATCH';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** A patch, sent as JSON with this content type. */
  patch?: { body: unknown; contentType: string };
  signal: AbortSignal;
}

const USER_AGENT = `fleetbot (node ${process.version})`;

/**
 * The Kubernetes REST API over node:http(s), with kubectl's credentials: enough for the dozen
 * calls fleetbot makes, in place of a generated client whose import costs most of a second.
 */
export class KubeHttp {
  private readonly server: string;
  private readonly credentials: KubeCredentials;
  private readonly agent: http.Agent;

  constructor(target: KubeTarget, clock: Clock) {
    this.server = target.server.replace(/\/+$/, '');
    this.credentials = new KubeCredentials(target, clock);
    const secure = this.server.startsWith('https:');
    // One keep-alive agent: a rollout followed for minutes polls every second over the same connection.
    // An idle connection is closed after 30 s: a load balancer in front of the API server (Azure's
    // drops idle flows after 4 minutes, silently) would otherwise leave a dead socket to be reused.
    const options = { keepAlive: true, timeout: 30_000 };
    this.agent = secure ? new https.Agent(options) : new http.Agent(options);
  }

  /** The response parsed as a Kubernetes object, its timestamps as Dates (as client-node returns them). */
  async json<T>(request: KubeRequest): Promise<T> {
    return reviveTimes(JSON.parse(await this.send(request, 'application/json'))) as T;
  }

  /** The response as text (pod logs). */
  text(request: KubeRequest): Promise<string> {
    return this.send(request, 'text/plain, */*');
  }

  private async send(request: KubeRequest, accept: string): Promise<string> {
    const url = new URL(this.server + request.path);
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const credentials = await this.credentials.get(request.signal);
    const body = request.patch ? JSON.stringify(request.patch.body) : undefined;
    const transport = url.protocol === 'https:' ? https : http;
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const outgoing = transport.request(
        url,
        {
          method: request.method ?? 'GET',
          agent: credentials.agent ?? this.agent,
          signal: request.signal,
          ...(url.protocol === 'https:' ? credentials.tls : {}),
          headers: {
            accept,
            'user-agent': USER_AGENT,
            ...credentials.headers,
            ...(request.patch
              ? { 'content-type': request.patch.contentType, 'content-length': Buffer.byteLength(body ?? '') }
              : {}),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.once('end', () =>
            resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
          );
          response.once('error', reject);
        },
      );
      outgoing.once('error', reject);
      outgoing.end(body);
    });
    if (status === 401) this.credentials.rejected();
    if (status < 200 || status >= 300) throw new KubeApiError(status, text);
    return text;
  }
}

// The fields of the core and apps APIs typed `Date` in client-node's models.
const TIME_FIELDS = new Set([
  'creationTimestamp',
  'deletionTimestamp',
  'lastTransitionTime',
  'lastUpdateTime',
  'lastProbeTime',
  'lastHeartbeatTime',
  'startedAt',
  'finishedAt',
  'startTime',
  'firstTimestamp',
  'lastTimestamp',
  'eventTime',
  'lastObservedTime',
  'time',
]);
// Maps whose keys are the user's, where a key named `time` is not a timestamp.
const USER_MAPS = new Set([
  'labels',
  'annotations',
  'data',
  'stringData',
  'binaryData',
  'matchLabels',
  'nodeSelector',
]);
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function reviveTimes(value: unknown): unknown {
  if (Array.isArray(value)) {
    for (const item of value) reviveTimes(item);
  } else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const [key, field] of Object.entries(record)) {
      if (typeof field === 'string') {
        if (TIME_FIELDS.has(key) && RFC3339.test(field)) record[key] = new Date(field);
      } else if (!USER_MAPS.has(key)) reviveTimes(field);
    }
  }
  return value;
}
