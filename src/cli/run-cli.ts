import { parseArgs } from 'node:util';
import { ConfigError } from '../config/index.ts';
import { describeError, FleetbotError } from '../domain/errors.ts';
import { didYouMean } from '../lib/did-you-mean.ts';
import { auditCommand } from './audit.ts';
import { type CliCommand, type CliIo, EXIT, UsageError } from './command.ts';
import { configCheckCommand } from './config-check.ts';
import { databaseCopyCommand } from './database-copy.ts';
import { escalationPreviewCommand } from './escalation-preview.ts';
import { incidentsCommand } from './incidents.ts';
import { migrateCommand } from './migrate.ts';
import { runCommand } from './run-action.ts';
import { startCommand, webCommand, workerCommand } from './serve.ts';

const commands: readonly CliCommand[] = [
  startCommand,
  webCommand,
  workerCommand,
  migrateCommand,
  databaseCopyCommand,
  configCheckCommand,
  runCommand,
  auditCommand,
  incidentsCommand,
  escalationPreviewCommand,
];

/** Mistakes in what was typed or configured: exit 2 with what to fix. */
const USAGE_CODES = new Set(['config', 'usage', 'invalid_params', 'unknown_service', 'unknown_secret']);

/** Parses argv (without node and the script), runs the command, returns the exit code. */
export async function runCli(words: readonly string[], given: CliIo): Promise<number> {
  // --verbose, anywhere: the command's logs down to debug, which one-shot commands otherwise keep to warnings.
  const argv = words.filter((word) => word !== '--verbose');
  const io = argv.length < words.length ? { ...given, env: { ...given.env, LOG_LEVEL: 'debug' } } : given;
  try {
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
      io.out(overview());
      return argv.length === 0 ? EXIT.usage : EXIT.ok;
    }
    const { command, rest } = findCommand(argv);
    if (
      rest[0] === '--help' ||
      rest[0] === '-h' ||
      (!command.passThrough && (rest.includes('--help') || rest.includes('-h')))
    ) {
      io.out(commandHelp(command));
      return EXIT.ok;
    }
    const parsed = parse(command, rest);
    return await command.run(parsed, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(error.message);
      return EXIT.usage;
    }
    if (error instanceof ConfigError) {
      io.err(error.message);
      return EXIT.usage;
    }
    if (error instanceof FleetbotError && USAGE_CODES.has(error.code)) {
      io.err(describeError(error));
      return EXIT.usage;
    }
    io.err(`fleetbot: ${describeError(error)}`);
    return EXIT.failed;
  }
}

function findCommand(argv: readonly string[]): { command: CliCommand; rest: string[] } {
  const two = argv.slice(0, 2).join(' ');
  const match =
    commands.find((command) => command.name === two && command.name.includes(' ')) ??
    commands.find((command) => command.name === argv[0]);
  if (match) return { command: match, rest: argv.slice(match.name.split(' ').length) };
  if (argv[0] === 'config') {
    throw new UsageError(
      'Usage: fleetbot config check [FILE]\nRun `fleetbot config check --help` for details.',
    );
  }
  if (argv[0] === 'database') {
    throw new UsageError(
      'Usage: fleetbot database copy --to postgres://USER@HOST:5432/DB\nRun `fleetbot database copy --help` for details.',
    );
  }
  if (argv[0] === 'escalation') {
    throw new UsageError(
      'Usage: fleetbot escalation preview SEVERITY [--flags …] [--at …]\nRun `fleetbot escalation preview --help` for details.',
    );
  }
  const names = commands.map((command) => command.name.split(' ')[0] ?? '');
  throw new UsageError(
    `Unknown command "${argv[0]}".${didYouMean(argv[0] ?? '', names, (name) => `\`fleetbot ${name}\``)}\nRun \`fleetbot --help\` to see the commands.`,
  );
}

function parse(command: CliCommand, rest: string[]) {
  if (command.passThrough) return { values: {}, positionals: rest };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options: command.options ?? {}, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nUsage: fleetbot ${command.usage}`);
  }
  const [min, max] = command.positionals ?? [0, 0];
  if (parsed.positionals.length < min || parsed.positionals.length > max) {
    const extra = parsed.positionals.slice(max).join(' ');
    throw new UsageError(
      `${parsed.positionals.length > max ? `Unexpected argument "${extra}".` : 'Missing argument.'}\nUsage: fleetbot ${command.usage}`,
    );
  }
  return parsed as { values: Record<string, string | boolean | undefined>; positionals: string[] };
}

function overview(): string {
  const width = Math.max(...commands.map((command) => command.usage.length));
  return [
    'fleetbot — the Fleet Management runbook as a Slack bot and a CLI',
    '',
    'Usage: fleetbot <command> [options]',
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.usage.padEnd(width)}  ${command.summary}`),
    '',
    'Run `fleetbot <command> --help` for a command’s details. --verbose shows the command’s logs (LOG_LEVEL=debug);',
    'otherwise a command run from a terminal logs warnings and errors only, to stderr.',
  ].join('\n');
}

function commandHelp(command: CliCommand): string {
  const options = Object.entries(command.options ?? {}).map(
    ([name, option]) => `  --${name}${option.type === 'string' ? ' VALUE' : ''}`,
  );
  return [
    `Usage: fleetbot ${command.usage}`,
    '',
    command.summary,
    ...(command.details ? ['', command.details] : []),
    ...(options.length > 0 ? ['', 'Options:', ...options] : []),
  ].join('\n');
}
