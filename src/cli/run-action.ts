import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { ActionResult } from '../actions/action.ts';
import { actions, resolveCommand } from '../actions/registry.ts';
import { type Config, loadConfig } from '../config/index.ts';
import type { Logger } from '../logging/logger.ts';
import type { ActionRunner, PreparedAction } from '../services/action-runner.ts';
import { type CliCommand, type CliIo, cliLogger, EXIT, UsageError } from './command.ts';
import { renderText } from './render-text.ts';

/**
 * `fleetbot run ACTION [ARGS…] [--json] [--yes]`: a runbook action straight
 * from a terminal with the user's kube context. Destructive actions show what
 * they will do and ask; without a terminal they need --yes.
 */
export const runCommand: CliCommand = {
  name: 'run',
  summary: 'Run a runbook action now with your kube context (health, logs, restart, ...)',
  usage: 'run ACTION [ARGS…] [--json] [--yes] | run --list',
  details: [
    'Actions:',
    ...actions.map((action) => `  ${`${action.name} ${action.usage}`.padEnd(62)} ${action.summary}`),
    '',
    'Exit 0 ok, 1 the action failed (or health is not healthy), 2 usage error.',
    'With DATABASE_URL set, each change is recorded in the audit log and takes the workload lock;',
    "reads (status, health, logs…) leave fleetbot's database alone.",
  ].join('\n'),
  passThrough: true,
  async run({ positionals }, io) {
    const words = [...positionals];
    const json = take(words, '--json');
    const yes = take(words, '--yes');
    if (take(words, '--list')) {
      io.out(actions.map((action) => `${action.name.padEnd(14)} ${action.summary}`).join('\n'));
      return EXIT.ok;
    }
    const { name, rest: args } = resolveCommand(words);
    if (!name)
      throw new UsageError(
        'Usage: fleetbot run ACTION [ARGS…] [--json] [--yes]\nRun `fleetbot run --list` for the actions.',
      );
    const config = loadConfig({ env: io.env });
    const logger = cliLogger(io);
    const { buildActionRunner } = await import('../wiring/action-runner.ts');
    const secrets = await secretInputs(name, io);
    const reader = buildActionRunner(config, logger);
    const classified = reader.prepare(name, args, secrets);
    const audit = classified.classification.destructive ? await auditStore(config, logger) : undefined;
    try {
      const runner = audit ? buildActionRunner(config, logger, audit.store) : reader;
      const asked = audit ? runner.prepare(name, args, secrets) : classified;
      const prepared = asked.classification.destructive ? await confirm(runner, asked, yes, io) : asked;
      if (!prepared) {
        io.err('Cancelled; nothing was changed.');
        return EXIT.failed;
      }
      const controller = new AbortController();
      const cancel = () => controller.abort();
      process.once('SIGINT', cancel);
      const requestedBy = `cli:${io.env.USER ?? 'unknown'}`;
      const run = (action: PreparedAction) =>
        runner.execute(action, {
          requestId: `cli-${randomUUID()}`,
          requestedBy,
          origin: 'cli',
          signal: controller.signal,
          onProgress: (progress) => io.err(`… ${progress.message}`),
        });
      try {
        const result = await run(prepared);
        if (!json) io.out(await withImageFile(result));
        let failures = failed(result, prepared) ? 1 : 0;
        // What the action asked to run next (secret set --restart: each restart), one after the other.
        const followUps = [];
        for (const next of result.followUps ?? []) {
          const followUp = runner.prepare(next.action, next.params);
          const outcome = await run(followUp);
          if (!json) io.out(`\n${await withImageFile(outcome)}`);
          followUps.push(toJson(next.action, outcome));
          if (failed(outcome, followUp)) failures++;
        }
        if (json) {
          io.out(
            JSON.stringify(
              { ...toJson(name, result), ...(followUps.length > 0 ? { followUps } : {}) },
              null,
              2,
            ),
          );
        }
        return failures > 0 ? EXIT.failed : EXIT.ok;
      } finally {
        process.off('SIGINT', cancel);
      }
    } finally {
      await audit?.close();
    }
  },
};

/**
 * The audit log and workload lock for a change, when DATABASE_URL names fleetbot's database. Only a
 * change opens it (and migrates it if needed): a read stays off the database, and its modules
 * (pg, the stores) are not even loaded.
 */
async function auditStore(config: Config, logger: Logger) {
  const url = config.runtime.databaseUrl;
  if (!url) return undefined;
  const [{ createPool }, { migrate }, { ActionRunStore }] = await Promise.all([
    import('../db/database.ts'),
    import('../db/migrate.ts'),
    import('../db/action-run-store.ts'),
  ]);
  const pool = createPool(url, logger, 2);
  try {
    await migrate(pool, logger);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return { store: new ActionRunStore({ pool }), close: () => pool.end() };
}

/** Stable keys first: action, status, summary, then the action's own data (health: verdict, checks). */
function toJson(action: string, result: ActionResult) {
  const { status, summary, data, sections, attachment, image, suggestions } = result;
  return {
    action,
    status,
    summary,
    ...data,
    sections,
    ...(attachment ? { attachment } : {}),
    // The PNG itself stays out of JSON output; `fleetbot run metrics` without --json writes it to a file.
    ...(image
      ? { image: { filename: image.filename, title: image.title, width: image.width, height: image.height } }
      : {}),
    ...(suggestions?.length ? { suggestions } : {}),
  };
}

/** The text a terminal shows; an image (a metrics chart) is written to the temp directory and its path printed. */
async function withImageFile(result: ActionResult): Promise<string> {
  const text = renderText(result);
  if (!result.image) return text;
  const file = path.join(tmpdir(), result.image.filename);
  await writeFile(file, Buffer.from(result.image.base64, 'base64'));
  return `${text}\n\nChart: ${file} (${result.image.width}×${result.image.height} PNG)`;
}

function take(words: string[], flag: string): boolean {
  const at = words.indexOf(flag);
  if (at < 0) return false;
  words.splice(at, 1);
  return true;
}

function failed(result: ActionResult, prepared: PreparedAction): boolean {
  return (
    result.status === 'failed' || (result.status === 'warning' && prepared.action.warningIsFailure === true)
  );
}

/** Secret parameters never come from argv (shell history, `ps`): a hidden prompt, or stdin when piped. */
async function secretInputs(name: string, io: CliIo): Promise<Record<string, unknown>> {
  const action = actions.find((candidate) => candidate.name === name);
  const secrets = action?.syntax.secret ?? [];
  const values: Record<string, unknown> = {};
  for (const field of secrets) values[field] = await readSecret(`New ${field} (input hidden): `, io);
  return values;
}

async function readSecret(prompt: string, io: CliIo): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '');
  }
  io.err(prompt);
  process.stdin.setRawMode(true);
  let value = '';
  try {
    for await (const chunk of process.stdin) {
      for (const char of String(chunk)) {
        if (char === '\r' || char === '\n') return value;
        if (char === '\u0003') throw new UsageError('Cancelled.');
        value = char === '\u007f' ? value.slice(0, -1) : value + char;
      }
    }
    return value;
  } finally {
    process.stdin.setRawMode(false);
    process.stdin.pause();
  }
}

/** Shows what the change will do and asks; the action to run (with what the preview pinned), or undefined. */
async function confirm(
  runner: ActionRunner,
  prepared: PreparedAction,
  yes: boolean,
  io: CliIo,
): Promise<PreparedAction | undefined> {
  const preview = await prepared.action.preview?.(
    runner.previewContext(),
    prepared.params,
    AbortSignal.timeout(20_000),
  );
  if (preview) {
    io.err(preview.question);
    for (const line of preview.details) io.err(`  ${line}`);
    for (const warning of preview.warnings) io.err(`  ⚠ ${warning}`);
  }
  const checklist = prepared.action.checklist ?? [];
  if (checklist.length > 0) {
    io.err(`Confirming says each of these is done${yes ? ' (--yes)' : ''}:`);
    for (const item of checklist) io.err(`  ☐ ${item}`);
  }
  const confirmed = { ...prepared, params: { ...(prepared.params as object), ...preview?.pin } };
  if (yes) return confirmed;
  if (!process.stdin.isTTY) {
    throw new UsageError(
      `${prepared.action.name} changes the cluster; add --yes to confirm when stdin is not a terminal.`,
    );
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${preview?.verb ?? 'Proceed'}? Type yes to confirm: `);
    return answer.trim().toLowerCase() === 'yes' ? confirmed : undefined;
  } finally {
    rl.close();
  }
}
