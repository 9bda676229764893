import { existsSync, readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { homedir } from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { ClusterError } from '../domain/cluster.ts';
import { optional } from '../lib/optional.ts';

// kubectl's rules for finding and reading a kubeconfig, without @kubernetes/client-node: loading that
// client costs a CLI command ~0.6 s and ~95 MB (its config module imports every generated API).

export const SERVICE_ACCOUNT_ROOT = '/var/run/secrets/kubernetes.io/serviceaccount';

const execSchema = z.object({
  apiVersion: z.string().optional(),
  command: z.string().min(1, 'exec needs a command'),
  args: z.array(z.string()).nullish(),
  env: z.array(z.object({ name: z.string(), value: z.string() })).nullish(),
  provideClusterInfo: z.boolean().optional(),
  installHint: z.string().optional(),
});
export type ExecConfig = z.infer<typeof execSchema>;

const clusterSchema = z.object({
  server: z.string().min(1, 'the cluster has no server'),
  'certificate-authority': z.string().optional(),
  'certificate-authority-data': z.string().optional(),
  'insecure-skip-tls-verify': z.boolean().optional(),
  'tls-server-name': z.string().optional(),
  'proxy-url': z.string().optional(),
});

const userSchema = z.object({
  token: z.string().optional(),
  tokenFile: z.string().optional(),
  'client-certificate': z.string().optional(),
  'client-certificate-data': z.string().optional(),
  'client-key': z.string().optional(),
  'client-key-data': z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  exec: execSchema.optional(),
  'auth-provider': z.object({ name: z.string() }).loose().optional(),
});

const fileSchema = z.object({
  'current-context': z.string().nullish(),
  clusters: z.array(z.object({ name: z.string(), cluster: clusterSchema.nullish() })).nullish(),
  users: z.array(z.object({ name: z.string(), user: userSchema.nullish() })).nullish(),
  contexts: z
    .array(
      z.object({
        name: z.string(),
        context: z.object({ cluster: z.string(), user: z.string().optional() }).nullish(),
      }),
    )
    .nullish(),
});

type ClusterEntry = z.infer<typeof clusterSchema>;
type UserEntry = z.infer<typeof userSchema>;

/** The context to talk to, resolved: paths absolute, `*-data` decoded. */
export interface KubeTarget {
  context: string;
  server: string;
  ca?: Buffer;
  insecure: boolean;
  tlsServerName?: string;
  /** The environment an exec credential plugin runs with. */
  execEnv: Record<string, string>;
  user: {
    token?: string;
    tokenFile?: string;
    cert?: Buffer;
    key?: Buffer;
    basic?: { username: string; password: string };
    exec?: ExecConfig;
  };
  /**
   * Set when the kubeconfig uses what only @kubernetes/client-node implements (a legacy
   * `auth-provider`, a `proxy-url`): requests then take their credentials and agent from it.
   */
  clientNode?: { kubeconfigPaths: string[]; context: string };
}

interface Loaded {
  currentContext?: string;
  clusters: Map<string, ClusterEntry>;
  users: Map<string, UserEntry>;
  contexts: Map<string, { cluster: string; user?: string }>;
  paths: string[];
}

export interface FindOptions {
  /** KUBECONFIG: one file, or several joined with `:`; otherwise ~/.kube/config, then in-cluster. */
  kubeconfig?: string | undefined;
  /** The context to use instead of the file's current-context (`cluster.context`). */
  context?: string | undefined;
  home?: string | undefined;
  /** KUBERNETES_SERVICE_HOST and _PORT, set in every pod. */
  serviceHost?: string | undefined;
  servicePort?: string | undefined;
  execEnv?: Record<string, string>;
  /** Where the service account's token and CA are mounted (tests). */
  serviceAccountRoot?: string;
}

/**
 * kubectl's search: `KUBECONFIG` (several files joined with `:`, merged, the first to set a
 * name wins), else ~/.kube/config, else the pod's service account. Undefined when there is none.
 */
export function findKubeTarget(options: FindOptions = {}): KubeTarget | undefined {
  const execEnv = options.execEnv ?? {};
  const files = options.kubeconfig
    ? options.kubeconfig.split(path.delimiter).filter(Boolean)
    : [path.join(options.home || homedir(), '.kube', 'config')].filter((file) => existsSync(file));
  if (files.length > 0) return targetOf(loadFiles(files), options.context, execEnv);
  return inCluster(options, options.serviceAccountRoot ?? SERVICE_ACCOUNT_ROOT, execEnv);
}

function loadFiles(files: string[]): Loaded {
  const loaded: Loaded = { clusters: new Map(), users: new Map(), contexts: new Map(), paths: files };
  for (const file of files) {
    const parsed = fileSchema.safeParse(YAML.parse(readKubeconfig(file)) ?? {});
    if (!parsed.success) {
      throw new ClusterError(
        'invalid',
        `The kubeconfig ${file} is not valid: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}.`,
        {
          hint: 'Check it with `kubectl config view`.',
        },
      );
    }
    const dir = path.dirname(path.resolve(file));
    const config = parsed.data;
    loaded.currentContext ??= config['current-context'] || undefined;
    for (const { name, cluster } of config.clusters ?? []) {
      if (cluster && !loaded.clusters.has(name)) loaded.clusters.set(name, absolute(cluster, dir));
    }
    for (const { name, user } of config.users ?? []) {
      if (!loaded.users.has(name)) loaded.users.set(name, absolute(user ?? {}, dir));
    }
    for (const { name, context } of config.contexts ?? []) {
      if (context && !loaded.contexts.has(name)) loaded.contexts.set(name, context);
    }
  }
  return loaded;
}

function readKubeconfig(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ClusterError('forbidden', `Cannot read the kubeconfig ${file}: ${(error as Error).message}.`, {
      hint: 'Set KUBECONFIG (or kube.kubeconfig in fleetbot.yml) to a readable file.',
    });
  }
}

/** kubectl resolves a kubeconfig's relative file paths against the directory of that file. */
function absolute<T extends Record<string, unknown>>(entry: T, dir: string): T {
  const out: Record<string, unknown> = { ...entry };
  for (const key of ['certificate-authority', 'client-certificate', 'client-key', 'tokenFile']) {
    const value = out[key];
    if (typeof value === 'string' && value !== '') out[key] = path.resolve(dir, value);
  }
  return out as T;
}

function targetOf(loaded: Loaded, override: string | undefined, execEnv: Record<string, string>): KubeTarget {
  const name = override ?? loaded.currentContext;
  const known = [...loaded.contexts.keys()].join(', ') || 'none';
  if (!name) {
    throw new ClusterError(
      'invalid',
      `The kubeconfig (${loaded.paths.join(', ')}) sets no current context.`,
      {
        hint: `Choose one with \`kubectl config use-context\` or cluster.context in fleetbot.yml (contexts: ${known}).`,
      },
    );
  }
  const context = loaded.contexts.get(name);
  if (!context) {
    throw new ClusterError('invalid', `The kubeconfig has no context "${name}".`, {
      hint: `Contexts: ${known}. Set cluster.context in fleetbot.yml to one of them.`,
    });
  }
  const cluster = loaded.clusters.get(context.cluster);
  if (!cluster) {
    throw new ClusterError(
      'invalid',
      `Context "${name}" names cluster "${context.cluster}", which is not in the kubeconfig.`,
    );
  }
  const user = (context.user ? loaded.users.get(context.user) : undefined) ?? {};
  const legacy = user['auth-provider'] !== undefined || cluster['proxy-url'] !== undefined;
  return {
    context: name,
    server: cluster.server,
    execEnv,
    ...optional('ca', bytes(cluster['certificate-authority'], cluster['certificate-authority-data'])),
    insecure: cluster['insecure-skip-tls-verify'] === true,
    ...optional('tlsServerName', cluster['tls-server-name']),
    user: {
      ...optional('token', user.token),
      ...optional('tokenFile', user.tokenFile),
      ...optional('cert', bytes(user['client-certificate'], user['client-certificate-data'])),
      ...optional('key', bytes(user['client-key'], user['client-key-data'])),
      ...(user.username !== undefined
        ? { basic: { username: user.username, password: user.password ?? '' } }
        : {}),
      ...optional('exec', user.exec),
    },
    ...(legacy ? { clientNode: { kubeconfigPaths: loaded.paths, context: name } } : {}),
  };
}

/** client-node's and kubectl's in-cluster configuration: the API's service address and the mounted token. */
function inCluster(
  options: FindOptions,
  root: string,
  execEnv: Record<string, string>,
): KubeTarget | undefined {
  const tokenFile = path.join(root, 'token');
  const host = options.serviceHost;
  if (!host || !existsSync(tokenFile)) return undefined;
  const port = options.servicePort ?? '443';
  return {
    context: 'in-cluster',
    execEnv,
    server: `https://${isIPv6(host) ? `[${host}]` : host}:${port}`,
    ...optional('ca', bytes(path.join(root, 'ca.crt'), undefined)),
    insecure: false,
    user: { tokenFile },
  };
}

function bytes(file: string | undefined, data: string | undefined): Buffer | undefined {
  if (file) {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new ClusterError(
        'forbidden',
        `Cannot read ${file}, named in the kubeconfig: ${(error as Error).message}.`,
      );
    }
  }
  return data ? Buffer.from(data, 'base64') : undefined;
}
