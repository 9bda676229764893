import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { Config } from './config.ts';
import { ConfigError, type ConfigProblem } from './config-error.ts';
import { deepFreeze } from './deep-freeze.ts';
import { BUILT_IN_DEFAULTS } from './defaults.ts';
import { consoleEnabled, type EnvConfig, parseEnv } from './env.ts';
import { fileConfigSchema } from './file-config-schema.ts';
import type { FileConfig } from './file-schema.ts';
import { describeValue, expectedGotErrorMap, issuesToProblems } from './issue-messages.ts';
import { layer } from './layer.ts';

const DEFAULT_FILE = './fleetbot.yml';

export interface LoadConfigOptions {
  /** Config file named on the command line (`fleetbot config check FILE`); wins over `FLEETBOT_CONFIG`. */
  file?: string;
  /** The process environment; the only place fleetbot reads environment variables from. */
  env: Readonly<Record<string, string | undefined>>;
}

/** Where the file comes from: `given` is the path as written, `namedBy` says who named it. */
interface FileSource {
  given: string;
  absolute: string;
  namedBy: 'argument' | 'FLEETBOT_CONFIG' | 'default';
}

function locate(options: LoadConfigOptions): FileSource {
  const fromEnv = options.env.FLEETBOT_CONFIG?.trim() ? options.env.FLEETBOT_CONFIG : undefined;
  const [given, namedBy] =
    options.file !== undefined
      ? [options.file, 'argument' as const]
      : fromEnv !== undefined
        ? [fromEnv, 'FLEETBOT_CONFIG' as const]
        : [DEFAULT_FILE, 'default' as const];
  return { given, absolute: path.resolve(given), namedBy };
}

type FileRead = { document: unknown; configFile: string | null } | { problems: ConfigProblem[] };

function readDocument(source: FileSource): FileRead {
  let text: string;
  try {
    text = readFileSync(source.absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Only the implicit ./fleetbot.yml may be absent: a file someone named must be there.
    if (code === 'ENOENT' && source.namedBy === 'default') return { document: {}, configFile: null };
    const how =
      source.namedBy === 'FLEETBOT_CONFIG'
        ? '; fix FLEETBOT_CONFIG, or unset it to run on the built-in defaults'
        : '; check the path (fleetbot.example.yml shows every setting)';
    const what = code === 'ENOENT' ? 'no such file' : `cannot read the file (${code ?? String(error)})`;
    return { problems: [{ path: source.given, message: `${what}: ${source.absolute}${how}` }] };
  }

  const parsed = YAML.parseDocument(text, { prettyErrors: true });
  if (parsed.errors.length > 0) {
    return {
      problems: parsed.errors.map((error) => {
        const position = error.linePos?.[0];
        // yaml appends " at line L, column C:" and a source excerpt; keep its first sentence only.
        const reason = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
        const where = position ? ` at line ${position.line}, column ${position.col}` : '';
        return { path: source.given, message: `invalid YAML${where}: ${reason}` };
      }),
    };
  }
  const document: unknown = parsed.toJS();
  if (document !== null && (typeof document !== 'object' || Array.isArray(document))) {
    return {
      problems: [
        {
          path: source.given,
          message: `expected a mapping of settings (key: value) at the top level, got ${describeValue(document)}`,
        },
      ],
    };
  }
  return { document: document ?? {}, configFile: source.absolute };
}

/**
 * Loads the configuration once, at start-up: fleetbot.yml laid over the runbook's built-in values,
 * plus the environment. The file is `options.file`, else `FLEETBOT_CONFIG`, else `./fleetbot.yml`;
 * only that last, implicit one may be missing (then the built-in values apply).
 * @throws ConfigError listing every problem found in the file and the environment.
 */
export function loadConfig(options: LoadConfigOptions): Config {
  const source = locate(options);
  const read = readDocument(source);
  const env = parseEnv(options.env);
  const problems: ConfigProblem[] = 'problems' in read ? [...read.problems] : [];

  let file: FileConfig | undefined;
  if ('document' in read) {
    const parsed = fileConfigSchema.safeParse(layer(BUILT_IN_DEFAULTS, read.document), {
      error: expectedGotErrorMap,
    });
    if (parsed.success) file = parsed.data;
    else problems.push(...issuesToProblems(parsed.error.issues, []));
  }
  if (!env.ok) problems.push(...env.problems);
  if (file !== undefined && env.ok) problems.push(...consoleWorkspaceProblems(file, env.value));

  // Each failure below added at least one problem.
  if (file === undefined || !env.ok || 'problems' in read || problems.length > 0) {
    const label = 'document' in read && read.configFile === null ? 'fleetbot configuration' : source.given;
    throw new ConfigError(label, problems);
  }
  return deepFreeze({
    ...file,
    ...env.value,
    alerts: { ...file.alerts, ...env.value.alerts },
    console: { ...file.console, ...env.value.console },
    runtime: { configFile: read.configFile, ...env.value.runtime },
  });
}

/**
 * The console lets in the members of one workspace: `console.workspace`, or the bot token's own
 * (read from Slack's auth.test). With neither, nobody could be let in.
 */
function consoleWorkspaceProblems(file: FileConfig, env: EnvConfig): ConfigProblem[] {
  if (!consoleEnabled(env.console) || file.console.workspace || env.slack.botToken) return [];
  return [
    {
      path: 'console.workspace',
      message:
        'missing: the web console lets in the members of one Slack workspace. Set console.workspace to its team id (T…), ' +
        'or set SLACK_BOT_TOKEN so fleetbot reads it from Slack',
    },
  ];
}
