import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PERMISSION_NAMES } from '../../src/config/file-schema.ts';
import { ConfigError, consoleEnabled, describeConfig, loadConfig } from '../../src/config/index.ts';
import { PERMISSIONS } from '../../src/domain/permissions.ts';

// Pure unit tests of the console's settings: the four variables that turn it on, the issuer, and
// fleetbot.yml's `console:` section.

const scratch = mkdtempSync(path.join(tmpdir(), 'fleetbot-console-config-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const SECRET = 'hunter2-session-secret-hunter2-session-secret';
const CLIENT_SECRET = 'hunter2-client-secret';
const ON = {
  SLACK_CLIENT_ID: '1234.5678',
  SLACK_CLIENT_SECRET: CLIENT_SECRET,
  CONSOLE_SESSION_SECRET: SECRET,
  CONSOLE_URL: 'https://fleetbot.example.com',
  SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
};

function file(yaml: string): string {
  const name = path.join(scratch, `${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(name, yaml);
  return name;
}

const load = (env: Record<string, string>, yaml = '') => loadConfig({ file: file(yaml), env });

function problemsOf(env: Record<string, string>, yaml = '') {
  try {
    load(env, yaml);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('the console settings', () => {
  it('are off by default, with Slack as the issuer, 12 h sessions and the audit log for operate and admin', () => {
    const config = load({});
    expect(consoleEnabled(config.console)).toBeUndefined();
    expect(config.console).toEqual({
      sessionTtl: 12 * 3600_000,
      auditLog: ['operate', 'admin'],
      issuer: 'https://slack.com',
      clientId: undefined,
      clientSecret: undefined,
      sessionSecret: undefined,
      url: undefined,
    });
  });

  it('are on with all four variables; the URL loses its trailing slash', () => {
    const config = load({ ...ON, CONSOLE_URL: 'https://fleetbot.example.com/' });
    expect(consoleEnabled(config.console)).toEqual({
      clientId: '1234.5678',
      clientSecret: CLIENT_SECRET,
      sessionSecret: SECRET,
      url: 'https://fleetbot.example.com',
      issuer: 'https://slack.com',
    });
  });

  it('name every missing variable when only some are set, never a value', () => {
    const problems = problemsOf({ SLACK_CLIENT_ID: '1234.5678', CONSOLE_SESSION_SECRET: SECRET });
    expect(problems.map((problem) => problem.path)).toEqual(['env.SLACK_CLIENT_SECRET', 'env.CONSOLE_URL']);
    expect(problems[0]?.message).toContain('SLACK_CLIENT_ID, CONSOLE_SESSION_SECRET are set');
    expect(problems[0]?.message).toContain('Set SLACK_CLIENT_SECRET too, or unset the others');
    expect(JSON.stringify(problems)).not.toContain('hunter2');
  });

  it('refuse a short session secret without showing it', () => {
    const problems = problemsOf({ ...ON, CONSOLE_SESSION_SECRET: 'hunter2-too-short' });
    expect(problems).toEqual([
      { path: 'env.CONSOLE_SESSION_SECRET', message: expect.stringContaining('at least 32 characters') },
    ]);
    expect(JSON.stringify(problems)).not.toContain('hunter2');
  });

  it('take an origin for CONSOLE_URL: no path, no credentials, http or https', () => {
    expect(problemsOf({ ...ON, CONSOLE_URL: 'https://example.com/ops' })).toEqual([
      { path: 'env.CONSOLE_URL', message: expect.stringContaining('expected the public origin only') },
    ]);
    expect(problemsOf({ ...ON, CONSOLE_URL: 'https://me:hunter2@example.com' })[0]?.message).toContain(
      'without a user name or password',
    );
    expect(problemsOf({ ...ON, CONSOLE_URL: 'ftp://example.com' })).toEqual([
      { path: 'env.CONSOLE_URL', message: expect.stringContaining('starting with http:// or https://') },
    ]);
    expect(load({ ...ON, CONSOLE_URL: 'http://10.0.0.5:3000' }).console.url).toBe('http://10.0.0.5:3000');
  });

  it('take a plain-http issuer only on this machine', () => {
    expect(problemsOf({ ...ON, CONSOLE_OIDC_ISSUER: 'http://sso.example.com' })).toEqual([
      { path: 'env.CONSOLE_OIDC_ISSUER', message: expect.stringContaining('expected an https:// URL') },
    ]);
    for (const issuer of [
      'http://127.0.0.1:4444',
      'http://localhost:4444',
      'https://sso.example.com/realms/ops',
    ]) {
      expect(load({ ...ON, CONSOLE_OIDC_ISSUER: issuer }).console.issuer).toBe(issuer);
    }
  });

  it('read sessionTtl, auditLog and workspace from fleetbot.yml, saying what is wrong', () => {
    const config = load(ON, 'console:\n  sessionTtl: 30m\n  auditLog: [admin]\n  workspace: T0123ABCD\n');
    expect(config.console).toMatchObject({
      sessionTtl: 30 * 60_000,
      auditLog: ['admin'],
      workspace: 'T0123ABCD',
    });
    expect(
      problemsOf(
        {},
        'console:\n  sessionTtl: forever\n  auditLog: [root]\n  workspace: acme\n  audit: yes\n',
      ),
    ).toEqual([
      { path: 'console.sessionTtl', message: expect.stringContaining('"forever"') },
      { path: 'console.auditLog[0]', message: expect.stringContaining('"root"') },
      { path: 'console.workspace', message: 'expected a Slack team id like T0123ABCD, got "acme"' },
      { path: 'console.audit', message: expect.stringContaining('unknown key') },
    ]);
  });

  it('need a workspace: console.workspace, or the bot token to read it from Slack', () => {
    const { SLACK_BOT_TOKEN: _token, ...withoutBot } = ON;
    expect(problemsOf(withoutBot)).toEqual([
      { path: 'console.workspace', message: expect.stringContaining('Set console.workspace to its team id') },
    ]);
    expect(load(withoutBot, 'console:\n  workspace: T0123ABCD\n').console.workspace).toBe('T0123ABCD');
  });

  it('name the same permissions as the domain', () => {
    expect([...PERMISSION_NAMES]).toEqual([...PERMISSIONS]);
  });

  it('show in config check: where the console is, or how to turn it on; never a secret', () => {
    const now = new Date('2025-11-20T12:00:00Z');
    expect(describeConfig(load({}), now)).toContain(
      'Console         off (set SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, CONSOLE_SESSION_SECRET, CONSOLE_URL to turn it on)',
    );
    const on = describeConfig(load(ON), now);
    expect(on).toContain(
      "Console         https://fleetbot.example.com/console/, sign-in https://slack.com, workspace the bot token's (auth.test), sessions 12h, audit log: operate, admin",
    );
    expect(on).not.toContain('hunter2');
  });
});
