import { App, type BlockAction, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import type { WebClientOptions } from '@slack/web-api';
import type { Config } from '../config/index.ts';
import type { Notifier } from '../domain/notifier.ts';
import { type HttpServer, MAX_BODY_BYTES, sendJson } from '../http/http-server.ts';
import type { Logger } from '../logging/logger.ts';
import type { ActionRequests } from '../services/action-requests.ts';
import type { ActionRunner } from '../services/action-runner.ts';
import {
  type ButtonClick,
  CANCEL_ACTION_ID,
  CONFIRM_ACTION_ID,
  type Confirmations,
  SECRET_VALUE_ACTION_ID,
} from '../services/confirmations.ts';
import type { RateLimiter } from '../services/rate-limiter.ts';
import {
  SECRET_MODAL_ID,
  SECRET_RESTART_ACTION,
  SECRET_RESTART_BLOCK,
  SECRET_VALUE_ACTION,
  SECRET_VALUE_BLOCK,
} from '../slack/render/index.ts';
import { toSlackLogger } from '../slack/slack-logger.ts';
import { approvedSecretModal, handleFleetCommand, handleSecretSubmission } from './fleet-command.ts';

export const SLACK_EVENTS_PATH = '/slack/events';

export interface SlackAppOptions {
  config: Config;
  logger: Logger;
  runner: ActionRunner;
  requests: ActionRequests;
  confirmations: Confirmations;
  notifier: Notifier;
  limiter: RateLimiter;
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
 * Bolt, in HTTP mode on fleetbot's server (signature verified by Bolt's receiver) or in Socket
 * Mode when SLACK_APP_TOKEN is set, and every listener: each translates a Slack request into one
 * call of a use case and acknowledges. Work goes to the queue; answers go through the Notifier.
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
          bodyLimit: MAX_BODY_BYTES,
          // A signed request Bolt could not process (a payload of a shape Slack never sends) is
          // answered 400 and logged, never 500: nothing in it ran.
          processEventErrorHandler: async ({ error, response }) => {
            logger.error({ err: error }, 'a Slack request could not be processed');
            if (response.headersSent) return false;
            const unauthorized = (error as { code?: string }).code === 'slack_bolt_authorization_error';
            sendJson(response, unauthorized ? 401 : 400, {
              error: unauthorized ? 'unauthorized' : 'unreadable_request',
              message: 'fleetbot could not process this request; nothing was done.',
            });
            return true;
          },
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
  const deps = {
    config,
    logger,
    runner: options.runner,
    requests: options.requests,
    confirmations: options.confirmations,
    limiter: options.limiter,
  };

  app.command('/fleet', async ({ command, ack, client }) => {
    const outcome = await handleFleetCommand(deps, {
      text: command.text,
      userId: command.user_id,
      channelId: command.channel_id,
      channelName: command.channel_name,
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
    const eventId = (body as { event_id?: string }).event_id ?? event.ts;
    const { message } = await handleFleetCommand(deps, {
      text: event.text.replace(/<@[A-Z0-9]+(\|[^>]*)?>/g, '').trim(),
      userId: event.user ?? '',
      channelId: event.channel,
      requestId: `event.${eventId}`,
    });
    // Keyed by the event: Slack's retries of the same event answer once.
    await options.notifier.send({
      kind: 'post',
      key: `mention.${eventId}`,
      channel: event.channel,
      thread: { ts: event.ts },
      content: message,
    });
  });

  for (const [actionId, handle] of [
    [CONFIRM_ACTION_ID, (click: ButtonClick) => options.confirmations.confirm(click)],
    [CANCEL_ACTION_ID, (click: ButtonClick) => options.confirmations.cancel(click)],
  ] as const) {
    app.action<BlockAction>(actionId, async ({ ack, body, action }) => {
      await ack();
      await handle(buttonClick(body, action));
    });
  }

  // An approved two-person secret change: the requester's click opens the form for the value.
  app.action<BlockAction>(SECRET_VALUE_ACTION_ID, async ({ ack, body, action, client }) => {
    await ack();
    const click = buttonClick(body, action);
    const form = await options.confirmations.valueForm(click);
    if (form && 'trigger_id' in body) {
      await client.views.open({
        trigger_id: body.trigger_id,
        view: approvedSecretModal(config, { ...form, runId: click.runId, requestedBy: click.userId }),
      });
    }
  });

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

/** A button press as the confirmation use cases take it. */
function buttonClick(body: BlockAction, action: BlockAction['actions'][number]): ButtonClick {
  return {
    runId: 'value' in action ? String(action.value) : '',
    userId: body.user.id,
    channelId: body.channel?.id ?? '',
    actionTs: 'action_ts' in action ? String(action.action_ts) : '',
    ...(typeof body.response_url === 'string' ? { responseUrl: body.response_url } : {}),
  };
}
