import type { View } from '@slack/types';
import { z } from 'zod';
import type { ActionDefinition } from '../actions/action.ts';
import { tokenize } from '../actions/arguments.ts';
import { actions, resolveCommand } from '../actions/registry.ts';
import type { Config } from '../config/index.ts';
import { FleetbotError } from '../domain/errors.ts';
import { isDrill } from '../domain/incident.ts';
import type { Requester } from '../domain/requester.ts';
import { didYouMean } from '../lib/did-you-mean.ts';
import { safeJson } from '../lib/safe-json.ts';
import type { Logger } from '../logging/logger.ts';
import type { ActionRequests, RequestOutcome } from '../services/action-requests.ts';
import type { ActionRequest } from '../services/action-run-job.ts';
import type { ActionRunner, PreparedAction } from '../services/action-runner.ts';
import type { Confirmations } from '../services/confirmations.ts';
import type { RateLimiter } from '../services/rate-limiter.ts';
import {
  renderAccepted,
  renderCommandHelp,
  renderDenied,
  renderError,
  renderHelp,
  renderSecretModal,
  type SlackMessage,
} from '../slack/render/index.ts';
import { type DrillCommandDeps, handleDrillCommand } from './drill-command.ts';
import { handleIncidentCommand, type IncidentCommandDeps } from './incident-command.ts';
import { handleMaintenanceCommand, type MaintenanceCommandDeps } from './maintenance-command.ts';
import { handleOnCallCommand, type OnCallCommandDeps } from './oncall-command.ts';

export interface CommandDeps {
  config: Config;
  /** `/fleet incident …`. */
  incidents: IncidentCommandDeps;
  /** `/fleet oncall …`. */
  oncall: OnCallCommandDeps;
  /** `/fleet maintenance …`. */
  maintenance: MaintenanceCommandDeps;
  /** `/fleet drill …`. */
  drills: DrillCommandDeps;
  logger: Logger;
  /** Commands per user; `help` is not counted. */
  limiter: RateLimiter;
  /** Parses and validates what was typed (nothing runs). */
  runner: ActionRunner;
  requests: ActionRequests;
  confirmations: Confirmations;
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
  /** As Slack sends it with a slash command (`fleet-incidents`); absent for mentions. */
  channelName?: string;
  responseUrl?: string;
  /** Present for slash commands (not for @mentions): lets a form be opened for secret values. */
  triggerId?: string;
  /** A runbook button on an incident's message: the run is linked to the incident. */
  incidentId?: number;
}

/**
 * `/fleet <verb> [args]` → the message to acknowledge with. Only translates: parse once into a
 * prepared action, then hand it to the request use case (authorise, queue or ask to confirm).
 * Never the cluster, never Slack.
 */
export async function handleFleetCommand(deps: CommandDeps, command: FleetCommand): Promise<CommandOutcome> {
  try {
    return await translate(deps, command);
  } catch (error) {
    // The queue or the database not answering: say so in the acknowledgement, never a timeout.
    if (error instanceof FleetbotError) return fail(error.message, error.hint);
    deps.logger.error({ err: error }, 'a /fleet command could not be taken');
    return fail(
      'fleetbot could not take this request: its database or queue did not answer. Nothing was started.',
      'Try again in a minute; /readyz on fleetbot names the failing dependency.',
    );
  }
}

async function translate(deps: CommandDeps, command: FleetCommand): Promise<CommandOutcome> {
  let tokens: string[];
  try {
    tokens = tokenize(command.text.trim());
  } catch (error) {
    return fail((error as Error).message, HELP_HINT);
  }
  const typed = resolveCommand(tokens.length > 0 ? tokens : ['help']);
  const verb = typed.name;
  const words = typed.rest;
  if (verb === 'help' && (words[0] === 'incident' || words[0] === 'incidents')) {
    return handleIncidentCommand(deps.incidents, ['help'], command);
  }
  if (verb === 'help') return { message: help(words[0]) };
  // Incident commands are not counted: a responder types many in a few minutes, and none reaches
  // the queue or the cluster (a runbook button on an incident is counted as the command it runs).
  if (verb === 'incident' || verb === 'incidents')
    return handleIncidentCommand(deps.incidents, words, command);
  if (verb === 'oncall') return { message: await handleOnCallCommand(deps.oncall, words, command.userId) };
  if (verb === 'maintenance') {
    return { message: await handleMaintenanceCommand(deps.maintenance, words, command.userId) };
  }
  if (verb === 'drill') return { message: await handleDrillCommand(deps.drills, words, command.userId) };
  const allowed = deps.limiter.take(command.userId);
  if (!allowed.allowed) {
    return fail(
      `Slow down: that is more commands than fleetbot takes from one person in a short while, so \`/fleet ${verb}\` was not run.`,
      `Try again in ${Math.ceil(allowed.retryInMs / 1000)} s.`,
    );
  }
  const action = actions.find((candidate) => candidate.name === verb);
  if (!action) return fail(`Unknown command \`/fleet ${verb}\`.${suggest(verb)}`, HELP_HINT);
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
  const request: ActionRequest = {
    requestId: command.requestId,
    requestedBy: command.userId,
    requester: requesterOf(command),
    args: words.join(' '),
    ...(command.channelName ? { channelName: command.channelName } : {}),
    ...(command.incidentId ? { incidentId: command.incidentId } : {}),
  };
  // A secret change only one person confirms: the form now, and its submission is the confirmation.
  // One a second person must approve goes through the confirmation first; the form comes after.
  if (secretFields.length > 0 && !deps.config.permissions.twoPerson.includes(verb)) {
    const decision = await deps.requests.authorize(prepared, request);
    if (!decision.allowed) return { message: denied(verb, { outcome: 'denied', decision }) };
    return {
      message: renderAccepted({
        action: verb,
        args: `${request.args} — enter the value in the form`,
        requestedBy: command.userId,
      }),
      modal: secretModal(deps.config, prepared, command),
    };
  }
  const outcome = await deps.requests.request(prepared, request);
  if (outcome.outcome === 'denied') return { message: denied(verb, outcome) };
  if (outcome.outcome === 'elsewhere') return fail(outcome.message);
  return {
    message: renderAccepted({
      action: verb,
      args:
        outcome.outcome !== 'confirming'
          ? request.args
          : command.incidentId !== undefined && isDrill(command.incidentId)
            ? `${request.args} — DRILL: showing what it would do; nothing will be changed`
            : secretFields.length > 0
              ? `${request.args} — a second person must approve it; then you enter the value in a private form`
              : `${request.args} — checking the current state before asking you to confirm`,
      requestedBy: command.userId,
    }),
  };
}

const HELP_HINT = 'Type `/fleet help` for the list.';

function requesterOf(command: FleetCommand): Requester {
  return {
    channel: command.channelId,
    user: command.userId,
    ...(command.responseUrl ? { responseUrl: command.responseUrl } : {}),
  };
}

function denied(action: string, outcome: Extract<RequestOutcome, { outcome: 'denied' }>): SlackMessage {
  return renderDenied({ action, needed: outcome.decision.permission, roles: outcome.decision.granting });
}

function fail(message: string, hint?: string): CommandOutcome {
  return { message: renderError({ message, ...(hint ? { hint } : {}) }) };
}

function suggest(verb: string): string {
  return didYouMean(
    verb,
    actions.map((a) => a.name),
    (name) => `\`${name}\``,
  );
}

/** Stands in for a secret while the rest of the command is checked; never sent anywhere. */
const PLACEHOLDER = 'entered-in-the-form';

/**
 * What the form carries back with the submission, never the value: the checked request (one person
 * confirms), or the approved run the value is for (two-person).
 */
const secretFormMetadata = z.union([
  z.object({
    action: z.string(),
    params: z.record(z.string(), z.unknown()),
    channel: z.string(),
    requestedBy: z.string(),
  }),
  z.object({ runId: z.uuid(), requestedBy: z.string() }),
]);

/** The form for the value of an approved two-person secret change. */
export function approvedSecretModal(
  config: Config,
  form: { runId: string; requestedBy: string; secret: string; key: string; restart: boolean },
): View {
  return renderSecretModal({
    secret: form.secret,
    key: form.key,
    namespace: config.cluster.namespace,
    restart: form.restart,
    privateMetadata: JSON.stringify({ runId: form.runId, requestedBy: form.requestedBy }),
  });
}

function secretModal(config: Config, prepared: PreparedAction, command: FleetCommand): View {
  const params = { ...(prepared.params as Record<string, unknown>) };
  for (const field of prepared.action.syntax.secret ?? []) delete params[field];
  return renderSecretModal({
    secret: String(params.secret),
    key: String(params.key),
    namespace: config.cluster.namespace,
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
 * The form was submitted, which is the confirmation: the value joins the parameters checked when
 * the form was opened, and the change is queued. Returns the error to show in the form, or nothing.
 */
export async function handleSecretSubmission(
  deps: CommandDeps,
  submission: SecretSubmission,
): Promise<string | undefined> {
  const metadata = secretFormMetadata.safeParse(safeJson(submission.privateMetadata));
  if (!metadata.success || metadata.data.requestedBy !== submission.userId)
    return 'This form is not yours, or it is too old.';
  if ('runId' in metadata.data) {
    return deps.confirmations.submitValue({
      runId: metadata.data.runId,
      userId: submission.userId,
      value: submission.value,
      restart: submission.restart,
    });
  }
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
  const outcome = await deps.requests.submitSecret(prepared, {
    requestId: `view.${submission.viewId}`,
    requestedBy: submission.userId,
    requester: { channel: metadata.data.channel, user: submission.userId },
    args: `set ${String(metadata.data.params.secret)} ${String(metadata.data.params.key)}`,
  });
  return outcome.outcome === 'denied' ? denied(metadata.data.action, outcome).text : undefined;
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
  return renderError({ message: `No command \`${topic}\`.${suggest(topic)}`, hint: HELP_HINT });
}
