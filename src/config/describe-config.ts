import type { Config } from './config.ts';
import { formatDuration } from './duration.ts';
import { CONSOLE_VARIABLES, consoleEnabled } from './env.ts';
import { nextMaintenanceWindow } from './maintenance-window.ts';
import { SEVERITY_IDS } from './schema-kit.ts';
import { wallClockAt } from './zoned-time.ts';

const LABEL_WIDTH = 16;

function line(label: string, text: string): string {
  return `${label.padEnd(LABEL_WIDTH)}${text}`;
}

function table(label: string, rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows.map((row, index) =>
    line(
      index === 0 ? label : '',
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    ),
  );
}

/** `set` / `not set` for each variable: values are never shown, since most are secrets or contain them. */
function presence(entries: Readonly<Record<string, string | undefined>>): string {
  return Object.entries(entries)
    .map(([name, value]) => `${name} ${value === undefined ? 'not set' : 'set'}`)
    .join(', ');
}

function roleList(ids: readonly string[]): string {
  return ids.map((id) => (id === '*' ? 'everyone' : id)).join(', ') || 'nobody';
}

function localTime(instant: Date, timeZone: string): string {
  const wall = wallClockAt(instant, timeZone);
  const two = (value: number) => String(value).padStart(2, '0');
  return `${wall.year}-${two(wall.month)}-${two(wall.day)} ${two(wall.hour)}:${two(wall.minute)}`;
}

/**
 * The one-screen summary `fleetbot config check` prints on success. Shows which integrations are
 * configured but never a secret's value.
 * @param now When "next maintenance window" is counted from. @defaultValue the current time
 */
export function describeConfig(config: Config, now: Date): string {
  const { cluster, maintenance, businessHours, permissions, runtime, slack, fleet, appInsights } = config;
  const services = Object.entries(config.services).map(([name, service]) => [
    name,
    service.kind,
    service.workload,
    `replicas ${service.replicas.min}–${service.replicas.max}`,
    service.aliases.length > 0 ? `aka ${service.aliases.join(', ')}` : '',
  ]);
  const severities = SEVERITY_IDS.map((id) => {
    const severity = config.severities[id];
    const when = severity.businessHoursOnly ? ' (business hours)' : '';
    return [
      id,
      severity.name,
      `respond in ${formatDuration(severity.responseTime)}`,
      `page ${roleList(severity.page)}${when}`,
    ];
  });
  const rules = config.escalation.rules.map((rule) => {
    const only = rule.severities.length < SEVERITY_IDS.length ? ` (${rule.severities.join(', ')})` : '';
    return `${formatDuration(rule.after)} ${rule.to}${only}`;
  });
  const withoutSlack = Object.entries(config.roles)
    .filter(([, role]) => role.slack.users.length + role.slack.groups.length === 0)
    .map(([id]) => id);
  const window = nextMaintenanceWindow(maintenance, now);
  const slackMode = slack.appToken ? 'Socket Mode' : slack.signingSecret ? 'HTTP mode' : 'no inbound Slack';

  return [
    `fleetbot configuration from ${runtime.configFile ?? 'the built-in defaults (no config file)'}`,
    line(
      'Cluster',
      `${cluster.name} (resource group ${cluster.resourceGroup}), namespace ${cluster.namespace}, ` +
        `context ${cluster.context ?? '(current)'}; ${presence({ KUBECONFIG: config.kube.kubeconfig })}`,
    ),
    ...table('Services', services),
    ...table('Severities', severities),
    line(
      'Business hours',
      `${businessHours.days.join(' ')} ${businessHours.start}–${businessHours.end} ${businessHours.timezone}`,
    ),
    line(
      'Escalation',
      `after open: ${rules.join(' · ')}; unacknowledged: ${roleList(config.escalation.unacknowledged)}`,
    ),
    line(
      'Roles',
      `${Object.keys(config.roles).join(', ')}; ` +
        (withoutSlack.length > 0
          ? `no Slack ids (roles.*.slack) for ${withoutSlack.join(', ')}`
          : 'all roles have Slack ids'),
    ),
    line(
      'Permissions',
      `read: ${roleList(permissions.read)} · operate: ${roleList(permissions.operate)} · admin: ${roleList(permissions.admin)} · drill: ${roleList(permissions.drill)}`,
    ),
    line('', `two-person: ${permissions.twoPerson.join(', ') || 'none'}`),
    line(
      'Maintenance',
      `${maintenance.schedule.week} ${maintenance.schedule.day} ${maintenance.start}–${maintenance.end} ${maintenance.timezone}, ` +
        `holds ${maintenance.holdPaging.join(', ') || 'no'} pages, notices ${maintenance.notices.map(formatDuration).join(', ')} before`,
    ),
    line(
      '',
      `next: ${localTime(window.start, maintenance.timezone)} to ${localTime(window.end, maintenance.timezone)} ` +
        `(${window.start.toISOString()})`,
    ),
    line('Channels', `alerts ${config.channels.alerts}, incidents ${config.channels.incidentPrefix}<id>`),
    line('Runtime', `port ${runtime.port}, data dir ${runtime.dataDir}, log level ${runtime.logLevel}`),
    line(
      'Stores',
      `${presence({ DATABASE_URL: runtime.databaseUrl })}${runtime.databaseUrl ? '' : ' (embedded PostgreSQL)'}, ` +
        `${presence({ REDIS_URL: runtime.redisUrl })}${runtime.redisUrl ? '' : ' (queue on PostgreSQL)'}`,
    ),
    line(
      'Slack',
      `${slackMode}; ${presence({
        SLACK_BOT_TOKEN: slack.botToken,
        SLACK_SIGNING_SECRET: slack.signingSecret,
        SLACK_APP_TOKEN: slack.appToken,
        SLACK_API_URL: slack.apiUrl,
      })}`,
    ),
    line('Alerts', presence({ ALERTS_TOKEN: config.alerts.token })),
    line('Console', describeConsole(config)),
    line(
      'Fleet',
      presence({
        FLEET_API_URL: fleet.apiUrl,
        FLEET_DATABASE_URL: fleet.databaseUrl,
        FLEET_REDIS_URL: fleet.redisUrl,
        FLEET_DEMO_EMAIL: fleet.demoEmail,
        FLEET_DEMO_PASSWORD: fleet.demoPassword,
      }),
    ),
    line(
      'App Insights',
      presence({
        APPINSIGHTS_RESOURCE_ID: appInsights.resourceId,
        AZURE_MONITOR_LOGS_ENDPOINT: appInsights.endpoint,
      }),
    ),
  ].join('\n');
}

/** Where the console is and who gets in, or which variables turn it on. */
function describeConsole(config: Config): string {
  const settings = config.console;
  const enabled = consoleEnabled(settings);
  if (!enabled) return `off (set ${CONSOLE_VARIABLES.join(', ')} to turn it on)`;
  const workspace = settings.workspace ?? "the bot token's (auth.test)";
  return (
    `${enabled.url}/console/, sign-in ${enabled.issuer}, workspace ${workspace}, ` +
    `sessions ${formatDuration(settings.sessionTtl)}, audit log: ${settings.auditLog.join(', ') || 'nobody'}`
  );
}
