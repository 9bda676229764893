import { App, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import type { WebClientOptions } from '@slack/web-api';
import type { Config } from '../config/index.ts';
import { handleFleetCommand, handleSecretSubmission } from '../handlers/fleet-command.ts';
import type { HttpServer } from '../http/http-server.ts';
import type { Logger } from '../logging/logger.ts';
import type { JobQueue } from '../queue/job-queue.ts';
import type { ActionRunner } from '../services/action-runner.ts';
import type { Authorizer } from '../services/authorizer.ts';
import {
  CANCEL_ACTION_ID,
  CONFIRM_ACTION_ID,
  handleCancelClick,
  handleConfirmClick,
} from './confirmations.ts';
import type { Notifier } from './notifier.ts';
import {
  SECRET_MODAL_ID,
  SECRET_RESTART_ACTION,
  SECRET_RESTART_BLOCK,
  SECRET_VALUE_ACTION,
  SECRET_VALUE_BLOCK,
} from './render/index.ts';
import { toSlackLogger } from './slack-logger.ts';

export const SLACK_EVENTS_PATH = '/slack/events';

export interface SlackAppOptions {
  config: Config;
  logger: Logger;
  runner: ActionRunner;
  queue: JobQueue;
  authorizer: Authorizer;
  notifier: Notifier;
  clientOptions: WebClientOptions;
}

export interface SlackApp {
  readonly mode: 'http' | 'socket';
  /** HTTP mode: serves POST /slack/events on fleetbot's own server. */
  mount(server: HttpServer): void;
  /** Checks the token (auth.test) and, in Socket Mode, connects. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Bolt, in HTTP mode on fleetbot's server (signature verified by Bolt's
 * receiver) or in Socket Mode when SLACK_APP_TOKEN is set. Listeners only
 * translate into `src/handlers` calls and acknowledge; work goes to the queue.
 */
export function createSlackApp(options: SlackAppOptions): SlackApp {
  const { config, logger } = options;
  const boltLogger = toSlackLogger(logger.child({ component: 'slack' }));
  const appToken = config.slack.appToken;
  const signingSecret = config.slack.signingSecret;
  const http =
    appToken || !signingSecret
      ? undefined
      : new HTTPReceiver({
          signingSecret,
          endpoints: SLACK_EVENTS_PATH,
          logger: boltLogger,
          processBeforeResponse: false,
        });
  const receiver =
    http ??
    new SocketModeReceiver({
      appToken: appToken ?? '',
      logger: boltLogger,
      installerOptions: { clientOptions: options.clientOptions },
    });
  const app = new App({
    token: config.slack.botToken,
    receiver,
    logger: boltLogger,
    clientOptions: options.clientOptions,
    // auth.test once at start-up, not on every event.
    deferInitialization: true,
  });
  const deps = { runner: options.runner, queue: options.queue, authorizer: options.authorizer };
  const clickDeps = { ...deps, notifier: options.notifier, twoPerson: config.permissions.twoPerson };

  app.command('/fleet', async ({ command, ack, client }) => {
    const outcome = await handleFleetCommand(deps, {
      text: command.text,
      userId: command.user_id,
      channelId: command.channel_id,
      requestId: `slash.${command.trigger_id}`,
      responseUrl: command.response_url,
      triggerId: command.trigger_id,
    });
    await ack(outcome.message);
    // The trigger_id lives 3 s: the form opens right after the ack, before anything slow.
    if (outcome.modal) await client.views.open({ trigger_id: command.trigger_id, view: outcome.modal });
  });

  app.view(SECRET_MODAL_ID, async ({ ack, body, view }) => {
    const values = view.state.values;
    const error = await handleSecretSubmission(deps, {
      userId: body.user.id,
      viewId: view.id,
      privateMetadata: view.private_metadata,
      value: values[SECRET_VALUE_BLOCK]?.[SECRET_VALUE_ACTION]?.value ?? '',
      restart: (values[SECRET_RESTART_BLOCK]?.[SECRET_RESTART_ACTION]?.selected_options ?? []).length > 0,
    });
    await ack(error ? { response_action: 'errors', errors: { [SECRET_VALUE_BLOCK]: error } } : undefined);
  });

  app.event('app_mention', async ({ event, body }) => {
    const { message } = await handleFleetCommand(deps, {
      text: event.text.replace(/<@[A-Z0-9]+(\|[^>]*)?>/g, '').trim(),
      userId: event.user ?? '',
      channelId: event.channel,
      requestId: `event.${(body as { event_id?: string }).event_id ?? event.ts}`,
    });
    await options.notifier.post(event.channel, message, { threadTs: event.ts });
  });

  for (const [actionId, handle] of [
    [CONFIRM_ACTION_ID, handleConfirmClick],
    [CANCEL_ACTION_ID, handleCancelClick],
  ] as const) {
    app.action(actionId, async ({ ack, body, action }) => {
      await ack();
      const runId = 'value' in action ? String(action.value) : '';
      await handle(clickDeps, {
        runId,
        userId: body.user.id,
        channelId: body.channel?.id ?? '',
        ...('response_url' in body && typeof body.response_url === 'string'
          ? { responseUrl: body.response_url }
          : {}),
      });
    });
  }

  app.error(async (error) => {
    logger.error({ err: error }, 'Slack listener failed');
  });

  return {
    mode: http ? 'http' : 'socket',
    mount(server) {
      if (http) server.route('POST', SLACK_EVENTS_PATH, http.requestListener);
    },
    async start() {
      await app.init();
      if (!http) await app.start();
    },
    async stop() {
      if (!http) await app.stop();
    },
  };
}
