import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { Agent } from 'node:http';
import { z } from 'zod';
import type { Clock } from '../domain/clock.ts';
import { ClusterError } from '../domain/cluster.ts';
import type { KubeTarget } from './kubeconfig.ts';

/** What a request to the API server carries: headers, TLS material, and (client-node's) agent. */
export interface Credentials {
  headers: Record<string, string>;
  tls: {
    ca?: Buffer;
    cert?: Buffer | string;
    key?: Buffer | string;
    rejectUnauthorized?: boolean;
    servername?: string;
  };
  agent?: Agent;
}

// kubelet rotates projected service-account tokens; client-go rereads the file every minute.
const TOKEN_FILE_TTL_MS = 60_000;
// An exec credential is refreshed this long before it expires, so no request leaves with one that dies on the way.
const EXPIRY_MARGIN_MS = 10_000;

const execCredentialSchema = z.object({
  status: z
    .object({
      token: z.string().optional(),
      clientCertificateData: z.string().optional(),
      clientKeyData: z.string().optional(),
      expirationTimestamp: z.string().optional(),
    })
    .optional(),
});
type ExecStatus = NonNullable<z.infer<typeof execCredentialSchema>['status']>;

/**
 * The credentials of a kubeconfig user as kubectl applies them: a token, a token file (reread),
 * client certificates, basic auth, or an exec plugin (kubelogin on AKS; run again when its
 * credential expires or the API server answers 401). A legacy auth-provider or a proxy goes
 * through @kubernetes/client-node, imported only then.
 */
export class KubeCredentials {
  private readonly target: KubeTarget;
  private readonly clock: Clock;
  private tokenFile?: { token: string; readAt: number };
  private exec?: Promise<ExecStatus>;
  private execExpiresAt = Number.POSITIVE_INFINITY;
  private clientNode?: Promise<() => Promise<Credentials>>;

  constructor(target: KubeTarget, clock: Clock) {
    this.target = target;
    this.clock = clock;
  }

  async get(signal: AbortSignal): Promise<Credentials> {
    if (this.target.clientNode) {
      this.clientNode ??= clientNodeCredentials(this.target.clientNode);
      return (await this.clientNode)();
    }
    const { user } = this.target;
    const headers: Record<string, string> = {};
    const tls: Credentials['tls'] = {
      rejectUnauthorized: !this.target.insecure,
      ...(this.target.ca ? { ca: this.target.ca } : {}),
      ...(this.target.tlsServerName ? { servername: this.target.tlsServerName } : {}),
      ...(user.cert ? { cert: user.cert } : {}),
      ...(user.key ? { key: user.key } : {}),
    };
    if (user.basic) {
      headers.authorization = `Basic ${Buffer.from(`${user.basic.username}:${user.basic.password}`).toString('base64')}`;
    }
    if (user.exec) {
      const status = await this.execStatus(signal);
      if (status.token) headers.authorization = `Bearer ${status.token}`;
      if (status.clientCertificateData) tls.cert = status.clientCertificateData;
      if (status.clientKeyData) tls.key = status.clientKeyData;
    }
    const token = user.token ?? (user.tokenFile ? await this.readTokenFile(user.tokenFile) : undefined);
    if (token) headers.authorization = `Bearer ${token}`;
    return { headers, tls };
  }

  /** The API server refused the credentials: an exec plugin's cached one is dropped, to be fetched anew. */
  rejected(): void {
    this.exec = undefined;
  }

  private async readTokenFile(file: string): Promise<string> {
    const now = this.clock.now().getTime();
    if (this.tokenFile && now - this.tokenFile.readAt < TOKEN_FILE_TTL_MS) return this.tokenFile.token;
    try {
      this.tokenFile = { token: (await readFile(file, 'utf8')).trim(), readAt: now };
    } catch (error) {
      throw new ClusterError('forbidden', `Cannot read the token file ${file}: ${(error as Error).message}.`);
    }
    return this.tokenFile.token;
  }

  private async execStatus(signal: AbortSignal): Promise<ExecStatus> {
    if (this.exec && this.clock.now().getTime() < this.execExpiresAt - EXPIRY_MARGIN_MS) return this.exec;
    const running = runExecPlugin(this.target, signal);
    this.exec = running;
    this.execExpiresAt = Number.POSITIVE_INFINITY;
    try {
      const status = await running;
      if (status.expirationTimestamp) this.execExpiresAt = Date.parse(status.expirationTimestamp);
      return status;
    } catch (error) {
      if (this.exec === running) this.exec = undefined;
      throw error;
    }
  }
}

/** Runs the kubeconfig's exec plugin as kubectl does (KUBERNETES_EXEC_INFO, non-interactive). */
function runExecPlugin(target: KubeTarget, signal: AbortSignal): Promise<ExecStatus> {
  const exec = target.user.exec;
  if (!exec) throw new Error('runExecPlugin without an exec plugin');
  const apiVersion = exec.apiVersion ?? 'client.authentication.k8s.io/v1';
  const info = {
    apiVersion,
    kind: 'ExecCredential',
    spec: {
      interactive: false,
      ...(exec.provideClusterInfo
        ? {
            cluster: {
              server: target.server,
              ...(target.ca ? { 'certificate-authority-data': target.ca.toString('base64') } : {}),
              'insecure-skip-tls-verify': target.insecure,
              ...(target.tlsServerName ? { 'tls-server-name': target.tlsServerName } : {}),
            },
          }
        : {}),
    },
  };
  const env: Record<string, string> = { ...target.execEnv, KUBERNETES_EXEC_INFO: JSON.stringify(info) };
  for (const { name, value } of exec.env ?? []) env[name] = value;
  const failed = (why: string) =>
    new ClusterError('forbidden', `The kubeconfig's credential plugin \`${exec.command}\` failed: ${why}`, {
      hint:
        exec.installHint?.trim() || `Run \`${[exec.command, ...(exec.args ?? [])].join(' ')}\` to see why.`,
    });
  return new Promise((resolve, reject) => {
    const child = spawn(exec.command, exec.args ?? [], { env, signal, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += String(chunk);
    });
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.name === 'AbortError' ? error : failed(error.code ?? error.message));
    });
    child.once('close', (code) => {
      if (code !== 0)
        return reject(failed(`exit ${code}${stderr.trim() ? `: ${stderr.trim().slice(0, 300)}` : ''}`));
      let parsed: ReturnType<typeof execCredentialSchema.safeParse>;
      try {
        parsed = execCredentialSchema.safeParse(JSON.parse(stdout));
      } catch {
        return reject(failed('it did not print an ExecCredential (JSON) on stdout'));
      }
      const status = parsed.success ? parsed.data.status : undefined;
      if (!status || !(status.token || (status.clientCertificateData && status.clientKeyData))) {
        return reject(failed('its ExecCredential has neither a token nor a client certificate and key'));
      }
      resolve(status);
    });
  });
}

/** The credentials and agent @kubernetes/client-node builds for what only it implements. */
async function clientNodeCredentials(
  from: NonNullable<KubeTarget['clientNode']>,
): Promise<() => Promise<Credentials>> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  const [first, ...rest] = from.kubeconfigPaths;
  if (first) kc.loadFromFile(first);
  for (const file of rest) {
    const more = new KubeConfig();
    more.loadFromFile(file);
    kc.mergeConfig(more);
  }
  kc.setCurrentContext(from.context);
  return async () => {
    const options: { headers?: Record<string, string>; agent?: Agent; auth?: string } = {};
    await kc.applyToHTTPSOptions(options as never);
    const headers = { ...options.headers };
    if (options.auth) headers.authorization = `Basic ${Buffer.from(options.auth).toString('base64')}`;
    // The TLS settings live in client-node's agent; per-request ones would override them.
    return { headers, tls: {}, ...(options.agent ? { agent: options.agent } : {}) };
  };
}
