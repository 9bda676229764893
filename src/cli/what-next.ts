import type { Config } from '../config/index.ts';
import type { AppRoles } from '../main.ts';

/**
 * What a person who just ran `fleetbot start` in a terminal can do next: where it serves, where its data
 * lives, and the one step that turns on each part still off. Printed once the server is ready.
 */
export function whatNext(config: Config, roles: AppRoles, port: number): string {
  const base = `http://localhost:${port}`;
  const { databaseUrl, redisUrl, dataDir } = config.runtime;
  const lines = [
    '',
    `fleetbot is ready on ${base} (readiness: ${base}/readyz, metrics: ${base}/metrics)`,
    `  Data      ${databaseUrl ? 'PostgreSQL at DATABASE_URL' : `embedded PostgreSQL in ${dataDir}`}; queue on ${redisUrl ? 'Redis (REDIS_URL)' : 'PostgreSQL'}`,
  ];
  if (roles.web)
    lines.push(`  Slack     ${slackLine(config, base)}`, `  Alerts    ${alertsLine(config, base)}`);
  lines.push(
    '  Terminal  npx fleetbot run health (or status, logs api --grep error, …); npx fleetbot --help',
    '',
  );
  return lines.join('\n');
}

function slackLine(config: Config, base: string): string {
  const { botToken, signingSecret, appToken } = config.slack;
  if (botToken && appToken) return 'connected over Socket Mode';
  if (botToken && signingSecret)
    return `connected over HTTP: Slack's Request URL is <public URL>/slack/events`;
  return (
    'off. Create the Slack app from manifest.yml, install it, then set SLACK_BOT_TOKEN and ' +
    'SLACK_SIGNING_SECRET (Slack calls <public URL>/slack/events) or SLACK_APP_TOKEN (Socket Mode: no ' +
    `public URL needed) and start again; ${base} is only this machine`
  );
}

function alertsLine(config: Config, base: string): string {
  if (!config.alerts.token) {
    return 'off. Set ALERTS_TOKEN, then point Azure Monitor action groups at <public URL>/alerts/azure?token=…, Alertmanager at /alerts/alertmanager and anything else at /alerts/generic (header Authorization: Bearer …)';
  }
  return `on: POST ${base}/alerts/azure?token=…, /alerts/alertmanager, /alerts/generic (Authorization: Bearer <ALERTS_TOKEN>)`;
}
