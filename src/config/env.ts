import path from 'node:path';
import * as z from 'zod';
import type { ConfigProblem } from './config-error.ts';
import { issuesToProblems } from './issue-messages.ts';

// The environment part of the Config. Messages here never contain the value of a token, a secret
// or a URL (connection strings carry passwords); they say what is wrong with it instead.

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const NOT_SHOWN = '(value not shown)';

function url(schemes: readonly string[]) {
  const expected = `expected a URL starting with ${schemes.map((scheme) => `${scheme}//`).join(' or ')}`;
  return z.string().check((payload) => {
    let protocol: string;
    try {
      protocol = new URL(payload.value).protocol;
    } catch {
      payload.issues.push({
        code: 'custom',
        input: '',
        message: `${expected}, got text that is not a URL ${NOT_SHOWN}`,
      });
      return;
    }
    if (!schemes.includes(protocol)) {
      // The scheme alone is safe to show and usually the whole mistake (mysql://, http:// for redis).
      payload.issues.push({
        code: 'custom',
        input: '',
        message: `${expected}, got one starting with ${protocol}// ${NOT_SHOWN}`,
      });
    }
  });
}

function token(prefix: string, what: string) {
  return z.string().refine((value) => value.startsWith(prefix), {
    error: `expected a Slack ${what} starting with "${prefix}", got one that does not ${NOT_SHOWN}`,
  });
}

const port = z
  .string()
  .regex(/^\d{1,5}$/, {
    error: (issue) => `expected a whole number from 0 to 65535, got ${JSON.stringify(issue.input)}`,
  })
  .transform(Number)
  .refine((value) => value <= 65_535, {
    error: (issue) => `expected a whole number from 0 to 65535, got ${issue.input}`,
  });

const logLevel = z
  .string()
  .transform((value) => value.toLowerCase())
  .pipe(
    z.enum(LOG_LEVELS, {
      error: (issue) => `expected one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(issue.input)}`,
    }),
  );

const LOG_FORMATS = ['json', 'pretty'] as const;
const logFormat = z
  .string()
  .transform((value) => value.toLowerCase())
  .pipe(
    z.enum(LOG_FORMATS, {
      error: (issue) => `expected json or pretty, got ${JSON.stringify(issue.input)}`,
    }),
  );

const AZURE_RESOURCE_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/[^/]+\/[^/]+\/[^/]+$/i;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const appInsightsId = z.string().refine((value) => AZURE_RESOURCE_ID.test(value) || GUID.test(value), {
  error: (issue) =>
    'expected an Application Insights resource id (/subscriptions/…/resourceGroups/…/providers/microsoft.insights/components/NAME) ' +
    `or a Log Analytics workspace id (a GUID), got ${JSON.stringify(issue.input)}`,
});

/** Whether a URL's host is this machine: the only place a plain-http identity provider is accepted. */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

/** Builds on `url(HTTP)`: every check below runs only on text that parsed as a URL. */
function parsedUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/**
 * The console's public origin. The console lives at `/console/` of it and its cookies at `Path=/console`,
 * so a path prefix (a proxy serving fleetbot under `/ops/`) could not work and is refused. A trailing
 * slash is dropped.
 */
const consoleUrl = (schemes: readonly string[]) =>
  url(schemes)
    .check((payload) => {
      const parsed = parsedUrl(payload.value);
      if (!parsed || !schemes.includes(parsed.protocol)) return;
      if ((parsed.pathname !== '/' && parsed.pathname !== '') || parsed.search || parsed.hash) {
        payload.issues.push({
          code: 'custom',
          input: '',
          message:
            'expected the public origin only, like https://fleetbot.example.com (the console is served under /console/ there), ' +
            `got one with a path, query or fragment ${NOT_SHOWN}`,
        });
      } else if (parsed.username || parsed.password) {
        payload.issues.push({
          code: 'custom',
          input: '',
          message: `expected a URL without a user name or password, got one with them ${NOT_SHOWN}`,
        });
      }
    })
    .transform((value) => new URL(value).origin);

/** The OpenID Connect issuer: https, or plain http on a loopback host (a local issuer in tests). */
const issuerUrl = (schemes: readonly string[]) =>
  url(schemes).check((payload) => {
    const parsed = parsedUrl(payload.value);
    if (parsed?.protocol === 'http:' && !isLoopback(parsed.hostname)) {
      payload.issues.push({
        code: 'custom',
        input: '',
        message: `expected an https:// URL (plain http:// only for an issuer on this machine, such as http://127.0.0.1:PORT in tests), got an http:// one ${NOT_SHOWN}`,
      });
    }
  });

/** A secret that signs the console's cookies: long enough that it cannot be guessed. */
const SESSION_SECRET_MIN = 32;
const sessionSecret = z.string().refine((value) => value.length >= SESSION_SECRET_MIN, {
  error: `expected at least ${SESSION_SECRET_MIN} characters (e.g. the output of \`openssl rand -base64 48\`), got a shorter one ${NOT_SHOWN}`,
});

/** The variables that turn the web console on: all four, or none. */
export const CONSOLE_VARIABLES = [
  'SLACK_CLIENT_ID',
  'SLACK_CLIENT_SECRET',
  'CONSOLE_SESSION_SECRET',
  'CONSOLE_URL',
] as const;

/** Slack's OpenID Connect issuer: Sign in with Slack. */
const SLACK_ISSUER = 'https://slack.com';

const POSTGRES = ['postgres:', 'postgresql:'];
/** Debian's PostgreSQL 15 client tools: the fleet database's major version (pg_dump refuses newer servers). */
const DEFAULT_PG_BIN_DIR = '/usr/lib/postgresql/15/bin';
const REDIS = ['redis:', 'rediss:'];
const HTTP = ['http:', 'https:'];

const envSchema = z.object({
  /** Postgres for fleetbot's own state; unset: embedded PostgreSQL in `FLEETBOT_DATA_DIR`. */
  DATABASE_URL: url(POSTGRES).optional(),
  /** Redis for the queue; unset: BullMQ's PostgreSQL backend on the same database. */
  REDIS_URL: url(REDIS).optional(),
  /** Where embedded PostgreSQL and other local state live. @defaultValue `./.fleetbot`, resolved against the working directory */
  FLEETBOT_DATA_DIR: z
    .string()
    .default('./.fleetbot')
    .transform((dir) => path.resolve(dir)),
  /** Where `db backup` keeps backups. @defaultValue `<FLEETBOT_DATA_DIR>/backups` */
  FLEETBOT_BACKUP_DIR: z
    .string()
    .optional()
    .transform((dir) => (dir === undefined ? undefined : path.resolve(dir))),
  /** Directory of pg_dump and pg_restore. @defaultValue `/usr/lib/postgresql/15/bin` (Debian's postgresql-client-15) */
  FLEETBOT_PG_BIN_DIR: z.string().default(DEFAULT_PG_BIN_DIR),
  SLACK_BOT_TOKEN: token('xoxb-', 'bot token').optional(),
  SLACK_SIGNING_SECRET: z.string().optional(),
  SLACK_APP_TOKEN: token('xapp-', 'app-level token').optional(),
  SLACK_API_URL: url(HTTP).optional(),
  /** HTTP port; 0 picks any free port. @defaultValue 3000 */
  PORT: port.default(3000),
  ALERTS_TOKEN: z.string().optional(),
  KUBECONFIG: z.string().optional(),
  /** Set by Kubernetes in every pod: where the API server is, for the in-cluster service account. */
  KUBERNETES_SERVICE_HOST: z.string().optional(),
  KUBERNETES_SERVICE_PORT: z.string().optional(),
  /** Where ~/.kube/config is looked for. */
  HOME: z.string().optional(),
  FLEET_API_URL: url(HTTP).optional(),
  FLEET_DATABASE_URL: url(POSTGRES).optional(),
  FLEET_REDIS_URL: url(REDIS).optional(),
  /** The demo user `smoke` logs in as (the runbook's admin@demofleet.com); never printed or logged. */
  FLEET_DEMO_EMAIL: z.string().optional(),
  FLEET_DEMO_PASSWORD: z.string().optional(),
  APPINSIGHTS_RESOURCE_ID: appInsightsId.optional(),
  AZURE_MONITOR_LOGS_ENDPOINT: url(HTTP).optional(),
  /** The Slack app's OAuth client id, for Sign in with Slack on the web console. */
  SLACK_CLIENT_ID: z.string().optional(),
  /** The Slack app's OAuth client secret; never printed or logged. */
  SLACK_CLIENT_SECRET: z.string().optional(),
  /** Signs the console's cookies (at least 32 characters); a new one signs everyone out. */
  CONSOLE_SESSION_SECRET: sessionSecret.optional(),
  /** The console's public origin: Slack sends people back to `${CONSOLE_URL}/console/auth/callback`. */
  CONSOLE_URL: consoleUrl(HTTP).optional(),
  /** The OpenID Connect issuer people sign in with. @defaultValue `https://slack.com` */
  CONSOLE_OIDC_ISSUER: issuerUrl(HTTP).default(SLACK_ISSUER),
  /** @defaultValue `info` */
  LOG_LEVEL: logLevel.default('info'),
  /** @defaultValue `pretty` when stdout is a terminal, `json` otherwise */
  LOG_FORMAT: logFormat.optional(),
});

/** The Config's environment-derived parts. Optional values are undefined when the variable is unset or blank. */
export interface EnvConfig {
  runtime: {
    /** HTTP port; 0 = any free port. @defaultValue 3000 */
    port: number;
    /** Absolute directory for embedded PostgreSQL and local state. @defaultValue `<cwd>/.fleetbot` */
    dataDir: string;
    /** External Postgres (`DATABASE_URL`); absent = embedded PostgreSQL. */
    databaseUrl?: string;
    /** Redis for the queue (`REDIS_URL`); absent = the queue runs on Postgres. */
    redisUrl?: string;
    /** pino level. @defaultValue `info` */
    logLevel: LogLevel;
    /** Log line format; absent = `pretty` when stdout is a terminal, `json` otherwise. */
    logFormat?: (typeof LOG_FORMATS)[number];
    /** Absolute directory of the backup store (`FLEETBOT_BACKUP_DIR`). @defaultValue `<dataDir>/backups` */
    backupDir: string;
    /** Directory of pg_dump and pg_restore (`FLEETBOT_PG_BIN_DIR`). @defaultValue `/usr/lib/postgresql/15/bin` */
    pgBinDir: string;
  };
  slack: {
    botToken?: string;
    /** HTTP mode: verifies `/slack/events` requests. */
    signingSecret?: string;
    /** Socket Mode when set. */
    appToken?: string;
    /** Slack Web API base URL; absent = Slack's own. Tests point it at a local fake. */
    apiUrl?: string;
  };
  alerts: {
    /** Shared token that alert webhooks must present. */
    token?: string;
  };
  kube: {
    /** kubeconfig path(s); absent = the default kubeconfig, or the in-cluster service account. */
    kubeconfig?: string;
    home?: string;
    serviceHost?: string;
    servicePort?: string;
    /**
     * What a kubeconfig's exec credential plugin (kubelogin, az) is run with: the variables it needs
     * (PATH, HOME, locale, proxies, AZURE_*, KUBE*), none of fleetbot's own secrets.
     */
    execEnv: Record<string, string>;
  };
  /** The managed Fleet Management System's own endpoints, for health checks and database actions. */
  fleet: {
    apiUrl?: string;
    databaseUrl?: string;
    redisUrl?: string;
    /** The demo credentials `smoke` logs in with (`FLEET_DEMO_EMAIL`, `FLEET_DEMO_PASSWORD`): never shown. */
    demoEmail?: string;
    demoPassword?: string;
  };
  appInsights: {
    /** Application Insights resource id or Log Analytics workspace id. */
    resourceId?: string;
    /** Azure Monitor Logs endpoint override (tests). */
    endpoint?: string;
  };
  /**
   * The web console's sign-in (Sign in with Slack). The console is on when the first four are all
   * set (see `consoleEnabled`); setting only some of them is a configuration error.
   */
  console: {
    /** `SLACK_CLIENT_ID`: the Slack app's OAuth client id. */
    clientId?: string;
    /** `SLACK_CLIENT_SECRET`: never shown. */
    clientSecret?: string;
    /** `CONSOLE_SESSION_SECRET`: signs the session cookies, at least 32 characters; never shown. */
    sessionSecret?: string;
    /** `CONSOLE_URL`: the public origin, without a trailing slash (`https://fleetbot.example.com`). */
    url?: string;
    /** `CONSOLE_OIDC_ISSUER`. @defaultValue `https://slack.com` */
    issuer: string;
  };
}

/** The console's sign-in settings when all four variables are set; undefined when the console is off. */
export function consoleEnabled(
  settings: Readonly<EnvConfig['console']>,
): Required<Readonly<EnvConfig['console']>> | undefined {
  const { clientId, clientSecret, sessionSecret, url, issuer } = settings;
  if (!clientId || !clientSecret || !sessionSecret || !url) return undefined;
  return { clientId, clientSecret, sessionSecret, url, issuer };
}

/** One problem per console variable left unset when some of the others are set. */
function partialConsole(present: Readonly<Record<string, string>>): ConfigProblem[] {
  const set = CONSOLE_VARIABLES.filter((name) => present[name] !== undefined);
  if (set.length === 0 || set.length === CONSOLE_VARIABLES.length) return [];
  const given = `${set.join(', ')} ${set.length === 1 ? 'is' : 'are'} set`;
  return CONSOLE_VARIABLES.filter((name) => present[name] === undefined).map((name) => ({
    path: `env.${name}`,
    message:
      `missing: the web console needs all of ${CONSOLE_VARIABLES.join(', ')}, and ${given}. ` +
      `Set ${name} too, or unset the others to leave the console off`,
  }));
}

const EXEC_PLUGIN_VARIABLES =
  /^(PATH|HOME|USER|LANG|LC_[A-Z]+|TMPDIR|HTTPS?_PROXY|NO_PROXY|AZURE_[A-Z_]+|KUBE[A-Z_]*)$/i;

function execPluginEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && EXEC_PLUGIN_VARIABLES.test(name)) picked[name] = value;
  }
  return picked;
}

/** Reads fleetbot's variables from `env`; empty or blank values count as unset. */
export function parseEnv(
  env: Readonly<Record<string, string | undefined>>,
): { ok: true; value: EnvConfig } | { ok: false; problems: ConfigProblem[] } {
  const present: Record<string, string> = {};
  for (const name of Object.keys(envSchema.shape)) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') present[name] = value;
  }
  // Any issue without its own message gets this one: never the value, which may be a secret.
  const result = envSchema.safeParse(present, { error: () => `invalid value ${NOT_SHOWN}` });
  const problems = [
    ...(result.success ? [] : issuesToProblems(result.error.issues, ['env'])),
    ...partialConsole(present),
  ];
  if (!result.success || problems.length > 0) return { ok: false, problems };
  const vars = result.data;
  return {
    ok: true,
    value: {
      runtime: {
        port: vars.PORT,
        dataDir: vars.FLEETBOT_DATA_DIR,
        databaseUrl: vars.DATABASE_URL,
        redisUrl: vars.REDIS_URL,
        logLevel: vars.LOG_LEVEL,
        logFormat: vars.LOG_FORMAT,
        backupDir: vars.FLEETBOT_BACKUP_DIR ?? path.join(vars.FLEETBOT_DATA_DIR, 'backups'),
        pgBinDir: vars.FLEETBOT_PG_BIN_DIR,
      },
      slack: {
        botToken: vars.SLACK_BOT_TOKEN,
        signingSecret: vars.SLACK_SIGNING_SECRET,
        appToken: vars.SLACK_APP_TOKEN,
        apiUrl: vars.SLACK_API_URL,
      },
      alerts: { token: vars.ALERTS_TOKEN },
      kube: {
        kubeconfig: vars.KUBECONFIG,
        home: vars.HOME,
        serviceHost: vars.KUBERNETES_SERVICE_HOST,
        servicePort: vars.KUBERNETES_SERVICE_PORT,
        execEnv: execPluginEnv(env),
      },
      fleet: {
        apiUrl: vars.FLEET_API_URL,
        databaseUrl: vars.FLEET_DATABASE_URL,
        redisUrl: vars.FLEET_REDIS_URL,
        demoEmail: vars.FLEET_DEMO_EMAIL,
        demoPassword: vars.FLEET_DEMO_PASSWORD,
      },
      appInsights: { resourceId: vars.APPINSIGHTS_RESOURCE_ID, endpoint: vars.AZURE_MONITOR_LOGS_ENDPOINT },
      console: {
        clientId: vars.SLACK_CLIENT_ID,
        clientSecret: vars.SLACK_CLIENT_SECRET,
        sessionSecret: vars.CONSOLE_SESSION_SECRET,
        url: vars.CONSOLE_URL,
        issuer: vars.CONSOLE_OIDC_ISSUER,
      },
    },
  };
}
