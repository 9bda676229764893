import * as z from 'zod';
import {
  actionName,
  duration,
  kubernetesName,
  patterned,
  positiveDuration,
  roleId,
  SEVERITY_IDS,
  serviceName,
  severityId,
  strictObject,
  text,
  timeOfDay,
  timeZone,
  weekday,
  whenFieldsValid,
} from './schema-kit.ts';

// The shape of fleetbot.yml. Every key is optional in the file: the loader lays the file over the
// built-in defaults (defaults.ts, the runbook's values) before this schema sees it, so the
// defaults named below are what a key means when the file leaves it out. Durations are written
// as text (`15m`) and come out as milliseconds.

const port = z.int().min(1).max(65_535);

const cluster = strictObject({
  /** AKS cluster name, as given to `az aks get-credentials --name`. @defaultValue `fleet-aks-cluster` */
  name: text,
  /** Azure resource group that holds the cluster. @defaultValue `fleet-production-rg` */
  resourceGroup: text,
  /** Namespace every action runs in. @defaultValue `fleet-management` */
  namespace: kubernetesName,
  /** kubeconfig context to use. Unset: the kubeconfig's current context, or the in-cluster service account. */
  context: text.optional(),
});

const replicas = strictObject({
  /** Fewest replicas `scale` may set; 0 allows scaling to zero. */
  min: z.int().min(0),
  /** Most replicas `scale` may set; `scale api 9999` is refused above this. */
  max: z.int().min(1),
}).superRefine((limits, ctx) => {
  if (limits.min > limits.max) {
    ctx.addIssue({
      code: 'custom',
      message: `expected min to be at most max, got min ${limits.min} and max ${limits.max}`,
    });
  }
}, whenFieldsValid);

const service = strictObject({
  /** Workload kind; decides how restarts and logs address it (`deployment/…` or `statefulset/…`). */
  kind: z.enum(['Deployment', 'StatefulSet']),
  /** Name of the Deployment or StatefulSet in the namespace, e.g. `fleet-api`. */
  workload: kubernetesName,
  /** Container for logs and `set env`. @defaultValue the workload name */
  container: kubernetesName.optional(),
  /** Kubernetes Service in front of the workload (for health checks through the API server), if any. */
  service: kubernetesName.optional(),
  /** Port the workload serves on. */
  port,
  /** HTTP path that answers a health check on `port`, e.g. `/api/health`; unset when there is none. */
  healthPath: patterned(/^\/\S*$/, 'an HTTP path starting with "/"').optional(),
  /** Other names `/fleet` commands accept for this service (`db` for `postgres`). @defaultValue `[]` */
  aliases: z.array(serviceName).default(() => []),
  /** Replica limits that `scale` enforces. */
  replicas,
  /**
   * Its `cloud_RoleName` in Application Insights: `/fleet metrics --service api` keeps this role's
   * telemetry. A fixed name, never what a user types. @defaultValue the workload name
   */
  appInsightsRole: patterned(
    /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/,
    'a cloud_RoleName of letters, digits and . _ : / - (up to 128)',
  ).optional(),
  /**
   * Who may restart it, and the caution the confirmation shows. The database is admin-only
   * because the runbook says not to restart it in production without a backup.
   * @defaultValue `{ permission: operate }`
   */
  restart: strictObject({
    permission: z.enum(['operate', 'admin']).default('operate'),
    warning: text.optional(),
  }).default(() => ({ permission: 'operate' as const })),
}).transform(({ container, ...rest }) => ({ ...rest, container: container ?? rest.workload }));

const severity = strictObject({
  /** Short name: `Critical`, `High`, `Medium`, `Low`. */
  name: text,
  /** When this severity applies, as in the runbook's table. */
  description: text,
  /**
   * How long the paged roles have to acknowledge before fleetbot re-pages them and notifies
   * `escalation.unacknowledged`. Runbook: P0 `5m`, P1 `15m`, P2 `1h`, P3 `4h`.
   */
  responseTime: duration(),
  /** Roles paged when an incident of this severity opens. */
  page: z.array(roleId),
  /**
   * When true, pages for this severity wait for `businessHours` (P3: "next business day").
   * @defaultValue `false`
   */
  businessHoursOnly: z.boolean().default(false),
});

const role = strictObject({
  /** Display name, e.g. `On-Call Engineer`. */
  name: text,
  /** What this role handles, from the escalation matrix. */
  responsibilities: text,
  /** How the runbook says to reach them (`Slack`, `Email/Phone`); shown to people, not used to deliver. */
  contact: text.optional(),
  /** Who holds the role in Slack; fleetbot mentions them and checks permissions against them. */
  slack: strictObject({
    /** Slack user ids (`U…` or `W…`). @defaultValue `[]` */
    users: z.array(patterned(/^[UW][A-Z0-9]{2,}$/, 'a Slack user id like U0123ABCD')).default(() => []),
    /** Slack user-group ids (`S…`); members count as holding the role. @defaultValue `[]` */
    groups: z.array(patterned(/^S[A-Z0-9]{2,}$/, 'a Slack user-group id like S0123ABCD')).default(() => []),
  }).default(() => ({ users: [], groups: [] })),
});

const escalationRule = strictObject({
  /**
   * How long after the incident opened the rule fires, if the incident is still open.
   * `0s` fires at open (the runbook's "P0 or P1 incident → Team Lead").
   */
  after: duration(),
  /** Role notified. */
  to: roleId,
  /** Severities the rule applies to. @defaultValue all of `P0`–`P3` */
  severities: z
    .array(severityId)
    .min(1)
    .default(() => [...SEVERITY_IDS]),
  /** The runbook's conditions for this step, shown in the notification; fleetbot does not evaluate them. @defaultValue `[]` */
  when: z.array(text).default(() => []),
});

const rolesOrEveryone = z.array(
  patterned(/^(?:\*|[a-z][a-zA-Z0-9]*)$/, 'a camelCase role id like "teamLead", or "*" for everyone'),
);

const schedule = strictObject({
  /** Which occurrence of `day` in the month: `first` … `fourth`, or `last`. @defaultValue `first` */
  week: z.enum(['first', 'second', 'third', 'fourth', 'last']),
  /** Day of the week: `sun` … `sat`. @defaultValue `sun` */
  day: weekday,
});

const maintenance = strictObject({
  /** Which day each month the window falls on. @defaultValue first Sunday */
  schedule,
  /** Local start time in `timezone`. @defaultValue `02:00` */
  start: timeOfDay,
  /** Local end time in `timezone`; earlier than `start` means the next day. @defaultValue `06:00` */
  end: timeOfDay,
  /** IANA zone the times are in; DST is honoured. @defaultValue `America/New_York` */
  timezone: timeZone,
  /**
   * How long before the window to post notices ("7 days notice", "24 hours before"); notices also
   * go out at its start and end. Empty: the recurring window posts no notice at all (emergency
   * maintenance still announces its start and end). @defaultValue `['7d', '24h']`
   */
  notices: z.array(positiveDuration()),
  /**
   * Severities whose pages are held until the window ends (during maintenance the on-call is
   * already watching). P0/P1 always page. @defaultValue `['P2', 'P3']`
   */
  holdPaging: z.array(severityId),
  /**
   * Roles one of whose people approves emergency maintenance, i.e. a window outside the schedule
   * (`/fleet maintenance start|schedule`; runbook: "Manager approval required"). A window asked for
   * by one of them needs no second click. @defaultValue `['engineeringManager']`
   */
  approvers: z.array(roleId),
  /**
   * After an emergency window ends, every incident pages at once for this long, whatever its
   * severity, business hours or holds (runbook: "Extended monitoring for 4 hours post-change");
   * `0s` turns it off. @defaultValue `4h`
   */
  extendedMonitoring: duration(),
}).superRefine((window, ctx) => {
  if (window.start === window.end) {
    ctx.addIssue({
      code: 'custom',
      path: ['end'],
      message: `expected a time other than start, got "${window.end}"`,
    });
  }
}, whenFieldsValid);

const businessHours = strictObject({
  /** Working days. @defaultValue `[mon, tue, wed, thu, fri]` */
  days: z.array(weekday).min(1),
  /** Local start of the working day. @defaultValue `09:00` */
  start: timeOfDay,
  /** Local end of the working day, after `start`. @defaultValue `17:00` */
  end: timeOfDay,
  /** IANA zone of `start` and `end`. @defaultValue `America/New_York` */
  timezone: timeZone,
}).superRefine((hours, ctx) => {
  if (hours.end <= hours.start) {
    ctx.addIssue({
      code: 'custom',
      path: ['end'],
      message: `expected a time after start (${hours.start}), got "${hours.end}"`,
    });
  }
}, whenFieldsValid);

const rotation = strictObject({
  /** The role this rotation fills (`oncall`): paging the role pages whoever is on call. */
  role: roleId,
  /** Slack user ids, in the order they take turns. */
  members: z.array(patterned(/^[UW][A-Z0-9]{2,}$/, 'a Slack user id like U0123ABCD')).min(1),
  /** When the next person takes over. */
  handoff: strictObject({
    /** `weekly` (on `day`) or `daily`. */
    every: z.enum(['weekly', 'daily']),
    /** For weekly handoffs: the day. @defaultValue `mon` */
    day: weekday.default('mon'),
    /** Local time of the handoff. @defaultValue `09:00` */
    time: timeOfDay.default('09:00'),
    /** IANA zone of `time`; DST is honoured. @defaultValue `America/New_York` */
    timezone: timeZone.default('America/New_York'),
  }),
  /** A date (YYYY-MM-DD) on which the first member's turn began; turns count from its handoff. */
  start: patterned(/^\d{4}-\d{2}-\d{2}$/, 'a date like 2026-01-05'),
  /** A Slack user group (`S…`) set to whoever is on call at each handoff (needs `usergroups:write`). */
  usergroup: patterned(/^S[A-Z0-9]{2,}$/, 'a Slack user-group id like S0123ABCD').optional(),
});

const severityMap = z.record(
  patterned(/^\S{1,40}$/, 'a severity name of the source, like Sev1 or critical'),
  severityId,
);

const alerts = strictObject({
  /** How each source's severities become P0–P3. */
  severity: strictObject({
    /** Azure Monitor `Sev0`–`Sev4`. @defaultValue `{ Sev0: P0, Sev1: P1, Sev2: P2, Sev3: P3, Sev4: P3 }` */
    azure: severityMap,
    /**
     * Alertmanager's `severity` label (a `priority` label of `P0`–`P3` wins).
     * @defaultValue `{ critical: P1, warning: P2, info: P3 }`
     */
    alertmanager: severityMap,
    /** When an alert names no severity, or one the map does not know. @defaultValue `P2` */
    fallback: severityId,
  }),
  /**
   * New alerts for the same service within this long of an open incident's start join it rather
   * than open another. `0s`: every alert fingerprint opens its own incident. @defaultValue `5m`
   */
  groupWindow: duration(),
  /** Resolve an incident when every alert in it has resolved at its source. @defaultValue `true` */
  autoResolve: z.boolean(),
  /** Severities that get a channel of their own (`#inc-42-…`). @defaultValue `[P0, P1]` */
  incidentChannel: z.array(severityId),
  /** A resolved incident's post-mortem not marked done after this long is a reminder. @defaultValue `48h` */
  postmortemReminder: positiveDuration(),
});

const backups = strictObject({
  /** The service whose database `db backup` dumps (`FLEET_DATABASE_URL`): its workload is locked while a backup, restore or restart runs. @defaultValue `postgres` */
  service: serviceName,
  /** The newest this many backups are always kept. @defaultValue `14` */
  keep: z.int().min(1),
  /** Backups beyond `keep` older than this are removed after each successful backup; `0s` removes every one beyond `keep`. @defaultValue `30d` */
  maxAge: duration(),
  /**
   * A query whose first value is recorded with each backup (in the dump's own snapshot) and must
   * come out the same after a restore. @defaultValue a count of the tables outside the system schemas
   */
  verifyQuery: text,
  /**
   * `restart` of `service` takes a backup first unless one is younger than this, and is refused
   * when it cannot (override: `--without-backup`); `0s` turns that off. @defaultValue `24h`
   */
  requiredBeforeRestart: duration(),
});

const metrics = strictObject({
  /**
   * The runbook's one threshold ("Slow API responses"): `/fleet metrics` is a warning when P95
   * latency over the window is above this. @defaultValue `2s`
   */
  p95Threshold: positiveDuration(),
  /** `--since` when none is given. @defaultValue `1h` */
  defaultWindow: positiveDuration(),
});

const demo = strictObject({
  /**
   * The SQL script `reset-demo` runs against `FLEET_DATABASE_URL`, in one transaction (so it must not
   * contain BEGIN/COMMIT itself): the runbook's `scripts/reset-demo.sh`, dropping and recreating the
   * demo data and resetting the demo users' passwords. A relative path is read from the directory of
   * fleetbot.yml. Unset: `reset-demo` is refused, saying to set it.
   */
  resetScript: text.optional(),
  /**
   * Redis key patterns (SCAN MATCH globs) `reset-demo` deletes on `FLEET_REDIS_URL` after the script,
   * with SCAN + UNLINK in batches; other keys stay. @defaultValue `['cache:*', 'session:*']`
   */
  redisKeys: z.array(
    patterned(
      /^(?=\S*[^*?[\]\s])\S{1,200}$/,
      'a key pattern with some fixed text, like "cache:*" (a bare "*" would delete every key)',
    ),
  ),
  /** Let `reset-demo` run where `environment` is production. @defaultValue `false` */
  allowInProduction: z.boolean(),
});

/** The permission classes, as `domain/permissions.ts` names them (config/ imports nothing of the app; a test keeps the two equal). */
export const PERMISSION_NAMES = ['read', 'operate', 'admin', 'respond', 'drill'] as const;

const webConsole = strictObject({
  /**
   * How long a console sign-in lasts before the person signs in with Slack again. Sessions are not
   * stored: a new `CONSOLE_SESSION_SECRET` ends every one of them at once. @defaultValue `12h`
   */
  sessionTtl: positiveDuration(),
  /** Permissions any one of which lets a person read the audit log in the console; `[]`: nobody. @defaultValue `[operate, admin]` */
  auditLog: z.array(z.enum(PERMISSION_NAMES)),
  /**
   * The Slack workspace (team id `T…`) whose members may sign in; anyone else is refused. Unset: the
   * workspace of `SLACK_BOT_TOKEN`, read once from Slack's `auth.test`.
   */
  workspace: patterned(/^T[A-Z0-9]{2,}$/, 'a Slack team id like T0123ABCD').optional(),
});

export const fileConfigObject = strictObject({
  /** The AKS cluster fleetbot operates. */
  cluster,
  /**
   * Services `/fleet` commands act on, keyed by the short name users type (`api`). Runbook:
   * `api`, `frontend`, `postgres`, `redis`; entries in the file are merged into these, new keys add services.
   */
  services: z.record(serviceName, service),
  /**
   * The Secrets `/fleet secret set` may change, by name; any other is refused (the Role in
   * deploy/kubernetes/base/rbac.yaml names the same ones). @defaultValue `['fleet-api-secrets']`
   */
  secrets: z.array(kubernetesName).min(1),
  /** Incident severities `P0`–`P3`, from the runbook's "Severity Levels" table. */
  severities: strictObject({ P0: severity, P1: severity, P2: severity, P3: severity }),
  /** When `businessHoursOnly` severities may page. @defaultValue mon–fri 09:00–17:00 America/New_York */
  businessHours,
  /**
   * The escalation matrix, keyed by role id. Runbook: `oncall`, `teamLead`, `devopsLead`,
   * `databaseAdmin`, `engineeringManager`, `cto`; entries in the file are merged into these.
   */
  roles: z.record(roleId, role),
  /** Who is notified as an incident ages ("When to escalate"). */
  escalation: strictObject({
    /**
     * Roles notified, besides re-paging the severity's `page` roles, when an incident is not
     * acknowledged within its severity's `responseTime`. @defaultValue `['teamLead']`
     */
    unacknowledged: z.array(roleId),
    /** Steps in order of `after` (enforced), so a step's index is stable for timer job ids. */
    rules: z.array(escalationRule),
    /**
     * The runbook's response targets: a nudge in the incident's thread when a phase runs over —
     * assessment until acknowledged, investigation until the root cause is ticked, mitigation until
     * mitigated. @defaultValue `{ assessment: 5m, investigation: 30m, mitigation: 1h }`
     */
    phases: strictObject({
      assessment: positiveDuration(),
      investigation: positiveDuration(),
      mitigation: positiveDuration(),
    }),
  }),
  /**
   * Which roles may run each permission class of actions; `'*'` means anyone in the workspace.
   * The classes are independent lists: being in `admin` does not imply `operate`.
   */
  permissions: strictObject({
    /** Read-only actions (health, status, logs). @defaultValue `['*']` */
    read: rolesOrEveryone,
    /** Actions that change running workloads (restart, scale, rollback). @defaultValue `[oncall, teamLead, devopsLead]` */
    operate: rolesOrEveryone,
    /** Data and configuration actions (backup, restore, secrets). @defaultValue `[teamLead, devopsLead, databaseAdmin]` */
    admin: rolesOrEveryone,
    /** Actions that need a second authorised person to confirm (checked against the action registry at start-up). @defaultValue `[]` */
    twoPerson: z.array(actionName),
    /**
     * Who may acknowledge, escalate, resolve and otherwise change an incident (anyone may add a
     * note). @defaultValue the roles of `operate`
     */
    respond: rolesOrEveryone.optional(),
    /** Who may start and stop a drill (`/fleet drill`). @defaultValue `[teamLead, devopsLead, engineeringManager]` */
    drill: rolesOrEveryone,
  }).transform(({ respond, ...rest }) => ({ ...rest, respond: respond ?? rest.operate })),
  /** The monthly maintenance window (runbook: first Sunday, 2AM–6AM ET). */
  maintenance,
  /** How alerts from Azure Monitor, Alertmanager and the generic webhook become incidents. */
  alerts,
  /** On-call rotations, by id. A rotation fills a role: its people are whoever is on call. @defaultValue `{}` */
  oncall: strictObject({ rotations: z.record(roleId, rotation) }),
  /**
   * Which environment this fleetbot runs: `production` (or `prod`) turns on the guards that keep
   * demo operations away from real data (`reset-demo` is refused unless `demo.allowInProduction`).
   * @defaultValue `production`
   */
  environment: patterned(/^[a-z][a-z0-9-]{0,39}$/, 'a lowercase name like production, staging or demo'),
  /** The demo data: `reset-demo` (the runbook's "Reset Demo Data"). */
  demo,
  /** `db backup`, `db backups`, `db restore`: retention, the verify query, the backup required before a database restart. */
  backups,
  /** `/fleet metrics`: Application Insights' request rate, latency and errors against the runbook's threshold. */
  metrics,
  /**
   * The read-only web console at `/console/` (Sign in with Slack). It is on when `SLACK_CLIENT_ID`,
   * `SLACK_CLIENT_SECRET`, `CONSOLE_SESSION_SECRET` and `CONSOLE_URL` are set in the environment.
   */
  console: webConsole,
  /** Where fleetbot posts in Slack. */
  channels: strictObject({
    /** Channel for new alerts: an id (`C…`) or `#name`. @defaultValue `#fleet-alerts` */
    alerts: patterned(
      /^(?:[CG][A-Z0-9]{2,}|#[a-z0-9][a-z0-9_-]{0,79})$/,
      'a Slack channel id like C0123ABCD or a #name',
    ),
    /**
     * Where fleetbot posts results: channel ids (`C…`, `G…`) or `#names`. A command typed anywhere
     * else is refused, with where to run it; direct messages are always allowed. Empty: any channel
     * fleetbot is in. @defaultValue `[]`
     */
    allowed: z.array(
      patterned(
        /^(?:[CG][A-Z0-9]{2,}|#[a-z0-9][a-z0-9_-]{0,79})$/,
        'a Slack channel id like C0123ABCD or a #name',
      ),
    ),
    /** Prefix of per-incident channel names (`inc-42`). @defaultValue `inc-` */
    incidentPrefix: patterned(
      /^[a-z0-9][a-z0-9_-]{0,19}$/,
      'a channel-name prefix of up to 20 lowercase letters, digits, "-" or "_"',
    ),
  }),
});

/** What fleetbot.yml may contain, before defaults and parsing (durations as text). */
export type FileConfigInput = z.input<typeof fileConfigObject>;
/** The parsed file part of the Config (durations in milliseconds). */
export type FileConfig = z.output<typeof fileConfigObject>;
