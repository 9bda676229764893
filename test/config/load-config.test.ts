import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { BUILT_IN_DEFAULTS } from '../../src/config/defaults.ts';
import { type Config, ConfigError, type ConfigProblem, loadConfig } from '../../src/config/index.ts';

// Pure unit tests: real files in a temp directory, no database, no network.

const fixture = (name: string) => path.join(import.meta.dirname, 'fixtures', name);
const exampleFile = path.join(import.meta.dirname, '..', '..', 'fleetbot.example.yml');
const scratch = mkdtempSync(path.join(tmpdir(), 'fleetbot-config-'));

function writeYaml(name: string, text: string): string {
  const file = path.join(scratch, name);
  writeFileSync(file, text);
  return file;
}

function problemsOf(load: () => unknown): readonly ConfigProblem[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

function errorOf(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('built-in defaults', () => {
  const originalCwd = process.cwd();
  let config: Config;

  beforeAll(() => {
    // An empty working directory: no ./fleetbot.yml, so the built-in defaults apply.
    process.chdir(mkdtempSync(path.join(tmpdir(), 'fleetbot-cwd-')));
    config = loadConfig({ env: {} });
  });
  afterAll(() => process.chdir(originalCwd));

  it('carries the runbook values when there is no fleetbot.yml', () => {
    expect(config.runtime.configFile).toBeNull();
    expect(config.cluster).toEqual({
      name: 'fleet-aks-cluster',
      resourceGroup: 'fleet-production-rg',
      namespace: 'fleet-management',
    });
    expect(Object.keys(config.services)).toEqual(['api', 'frontend', 'postgres', 'redis']);
    expect(config.services.api).toEqual({
      kind: 'Deployment',
      workload: 'fleet-api',
      container: 'fleet-api',
      service: 'fleet-api-service',
      port: 3000,
      healthPath: '/api/health',
      aliases: ['fleet-api'],
      replicas: { min: 1, max: 10 },
      restart: { permission: 'operate' },
    });
    expect(config.services.postgres?.kind).toBe('StatefulSet');
    expect(config.services.postgres?.replicas).toEqual({ min: 1, max: 1 });
    expect(config.services.postgres?.restart.permission).toBe('admin');
  });

  it('turns durations into milliseconds', () => {
    const responseTimes = Object.values(config.severities).map((severity) => severity.responseTime);
    expect(responseTimes).toEqual([5 * 60_000, 15 * 60_000, 3_600_000, 4 * 3_600_000]);
    expect(config.escalation.rules.map((rule) => [rule.after, rule.to])).toEqual([
      [0, 'teamLead'],
      [30 * 60_000, 'teamLead'],
      [3_600_000, 'engineeringManager'],
      [2 * 3_600_000, 'cto'],
    ]);
    expect(config.maintenance.notices).toEqual([7 * 86_400_000, 24 * 3_600_000]);
  });

  it('has the escalation matrix, permissions and maintenance window of the runbook', () => {
    expect(Object.keys(config.roles)).toEqual([
      'oncall',
      'teamLead',
      'devopsLead',
      'databaseAdmin',
      'engineeringManager',
      'cto',
    ]);
    expect(config.roles.cto?.contact).toBe('Phone');
    expect(config.severities.P3.businessHoursOnly).toBe(true);
    expect(config.escalation.rules[0]?.severities).toEqual(['P0', 'P1']);
    expect(config.permissions).toEqual({
      read: ['*'],
      operate: ['oncall', 'teamLead', 'devopsLead'],
      admin: ['teamLead', 'devopsLead', 'databaseAdmin'],
      twoPerson: [],
      // Who may acknowledge and resolve incidents: unless given, the roles of operate.
      respond: ['oncall', 'teamLead', 'devopsLead'],
      drill: ['teamLead', 'devopsLead', 'engineeringManager'],
    });
    expect(config.maintenance).toMatchObject({
      schedule: { week: 'first', day: 'sun' },
      start: '02:00',
      end: '06:00',
      timezone: 'America/New_York',
      holdPaging: ['P2', 'P3'],
    });
  });

  it('uses runtime defaults for an empty environment', () => {
    expect(config.runtime).toMatchObject({
      port: 3000,
      logLevel: 'info',
      dataDir: path.resolve('.fleetbot'),
    });
    expect(path.isAbsolute(config.runtime.dataDir)).toBe(true);
    expect(config.slack.botToken).toBeUndefined();
    expect(config.runtime.databaseUrl).toBeUndefined();
  });

  it('is deeply frozen', () => {
    expect(() => {
      (config.cluster as { namespace: string }).namespace = 'elsewhere';
    }).toThrow(TypeError);
    expect(() => (config.services.postgres?.aliases as string[] | undefined)?.push('x')).toThrow(TypeError);
    expect(() => {
      (config.runtime as { port: number }).port = 1;
    }).toThrow(TypeError);
  });
});

describe('fleetbot.example.yml', () => {
  it('loads with no problems and equals the built-in defaults apart from the placeholder Slack ids', () => {
    const example = loadConfig({ file: exampleFile, env: {} });
    const defaults = loadConfig({ file: writeYaml('empty.yml', ''), env: {} });
    const withoutSlackIds = (config: Config) => ({
      ...config,
      runtime: { ...config.runtime, configFile: null },
      roles: Object.fromEntries(
        Object.entries(config.roles).map(([id, role]) => [id, { ...role, slack: null }]),
      ),
    });

    expect(withoutSlackIds(example)).toEqual(withoutSlackIds(defaults));
    expect(example.roles.oncall?.slack).toEqual({ users: ['U0000ONCALL'], groups: ['S0000ONCALL'] });
    expect(defaults.roles.oncall?.slack).toEqual({ users: [], groups: [] });
  });

  it('writes out every built-in setting', () => {
    const document: unknown = YAML.parse(readFileSync(exampleFile, 'utf8'));
    const missing = keyPaths(BUILT_IN_DEFAULTS).filter((keyPath) => !hasPath(document, keyPath));
    expect(missing).toEqual([]);
  });
});

/** Every path from the root to a non-mapping value: `['services', 'api', 'replicas', 'min']`. */
function keyPaths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([key, child]) => keyPaths(child, [...prefix, key]));
}

function hasPath(value: unknown, keyPath: readonly string[]): boolean {
  let current = value;
  for (const key of keyPath) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, key)) return false;
    current = (current as Record<string, unknown>)[key];
  }
  return true;
}

describe('choosing the file', () => {
  const valid = () => writeYaml('valid.yml', 'cluster:\n  namespace: from-file\n');

  it('reads FLEETBOT_CONFIG, and an explicit file wins over it', () => {
    const other = writeYaml('other.yml', 'cluster:\n  namespace: from-argument\n');
    expect(loadConfig({ env: { FLEETBOT_CONFIG: valid() } }).cluster.namespace).toBe('from-file');
    expect(loadConfig({ file: other, env: { FLEETBOT_CONFIG: valid() } }).cluster.namespace).toBe(
      'from-argument',
    );
    expect(loadConfig({ file: other, env: {} }).runtime.configFile).toBe(other);
  });

  it('fails when a named file is missing, saying which path and who named it', () => {
    const missing = path.join(scratch, 'missing.yml');
    expect(problemsOf(() => loadConfig({ file: missing, env: {} }))).toEqual([
      { path: missing, message: expect.stringContaining(`no such file: ${missing}`) },
    ]);
    expect(problemsOf(() => loadConfig({ env: { FLEETBOT_CONFIG: missing } }))).toEqual([
      { path: missing, message: expect.stringContaining('fix FLEETBOT_CONFIG, or unset it') },
    ]);
  });

  it('treats an empty file as "all defaults" and an empty FLEETBOT_CONFIG as unset', () => {
    const config = loadConfig({ file: writeYaml('comments-only.yml', '# nothing yet\n'), env: {} });
    expect(config.cluster.namespace).toBe('fleet-management');
    expect(config.runtime.configFile).toBe(path.join(scratch, 'comments-only.yml'));
    expect(() => loadConfig({ file: valid(), env: { FLEETBOT_CONFIG: '' } })).not.toThrow();
  });
});

describe('layering a file over the defaults', () => {
  it('merges mappings key by key and replaces lists', () => {
    const file = writeYaml(
      'partial.yml',
      [
        'roles:',
        '  oncall:',
        '    slack: { users: [U123ABC] }',
        '  securityLead:',
        '    name: Security Lead',
        '    responsibilities: Data breach response',
        'services:',
        '  api:',
        '    replicas: { max: 20 }',
        'permissions:',
        '  admin: [teamLead]',
        'cluster:',
        '  context:',
      ].join('\n'),
    );
    const config = loadConfig({ file, env: {} });
    expect(config.roles.oncall).toEqual({
      name: 'On-Call Engineer',
      responsibilities: 'First responder, initial triage',
      contact: 'Slack',
      slack: { users: ['U123ABC'], groups: [] },
    });
    expect(config.roles.securityLead).toEqual({
      name: 'Security Lead',
      responsibilities: 'Data breach response',
      slack: { users: [], groups: [] },
    });
    expect(Object.keys(config.roles)).toHaveLength(7);
    expect(config.services.api?.replicas).toEqual({ min: 1, max: 20 });
    expect(config.services.api?.workload).toBe('fleet-api');
    expect(config.permissions.admin).toEqual(['teamLead']);
    expect(config.cluster.context).toBeUndefined();
  });

  it('defaults a new service container to its workload name', () => {
    const file = writeYaml(
      'worker.yml',
      'services:\n  worker:\n    kind: Deployment\n    workload: fleet-worker\n    port: 8080\n    replicas: { min: 0, max: 4 }\n',
    );
    expect(loadConfig({ file, env: {} }).services.worker).toEqual({
      kind: 'Deployment',
      workload: 'fleet-worker',
      container: 'fleet-worker',
      port: 8080,
      aliases: [],
      replicas: { min: 0, max: 4 },
      restart: { permission: 'operate' },
    });
  });
});

describe('problems', () => {
  it('reports three mistakes at once, each with its path and what is expected', () => {
    const error = errorOf(() => loadConfig({ file: fixture('three-mistakes.yml'), env: {} }));
    expect(error.problems).toEqual([
      { path: 'services.api.replicas.max', message: 'expected at least 1, got -1' },
      { path: 'severities.P1.responseTime', message: 'expected a duration like 15m, got "fast"' },
      {
        path: 'permissions.operate[1]',
        message:
          'expected "*" or a role defined under roles (oncall, teamLead, devopsLead, databaseAdmin, engineeringManager, cto), got "sre"',
      },
    ]);
    expect(error.message.split('\n')).toEqual([
      `${fixture('three-mistakes.yml')} has 3 problems:`,
      '  - services.api.replicas.max: expected at least 1, got -1',
      '  - severities.P1.responseTime: expected a duration like 15m, got "fast"',
      expect.stringMatching(
        /^ {2}- permissions\.operate\[1\]: expected "\*" or a role defined under roles \(.*\), got "sre"$/,
      ),
    ]);
    expect(error.name).toBe('ConfigError');
  });

  it('reports a YAML syntax error with its line and column', () => {
    const file = writeYaml(
      'syntax-error.yml',
      [
        'cluster:',
        '  namespace: fleet-management',
        'services: [api, frontend',
        'channels:',
        '  alerts: "#fleet-alerts"',
      ].join('\n'),
    );
    expect(problemsOf(() => loadConfig({ file, env: {} }))).toEqual([
      {
        path: file,
        message:
          'invalid YAML at line 4, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]',
      },
    ]);
  });

  it('names an unknown key and suggests the one meant', () => {
    expect(problemsOf(() => loadConfig({ file: fixture('unknown-key.yml'), env: {} }))).toEqual([
      { path: 'services.api.replica', message: 'unknown key. Did you mean "replicas"?' },
    ]);
  });

  it('rejects a top level that is not a mapping', () => {
    const file = writeYaml('list.yml', '- cluster\n- services\n');
    expect(problemsOf(() => loadConfig({ file, env: {} }))).toEqual([
      { path: file, message: 'expected a mapping of settings (key: value) at the top level, got a list' },
    ]);
  });

  it('checks references and consistency between sections', () => {
    const file = writeYaml(
      'cross.yml',
      [
        'severitys: {}',
        'services:',
        '  api:',
        '    kind: Deploy',
        '    aliases: [db, frontend]',
        '  postgres:',
        '    replicas: { min: 2, max: 1 }',
        'severities:',
        '  P2: { page: [oncal] }',
        'escalation:',
        '  rules:',
        '    - { after: 1h, to: cto }',
        '    - { after: 30m, to: ceo }',
        'maintenance:',
        '  timezone: Mars/Olympus',
        '  notices: [0s]',
        'businessHours:',
        '  end: "08:00"',
        'channels:',
        '  alerts: fleet-alerts',
      ].join('\n'),
    );
    expect(problemsOf(() => loadConfig({ file, env: {} }))).toEqual([
      {
        path: 'services.api.kind',
        message: 'expected one of "Deployment", "StatefulSet", got "Deploy". Did you mean "Deployment"?',
      },
      { path: 'services.postgres.replicas', message: 'expected min to be at most max, got min 2 and max 1' },
      { path: 'businessHours.end', message: 'expected a time after start (09:00), got "08:00"' },
      {
        path: 'maintenance.timezone',
        message: 'expected an IANA time zone like America/New_York, got "Mars/Olympus"',
      },
      { path: 'maintenance.notices[0]', message: 'expected a duration longer than 0s, got "0s"' },
      {
        path: 'channels.alerts',
        message: 'expected a Slack channel id like C0123ABCD or a #name, got "fleet-alerts"',
      },
      { path: 'severitys', message: 'unknown key. Did you mean "severities"?' },
      {
        path: 'severities.P2.page[0]',
        message: expect.stringMatching(
          /^expected a role defined under roles \(.*\), got "oncal"\. Did you mean "oncall"\?$/,
        ),
      },
      {
        path: 'escalation.rules[1].to',
        message: expect.stringMatching(/, got "ceo"\. Did you mean "cto"\?$/),
      },
      {
        path: 'escalation.rules[1].after',
        message: 'expected rules in order of after, so at least 1h (the rule before), got "30m"',
      },
      {
        path: 'services.api.aliases[1]',
        message: 'expected a name no other service uses, got "frontend", which is a service of its own',
      },
      {
        path: 'services.postgres.aliases[0]',
        message: 'expected a name no other service uses, got "db", already an alias of api',
      },
    ]);
  });

  it('reports sections of the wrong type without tripping the checks between sections', () => {
    const file = writeYaml(
      'wrong-types.yml',
      'severities: oops\npermissions: 5\nescalation: []\nroles: { oncall: 3 }\n',
    );
    expect(problemsOf(() => loadConfig({ file, env: {} }))).toEqual([
      { path: 'severities', message: 'expected a mapping, got "oops"' },
      { path: 'roles.oncall', message: 'expected a mapping, got 3' },
      { path: 'escalation', message: 'expected a mapping, got an empty list' },
      { path: 'permissions', message: 'expected a mapping, got 5' },
    ]);
  });

  it('rejects map keys that commands could not use', () => {
    const file = writeYaml(
      'bad-keys.yml',
      'roles:\n  team-lead: { name: Lead, responsibilities: Leading }\n',
    );
    expect(problemsOf(() => loadConfig({ file, env: {} }))).toEqual([
      { path: 'roles.team-lead', message: 'expected a camelCase role id like "teamLead", got "team-lead"' },
    ]);
  });

  it('says what a missing required key should be', () => {
    const file = writeYaml('new-role.yml', 'roles:\n  securityLead:\n    name: Security Lead\n');
    expect(problemsOf(() => loadConfig({ file, env: {} }))).toEqual([
      { path: 'roles.securityLead.responsibilities', message: 'expected text, but it is missing' },
    ]);
  });

  it('reports file and environment problems together', () => {
    const error = errorOf(() => loadConfig({ file: fixture('unknown-key.yml'), env: { PORT: 'abc' } }));
    expect(error.problems.map((problem) => problem.path)).toEqual(['services.api.replica', 'env.PORT']);
  });
});
