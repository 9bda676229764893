import type { ActionDefinition } from '../actions/action.ts';
import { tokenize } from '../actions/arguments.ts';
import { actions } from '../actions/registry.ts';
import { FleetbotError } from '../domain/errors.ts';
import { closest } from '../lib/closest.ts';
import type { JobQueue } from '../queue/job-queue.ts';
import type { ActionRunner } from '../services/action-runner.ts';
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
  type SlackMessage,
} from '../slack/render/index.ts';

export interface CommandDeps {
  runner: ActionRunner;
  authorizer: Authorizer;
  queue: JobQueue;
}

export interface FleetCommand {
  /** Everything after `/fleet` (or after the @mention). */
  text: string;
  userId: string;
  channelId: string;
  /** Stable across Slack's retries of the same request: the job id derives from it. */
  requestId: string;
  responseUrl?: string;
}

/**
 * `/fleet <verb> [args]` → the message to acknowledge with. Only translates:
 * parse, authorise, then record + enqueue (or ask for confirmation). One
 * database insert and one queue insert at most; never the cluster, never Slack.
 */
export async function handleFleetCommand(deps: CommandDeps, command: FleetCommand): Promise<SlackMessage> {
  const [verb = 'help', ...words] = safeTokenize(command.text);
  if (verb === 'help') return help(words[0]);
  const action = actions.find((candidate) => candidate.name === verb);
  if (!action) {
    const guess = closest(
      verb,
      actions.map((a) => a.name),
    );
    return renderError({
      message: `Unknown command \`/fleet ${verb}\`.${guess ? ` Did you mean \`${guess}\`?` : ''}`,
      hint: 'Type `/fleet help` for the list.',
    });
  }
  if ((action.syntax.secret ?? []).length > 0) {
    return renderError({
      message: `\`/fleet ${verb}\` takes a secret value, which must not be typed into a channel.`,
      hint: `Run it from a terminal: \`fleetbot run ${verb} ${action.usage}\` (the value is read from stdin, never echoed).`,
    });
  }
  let prepared: ReturnType<ActionRunner['prepare']>;
  try {
    prepared = deps.runner.prepare(verb, words);
  } catch (error) {
    if (error instanceof FleetbotError)
      return renderError({ message: error.message, ...(error.hint ? { hint: error.hint } : {}) });
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
    return renderDenied({
      action: verb,
      needed: prepared.classification.permission,
      roles: decision.granting,
    });
  }
  if (prepared.classification.destructive) {
    await requestConfirmation({ runner: deps.runner, queue: deps.queue }, prepared, invocation);
    return renderAccepted({
      action: verb,
      args: `${invocation.args} — checking the current state before asking you to confirm`,
      requestedBy: command.userId,
    });
  }
  await requestAction({ queue: deps.queue }, prepared, invocation);
  return renderAccepted({ action: verb, args: invocation.args, requestedBy: command.userId });
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

function safeTokenize(text: string): string[] {
  try {
    return tokenize(text.trim());
  } catch {
    return ['help'];
  }
}
