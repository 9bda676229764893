import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeConfig, loadConfig } from '../../src/config/index.ts';

const exampleFile = path.join(import.meta.dirname, '..', '..', 'fleetbot.example.yml');
const now = new Date('2025-11-20T12:00:00Z');

describe('describeConfig', () => {
  it('fits on one screen and names the namespace, services, severities and next window', () => {
    const text = describeConfig(loadConfig({ file: exampleFile, env: {} }), now);
    expect(text.split('\n').length).toBeLessThanOrEqual(25);
    expect(text).toContain(exampleFile);
    expect(text).toContain('fleet-management');
    for (const service of ['api', 'frontend', 'postgres', 'redis'])
      expect(text).toMatch(new RegExp(` ${service} +[DS]`));
    for (const severity of ['P0', 'P1', 'P2', 'P3']) expect(text).toMatch(new RegExp(` ${severity} +[CHML]`));
    expect(text).toContain('replicas 1–10');
    expect(text).toContain('respond in 15m');
    expect(text).toContain('2h cto');
    expect(text).toContain('operate: oncall, teamLead, devopsLead');
    expect(text).toContain('next: 2025-12-07 02:00');
    expect(text).toContain('DATABASE_URL not set');
    expect(text).toContain('all roles have Slack ids');
  });

  it('says which integrations are set without showing their values', () => {
    const secrets = {
      SLACK_BOT_TOKEN: 'xoxb-hunter2-bot',
      SLACK_APP_TOKEN: 'xapp-hunter2-app',
      DATABASE_URL: 'postgres://fleetbot:hunter2-pw@db/fleetbot',
      ALERTS_TOKEN: 'hunter2-alerts',
      FLEET_REDIS_URL: 'redis://:hunter2-redis@fleet-redis:6379',
    };
    const text = describeConfig(loadConfig({ file: exampleFile, env: secrets }), now);
    expect(text).not.toMatch(/hunter2/);
    expect(text).toContain('Socket Mode');
    expect(text).toContain('SLACK_BOT_TOKEN set');
    expect(text).toContain('DATABASE_URL set');
    expect(text).toContain('ALERTS_TOKEN set');
    expect(text).toContain('FLEET_REDIS_URL set');
    expect(text).toContain('FLEET_API_URL not set');
  });
});
