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
  FLEET_API_URL: url(HTTP).optional(),
  FLEET_DATABASE_URL: url(POSTGRES).optional(),
  FLEET_REDIS_URL: url(REDIS).optional(),
  /** The demo user `smoke` logs in as (the runbook's admin@demofleet.com); never printed or logged. */
  FLEET_DEMO_EMAIL: z.string().optional(),
  FLEET_DEMO_PASSWORD: z.string().optional(),
  APPINSIGHTS_RESOURCE_ID: appInsightsId.optional(),
  AZURE_MONITOR_LOGS_ENDPOINT: url(HTTP).optional(),
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
  if (!result.success) return { ok: false, problems: issuesToProblems(result.error.issues, ['env']) };
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
      kube: { kubeconfig: vars.KUBECONFIG },
      fleet: {
        apiUrl: vars.FLEET_API_URL,
        databaseUrl: vars.FLEET_DATABASE_URL,
        redisUrl: vars.FLEET_REDIS_URL,
        demoEmail: vars.FLEET_DEMO_EMAIL,
        demoPassword: vars.FLEET_DEMO_PASSWORD,
      },
      appInsights: { resourceId: vars.APPINSIGHTS_RESOURCE_ID, endpoint: vars.AZURE_MONITOR_LOGS_ENDPOINT },
    },
  };
}
