import type { View } from '@slack/types';
import { z } from 'zod';
import type { ActionDefinition } from '../actions/action.ts';
import { tokenize } from '../actions/arguments.ts';
import { actions } from '../actions/registry.ts';
import { FleetbotError } from '../domain/errors.ts';
import { closest } from '../lib/closest.ts';
import type { JobQueue } from '../queue/job-queue.ts';
import type { ActionRunner, PreparedAction } from '../services/action-runner.ts';
import type { Authorizer } from '../services/authorizer.ts';
import { requestAction } from '../services/request-action.ts';
import type { RunReply } from '../services/run-reporter.ts';
import { requestConfirmation } from '../slack/confirmations.ts';
import {
  renderAccepted,
  renderCommandHelp,
  renderDenied,
  renderError,
  renderHelp,
  renderSecretModal,
  type SlackMessage,
} from '../slack/render/index.ts';

export interface CommandDeps {
  runner: ActionRunner;
  authorizer: Authorizer;
  queue: JobQueue;
}

/** What to answer with, and for secrets, the private form to open (needs the command's trigger_id). */
export interface CommandOutcome {
  message: SlackMessage;
  modal?: View;
}

export interface FleetCommand {
  /** Everything after `/fleet` (or after the @mention). */
  text: string;
  userId: string;
  channelId: string;
  /** Stable across Slack's retries of the same request: the job id derives from it. */
  requestId: string;
  responseUrl?: string;
  /** Present for slash commands (not for @mentions): lets a form be opened for secret values. */
  triggerId?: string;
}

/**
 * `/fleet <verb> [args]` → the message to acknowledge with. Only translates:
 * parse, authorise, then record + enqueue (or ask for confirmation). One
 * database insert and one queue insert at most; never the cluster, never Slack.
 */
export async function handleFleetCommand(deps: CommandDeps, command: FleetCommand): Promise<CommandOutcome> {
  let tokens: string[];
  try {
    tokens = tokenize(command.text.trim());
  } catch (error) {
    return {
      message: renderError({ message: (error as Error).message, hint: 'Type `/fleet help` for the list.' }),
    };
  }
  const [verb = 'help', ...words] = tokens;
  if (verb === 'help') return { message: help(words[0]) };
  const action = actions.find((candidate) => candidate.name === verb);
  if (!action) {
    const guess = closest(
      verb,
      actions.map((a) => a.name),
    );
    return fail(
      `Unknown command \`/fleet ${verb}\`.${guess ? ` Did you mean \`${guess}\`?` : ''}`,
      'Type `/fleet help` for the list.',
    );
  }
  const secretFields = action.syntax.secret ?? [];
  if (secretFields.length > 0 && !command.triggerId) {
    return fail(
      `\`${verb}\` asks for a secret value in a private form; it cannot be opened from a mention.`,
      `Use the slash command: \`/fleet ${verb} ${action.usage}\`.`,
    );
  }
  let prepared: PreparedAction;
  try {
    // A secret's value comes from the form; a placeholder lets everything else be checked now.
    prepared = deps.runner.prepare(
      verb,
      words,
      Object.fromEntries(secretFields.map((field) => [field, PLACEHOLDER])),
    );
  } catch (error) {
    if (error instanceof FleetbotError) return fail(error.message, error.hint);
    throw error;
  }
  const reply: RunReply = {
    channel: command.channelId,
    user: command.userId,
    ...(command.responseUrl ? { responseUrl: command.responseUrl } : {}),
  };
  const invocation = {
    requestId: command.requestId,
    requestedBy: command.userId,
    origin: 'slack' as const,
    reply,
    args: words.join(' '),
  };
  const decision = await deps.authorizer.check(command.userId, prepared.classification.permission);
  if (!decision.allowed) {
    await deps.runner.recordDenied(prepared, invocation, `needs ${decision.granting.join(' or ')}`);
    return {
      message: renderDenied({
        action: verb,
        needed: prepared.classification.permission,
        roles: decision.granting,
      }),
    };
  }
  if (secretFields.length > 0) {
    return {
      message: renderAccepted({
        action: verb,
        args: `${invocation.args} — enter the value in the form`,
        requestedBy: command.userId,
      }),
      modal: secretModal(deps, prepared, command),
    };
  }
  if (prepared.classification.destructive) {
    await requestConfirmation({ runner: deps.runner, queue: deps.queue }, prepared, invocation);
    return {
      message: renderAccepted({
        action: verb,
        args: `${invocation.args} — checking the current state before asking you to confirm`,
        requestedBy: command.userId,
      }),
    };
  }
  await requestAction({ queue: deps.queue }, prepared, invocation);
  return { message: renderAccepted({ action: verb, args: invocation.args, requestedBy: command.userId }) };
}

function fail(message: string, hint?: string): CommandOutcome {
  return { message: renderError({ message, ...(hint ? { hint } : {}) }) };
}

/** Stands in for a secret while the rest of the command is checked; never sent anywhere. */
const PLACEHOLDER = 'entered-in-the-form';

/** What the form carries back with the submission: everything but the value. */
const secretFormMetadata = z.object({
  action: z.string(),
  params: z.record(z.string(), z.unknown()),
  channel: z.string(),
  requestedBy: z.string(),
});

function secretModal(deps: CommandDeps, prepared: PreparedAction, command: FleetCommand): View {
  const params = { ...(prepared.params as Record<string, unknown>) };
  for (const field of prepared.action.syntax.secret ?? []) delete params[field];
  return renderSecretModal({
    secret: String(params.secret),
    key: String(params.key),
    namespace: deps.runner.previewContext().config.cluster.namespace,
    restart: params.restart === true,
    privateMetadata: JSON.stringify({
      action: prepared.action.name,
      params,
      channel: command.channelId,
      requestedBy: command.userId,
    }),
  });
}

export interface SecretSubmission {
  userId: string;
  /** The modal's view id: the same in Slack's retries of one submission. */
  viewId: string;
  privateMetadata: string;
  value: string;
  restart: boolean;
}

/**
 * The form was submitted, which is the confirmation: check the role again and
 * queue the change as a sensitive job (dropped from the queue store as soon as
 * it finishes). Returns the error to show in the form, or nothing.
 */
export async function handleSecretSubmission(
  deps: CommandDeps,
  submission: SecretSubmission,
): Promise<string | undefined> {
  const metadata = secretFormMetadata.safeParse(safeJson(submission.privateMetadata));
  if (!metadata.success || metadata.data.requestedBy !== submission.userId)
    return 'This form is not yours, or it is too old.';
  let prepared: PreparedAction;
  try {
    prepared = deps.runner.prepare(metadata.data.action, {
      ...metadata.data.params,
      restart: submission.restart,
      value: submission.value,
    });
  } catch (error) {
    return error instanceof FleetbotError ? error.message : 'The value was not accepted.';
  }
  const decision = await deps.authorizer.check(submission.userId, prepared.classification.permission);
  if (!decision.allowed) return `Updating a secret needs ${decision.granting.join(' or ')}.`;
  await requestAction({ queue: deps.queue }, prepared, {
    requestId: `view.${submission.viewId}`,
    requestedBy: submission.userId,
    origin: 'slack',
    confirmedBy: submission.userId,
    reply: { channel: metadata.data.channel, user: submission.userId },
    args: `set ${String(metadata.data.params.secret)} ${String(metadata.data.params.key)}`,
  });
  return undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The registry does not change while running: the help message is rendered once. */
let overview: SlackMessage | undefined;

function help(topic: string | undefined): SlackMessage {
  if (!topic) {
    overview ??= renderHelp(actions);
    return overview;
  }
  const action: ActionDefinition | undefined = actions.find((candidate) => candidate.name === topic);
  if (action) return renderCommandHelp(action);
  const guess = closest(
    topic,
    actions.map((a) => a.name),
  );
  return renderError({
    message: `No command \`${topic}\`.${guess ? ` Did you mean \`${guess}\`?` : ''}`,
    hint: 'Type `/fleet help` for the list.',
  });
}
