import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.ts';

// Pure unit tests of the environment part. A file is always named so that no ./fleetbot.yml in
// the working directory can change the outcome.

const exampleFile = path.join(import.meta.dirname, '..', '..', 'fleetbot.example.yml');
const load = (env: Record<string, string | undefined>) => loadConfig({ file: exampleFile, env });

function errorOf(env: Record<string, string | undefined>): ConfigError {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('environment', () => {
  it('maps every variable into its part of the Config', () => {
    const config = load({
      DATABASE_URL: 'postgres://fleetbot:pw@db:5432/fleetbot',
      REDIS_URL: 'rediss://:pw@cache:6380',
      FLEETBOT_DATA_DIR: 'var/state',
      SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
      SLACK_SIGNING_SECRET: 'signing',
      SLACK_APP_TOKEN: 'xapp-1-abc',
      SLACK_API_URL: 'http://127.0.0.1:9999/api/',
      PORT: '0',
      ALERTS_TOKEN: 'alerts',
      KUBECONFIG: '/home/ops/.kube/config',
      FLEET_API_URL: 'http://fleet-api-service:3000',
      FLEET_DATABASE_URL: 'postgresql://fleetuser@fleet-postgres-service:5432/fleetdb',
      FLEET_REDIS_URL: 'redis://fleet-redis:6379',
      APPINSIGHTS_RESOURCE_ID:
        '/subscriptions/021415c2-2f52-4a73-ae77-f8363165a5e1/resourceGroups/fleet-production-rg/providers/microsoft.insights/components/fleet-management-insights',
      AZURE_MONITOR_LOGS_ENDPOINT: 'http://127.0.0.1:9998',
      LOG_LEVEL: 'DEBUG',
    });
    expect(config.runtime).toEqual({
      configFile: exampleFile,
      port: 0,
      dataDir: path.resolve('var/state'),
      databaseUrl: 'postgres://fleetbot:pw@db:5432/fleetbot',
      redisUrl: 'rediss://:pw@cache:6380',
      logLevel: 'debug',
      backupDir: path.resolve('var/state/backups'),
      pgBinDir: '/usr/lib/postgresql/15/bin',
    });
    expect(
      load({ FLEETBOT_BACKUP_DIR: 'backups', FLEETBOT_PG_BIN_DIR: '/opt/pg15/bin' }).runtime,
    ).toMatchObject({ backupDir: path.resolve('backups'), pgBinDir: '/opt/pg15/bin' });
    expect(config.slack).toEqual({
      botToken: 'xoxb-1-2-abc',
      signingSecret: 'signing',
      appToken: 'xapp-1-abc',
      apiUrl: 'http://127.0.0.1:9999/api/',
    });
    expect(config.alerts.token).toBe('alerts');
    // An exec credential plugin (kubelogin) gets KUBE* and the Azure identity, never Slack's or the stores' secrets.
    expect(config.kube).toEqual({
      kubeconfig: '/home/ops/.kube/config',
      execEnv: { KUBECONFIG: '/home/ops/.kube/config', AZURE_MONITOR_LOGS_ENDPOINT: 'http://127.0.0.1:9998' },
    });
    expect(config.fleet).toEqual({
      apiUrl: 'http://fleet-api-service:3000',
      databaseUrl: 'postgresql://fleetuser@fleet-postgres-service:5432/fleetdb',
      redisUrl: 'redis://fleet-redis:6379',
    });
    expect(config.appInsights.resourceId).toMatch(/^\/subscriptions\//);
    expect(config.appInsights.endpoint).toBe('http://127.0.0.1:9998');
  });

  it('treats empty and blank values as unset', () => {
    const config = load({ PORT: '', DATABASE_URL: '  ', SLACK_BOT_TOKEN: '', LOG_LEVEL: '' });
    expect(config.runtime.port).toBe(3000);
    expect(config.runtime.databaseUrl).toBeUndefined();
    expect(config.slack.botToken).toBeUndefined();
    expect(config.runtime.logLevel).toBe('info');
  });

  it('accepts a Log Analytics workspace id for App Insights', () => {
    const workspace = '7d3c1a52-9a3e-4b8e-bb6f-3f7c2b1e0a11';
    expect(load({ APPINSIGHTS_RESOURCE_ID: workspace }).appInsights.resourceId).toBe(workspace);
  });

  it.each([
    ['abc', 'expected a whole number from 0 to 65535, got "abc"'],
    ['70000', 'expected a whole number from 0 to 65535, got 70000'],
    ['-1', 'expected a whole number from 0 to 65535, got "-1"'],
    ['80.5', 'expected a whole number from 0 to 65535, got "80.5"'],
  ])('rejects PORT=%s under env.PORT', (port, message) => {
    expect(errorOf({ PORT: port }).problems).toEqual([{ path: 'env.PORT', message }]);
  });

  it('rejects an unknown LOG_LEVEL, naming the levels', () => {
    expect(errorOf({ LOG_LEVEL: 'verbose' }).problems).toEqual([
      {
        path: 'env.LOG_LEVEL',
        message: 'expected one of fatal, error, warn, info, debug, trace, silent, got "verbose"',
      },
    ]);
  });

  it('never puts a secret into an error message', () => {
    const secrets = {
      SLACK_BOT_TOKEN: 'xoxp-user-token-SECRET1',
      SLACK_APP_TOKEN: 'xoxb-wrong-kind-SECRET2',
      DATABASE_URL: 'mysql://admin:SECRET3@db/fleet',
      REDIS_URL: 'cache:6379 password=SECRET4',
      FLEET_DATABASE_URL: 'http://fleetuser:SECRET5@fleet-postgres-service:5432',
      FLEET_REDIS_URL: 'redis//:SECRET6@fleet-redis',
    };
    const error = errorOf(secrets);
    expect(error.problems).toEqual([
      {
        path: 'env.DATABASE_URL',
        message:
          'expected a URL starting with postgres:// or postgresql://, got one starting with mysql:// (value not shown)',
      },
      {
        path: 'env.REDIS_URL',
        message:
          'expected a URL starting with redis:// or rediss://, got one starting with cache:// (value not shown)',
      },
      {
        path: 'env.SLACK_BOT_TOKEN',
        message: 'expected a Slack bot token starting with "xoxb-", got one that does not (value not shown)',
      },
      {
        path: 'env.SLACK_APP_TOKEN',
        message:
          'expected a Slack app-level token starting with "xapp-", got one that does not (value not shown)',
      },
      {
        path: 'env.FLEET_DATABASE_URL',
        message:
          'expected a URL starting with postgres:// or postgresql://, got one starting with http:// (value not shown)',
      },
      {
        path: 'env.FLEET_REDIS_URL',
        message:
          'expected a URL starting with redis:// or rediss://, got text that is not a URL (value not shown)',
      },
    ]);
    for (const secret of ['SECRET1', 'SECRET2', 'SECRET3', 'SECRET4', 'SECRET5', 'SECRET6']) {
      expect(error.message).not.toContain(secret);
      expect(JSON.stringify(error.problems)).not.toContain(secret);
    }
  });
});
