import type { IncomingMessage } from 'node:http';
import { App, type BlockAction, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import type { View } from '@slack/types';
import type { WebClientOptions } from '@slack/web-api';
import type { Config } from '../config/index.ts';
import type { Clock } from '../domain/clock.ts';
import type { MessageContent, Notifier } from '../domain/notifier.ts';
import { type HttpServer, MAX_BODY_BYTES, sendJson } from '../http/http-server.ts';
import { readBody, SlackSignature } from '../http/slack-signature.ts';
import type { Logger } from '../logging/logger.ts';
import type { ActionRequests } from '../services/action-requests.ts';
import type { ActionRunner } from '../services/action-runner.ts';
import type { AppHome } from '../services/app-home.ts';
import {
  type ButtonClick,
  CANCEL_ACTION_ID,
  CONFIRM_ACTION_ID,
  type Confirmations,
  SECRET_VALUE_ACTION_ID,
} from '../services/confirmations.ts';
import type { Drills } from '../services/drills.ts';
import type { IncidentResponse, ResponseOutcome } from '../services/incident-response.ts';
import type { IncidentTickets } from '../services/incident-tickets.ts';
import type { Maintenance } from '../services/maintenance.ts';
import type { OnCall } from '../services/oncall.ts';
import type { RateLimiter } from '../services/rate-limiter.ts';
import { CONFIRM_CHECKLIST } from '../slack/render/confirmation.ts';
import { HOME_CONSOLE_ACTION } from '../slack/render/home.ts';
import { DECLARE_MODAL, INCIDENT_ACTIONS } from '../slack/render/incident.ts';
import {
  SECRET_MODAL_ID,
  SECRET_RESTART_ACTION,
  SECRET_RESTART_BLOCK,
  SECRET_VALUE_ACTION,
  SECRET_VALUE_BLOCK,
  SUGGESTION_ACTION,
} from '../slack/render/index.ts';
import { MAINTENANCE_ACTIONS } from '../slack/render/maintenance.ts';
import { toSlackLogger } from '../slack/slack-logger.ts';
import { DRILL_ACTIONS, handleDrillClick } from './drill-command.ts';
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
  incidents: { response: IncidentResponse; tickets: IncidentTickets };
  drills: Drills;
  oncall: OnCall;
  maintenance: Maintenance;
  home: AppHome;
  clock: Clock;
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
  const signature = appToken || !signingSecret ? undefined : new SlackSignature({ signingSecret });
  const http =
    appToken || !signingSecret
      ? undefined
      : new HTTPReceiver({
          signingSecret,
          // Checked by `signature` before a request reaches Bolt (see mount): one HMAC, not Bolt's three.
          signatureVerification: false,
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
    // No listener keeps conversation state; Bolt's default store costs a lookup (and a thrown
    // "Conversation not found" error) on every request.
    convoStore: false,
  });
  const deps = {
    config,
    logger,
    runner: options.runner,
    requests: options.requests,
    confirmations: options.confirmations,
    limiter: options.limiter,
    incidents: { config, ...options.incidents },
    oncall: { config, clock: options.clock, oncall: options.oncall },
    maintenance: { config, clock: options.clock, maintenance: options.maintenance },
    drills: { config, clock: options.clock, drills: options.drills },
  };
  const { response } = options.incidents;

  /** Tells the person who clicked what their click did, privately (from the Home tab: in their DM with fleetbot). */
  const tell = async (click: ButtonClick, key: string, message: string | MessageContent) => {
    // A command's whole answer (blocks too: `oncall` answers in blocks), or one line.
    const content = typeof message === 'string' ? { text: message } : message;
    if (click.fromHome) {
      await options.notifier.send({ kind: 'post', key, channel: click.userId, content });
    } else if (click.responseUrl) {
      await options.notifier.send({
        kind: 'respond',
        key,
        responseUrl: click.responseUrl,
        content,
        replaceOriginal: false,
        visibility: 'ephemeral',
      });
    } else if (click.channelId) {
      await options.notifier.send({
        kind: 'ephemeral',
        key,
        channel: click.channelId,
        user: click.userId,
        content,
      });
    }
  };
  const said = (outcome: ResponseOutcome) =>
    `${outcome.ok ? '✅' : outcome.reason === 'denied' ? '🚫' : 'ℹ️'} ${outcome.message}`;

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

  // The Home tab: published behind the event (views.publish by a job), for this person.
  app.event('app_home_opened', async ({ event }) => {
    if (event.tab === 'home') await options.home.opened(event.user);
  });
  // The tab's link to the web console: the browser opens it; Slack still reports the click.
  app.action<BlockAction>(HOME_CONSOLE_ACTION, async ({ ack }) => {
    await ack();
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

  // Ticking the confirmation's checklist: its state arrives with the confirm click.
  app.action<BlockAction>(CONFIRM_CHECKLIST.action, async ({ ack }) => {
    await ack();
  });

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

  for (const [actionId, act] of [
    [
      INCIDENT_ACTIONS.acknowledge,
      (n: number, who: { kind: 'slack'; userId: string }) => response.acknowledge(n, who),
    ],
    [
      INCIDENT_ACTIONS.escalate,
      (n: number, who: { kind: 'slack'; userId: string }) => response.escalate(n, who),
    ],
    [
      INCIDENT_ACTIONS.resolve,
      (n: number, who: { kind: 'slack'; userId: string }) => response.resolve(n, who),
    ],
  ] as const) {
    app.action<BlockAction>(actionId, async ({ ack, body, action }) => {
      await ack();
      const click = buttonClick(body, action);
      const outcome = await act(Number(click.runId), { kind: 'slack', userId: click.userId });
      await tell(click, `incident-click.${click.actionTs}.${click.userId}`, said(outcome));
    });
  }

  /** A command from a button, through the same path as typing it (permission, confirmation, audit). */
  const runClicked = async (
    body: BlockAction,
    click: ButtonClick,
    client: { views: { open(args: { trigger_id: string; view: View }): Promise<unknown> } },
    text: string,
    key: string,
    incidentId?: number,
  ) => {
    const outcome = await handleFleetCommand(deps, {
      text,
      userId: click.userId,
      channelId: click.channelId,
      requestId: key,
      ...(click.responseUrl ? { responseUrl: click.responseUrl } : {}),
      ...('trigger_id' in body ? { triggerId: body.trigger_id } : {}),
      ...(incidentId !== undefined ? { incidentId } : {}),
    });
    if (outcome.modal && 'trigger_id' in body)
      await client.views.open({ trigger_id: body.trigger_id, view: outcome.modal });
    return outcome;
  };

  // A runbook action on an incident's message: the same path as typing it, linked to the incident.
  app.action<BlockAction>(
    new RegExp(`^${INCIDENT_ACTIONS.run.replace('.', '\\.')}\\.`),
    async ({ ack, body, action, client }) => {
      await ack();
      const click = buttonClick(body, action);
      const [number = '', ...words] = click.runId.split(' ');
      const text = words.join(' ');
      const key = `incident-run.${click.actionTs}.${click.userId}`;
      const outcome = await runClicked(body, click, client, text, key, Number(number));
      await response.actionRequested(Number(number), { kind: 'slack', userId: click.userId }, text);
      await tell(click, key, outcome.message);
    },
  );

  // A command a result suggests (diagnose's fixes): the same path as typing it.
  app.action<BlockAction>(
    new RegExp(`^${SUGGESTION_ACTION.replace('.', '\\.')}\\.`),
    async ({ ack, body, action, client }) => {
      await ack();
      const click = buttonClick(body, action);
      const key = `result-run.${click.actionTs}.${click.userId}`;
      const outcome = await runClicked(body, click, client, click.runId, key);
      await tell(click, key, outcome.message);
    },
  );

  // A checklist box ticked or unticked, on an incident or a maintenance notice: Slack sends the
  // whole group's selection; apply the difference. Each option's value is `<owner> <list>.<item>`.
  for (const [prefix, tick] of [
    [
      INCIDENT_ACTIONS.check,
      (owner: string, userId: string, item: string, ticked: boolean) =>
        response.check(Number(owner), { kind: 'slack', userId }, item, ticked),
    ],
    [
      MAINTENANCE_ACTIONS.check,
      (owner: string, userId: string, item: string, ticked: boolean) =>
        options.maintenance.check(userId, owner, item, ticked),
    ],
  ] as const) {
    app.action<BlockAction>(
      new RegExp(`^${prefix.replace('.', '\\.')}\\.`),
      async ({ ack, body, action }) => {
        await ack();
        if (action.type !== 'checkboxes') return;
        const selected = new Set(action.selected_options.map((option) => option.value ?? ''));
        const initial = new Set(
          ((action as { initial_options?: { value?: string }[] }).initial_options ?? []).map(
            (option) => option.value ?? '',
          ),
        );
        const changed = [...selected]
          .filter((value) => !initial.has(value))
          .concat([...initial].filter((value) => !selected.has(value)));
        for (const value of changed) {
          const [owner = '', item = ''] = value.split(' ');
          await tick(owner, body.user.id, item, selected.has(value));
        }
      },
    );
  }

  // Emergency maintenance: an approver's decision.
  for (const [actionId, decision] of [
    [MAINTENANCE_ACTIONS.approve, 'approve'],
    [MAINTENANCE_ACTIONS.reject, 'reject'],
  ] as const) {
    app.action<BlockAction>(actionId, async ({ ack, body, action }) => {
      await ack();
      const click = buttonClick(body, action);
      const outcome = await options.maintenance.decide(click.userId, Number(click.runId), decision);
      await tell(click, `maintenance-click.${click.actionTs}.${click.userId}`, outcome.message);
    });
  }

  // A drill's confirmation: Start (the requester only, before it expires) or Cancel.
  for (const [actionId, start] of [
    [DRILL_ACTIONS.start, true],
    [DRILL_ACTIONS.cancel, false],
  ] as const) {
    app.action<BlockAction>(actionId, async ({ ack, body, action }) => {
      await ack();
      const click = buttonClick(body, action);
      const answer = await handleDrillClick(deps.drills, { userId: click.userId, value: click.runId, start });
      await tell(click, `drill-click.${click.actionTs}.${click.userId}`, answer);
    });
  }

  app.view(DECLARE_MODAL.callbackId, async ({ ack, body, view }) => {
    const values = view.state.values;
    const title = values[DECLARE_MODAL.title.block]?.[DECLARE_MODAL.title.action]?.value?.trim() ?? '';
    const picked =
      values[DECLARE_MODAL.severity.block]?.[DECLARE_MODAL.severity.action]?.selected_option?.value ?? '';
    const severity = /^(?:p|sev)([0-3])$/i.exec(picked);
    const service =
      values[DECLARE_MODAL.service.block]?.[DECLARE_MODAL.service.action]?.selected_option?.value;
    if (!title || !severity) {
      await ack({
        response_action: 'errors',
        errors: title
          ? { [DECLARE_MODAL.severity.block]: 'Pick a severity, P0 to P3.' }
          : { [DECLARE_MODAL.title.block]: 'Say in a few words what is happening.' },
      });
      return;
    }
    const outcome = await response.open(
      { kind: 'slack', userId: body.user.id },
      {
        severity: `P${severity[1]}` as 'P0',
        title,
        ...(service && config.services[service] ? { service } : {}),
      },
    );
    if (!outcome.ok) {
      await ack({ response_action: 'errors', errors: { [DECLARE_MODAL.title.block]: outcome.message } });
      return;
    }
    await ack();
  });

  app.error(async (error) => {
    logger.error({ err: error }, 'Slack listener failed');
  });

  return {
    mode: http ? 'http' : 'socket',
    mount(server) {
      if (!http || !signature) return;
      server.route('POST', SLACK_EVENTS_PATH, async (request, response) => {
        const body = await readBody(request, MAX_BODY_BYTES).catch(() => undefined);
        if (!body) {
          if (!response.headersSent) response.writeHead(400).end();
          return;
        }
        const problem = signature.problem(request, body);
        // Slack's certificate check (`ssl_check=1`) may come unsigned: Bolt answers it 200 and runs
        // nothing, so it is handed over with everything else in the body dropped, as Bolt does.
        const sslCheck = problem !== undefined && isSslCheck(request, body);
        if (problem && !sslCheck) {
          logger.warn({ problem }, 'a request to the Slack endpoint was refused: it is not signed by Slack');
          response.writeHead(401).end();
          return;
        }
        // Bolt takes a body already read (its BufferedIncomingMessage) instead of reading the stream.
        Object.assign(request, { rawBody: sslCheck ? Buffer.from('ssl_check=1') : body });
        http.requestListener(request, response);
      });
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

/** Slack's certificate check: a form whose `ssl_check` is 1. */
function isSslCheck(request: IncomingMessage, body: Buffer): boolean {
  return (
    request.headers['content-type'] === 'application/x-www-form-urlencoded' &&
    new URLSearchParams(body.toString('utf8')).get('ssl_check') === '1'
  );
}

/** A button press as the confirmation use cases take it. */
function buttonClick(body: BlockAction, action: BlockAction['actions'][number]): ButtonClick {
  const checklist = body.state?.values?.[CONFIRM_CHECKLIST.block]?.[CONFIRM_CHECKLIST.action];
  return {
    ...(checklist ? { ticked: checklist.selected_options?.length ?? 0 } : {}),
    runId: 'value' in action ? String(action.value) : '',
    userId: body.user.id,
    // A button of the Home tab has no channel: answers go to the person's DM with fleetbot.
    channelId: body.channel?.id ?? (body.view?.type === 'home' ? body.user.id : ''),
    ...(body.view?.type === 'home' ? { fromHome: true } : {}),
    actionTs: 'action_ts' in action ? String(action.action_ts) : '',
    ...(typeof body.response_url === 'string' ? { responseUrl: body.response_url } : {}),
  };
}
