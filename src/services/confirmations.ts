import type { Preview } from '../actions/action.ts';
import type { Config } from '../config/index.ts';
import type { ActionRunRow, PendingConfirmation, RunStore } from '../domain/action-runs.ts';
import type { Clock } from '../domain/clock.ts';
import { describeError, FleetbotError } from '../domain/errors.ts';
import { isDrill } from '../domain/incident.ts';
import { type Jobs, jobId } from '../domain/jobs.ts';
import type { MessageContent, Notifier } from '../domain/notifier.ts';
import type { Requester } from '../domain/requester.ts';
import { redactCommand } from '../logging/redact.ts';
import {
  renderConfirmation,
  renderConfirmationClosed,
  renderDenied,
  renderDrillPreview,
  renderError,
  renderValueRequest,
} from '../slack/render/index.ts';
import { type ActionRequest, queueAction } from './action-run-job.ts';
import type { ActionRunner, PreparedAction } from './action-runner.ts';
import type { Authorizer } from './authorizer.ts';
import { privateReply } from './replies.ts';

/** A confirmation lapses after this long; pressing the button later does nothing but say so. */
export const CONFIRMATION_TTL_MS = 5 * 60_000;
/** The `action_id`s of the confirmation's buttons; their value is the run id. */
export const CONFIRM_ACTION_ID = 'fleet.confirm';
export const CANCEL_ACTION_ID = 'fleet.cancel';
/** The button that opens the form for an approved secret change's value. */
export const SECRET_VALUE_ACTION_ID = 'fleet.secret-value';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A confirmed run not started after this long is taken to have lost its job. */
const STRANDED_AFTER_MS = 60_000;
/** How long the preview may take to read the current state. */
const PREVIEW_TIMEOUT_MS = 15_000;

/** A press of Confirm or Cancel. */
export interface ButtonClick {
  runId: string;
  userId: string;
  channelId: string;
  responseUrl?: string;
  /** Slack's `action_ts`: tells one press from another (and a retry of the same press from a new one). */
  actionTs: string;
  /** How many items of the confirmation's checklist were ticked when the button was pressed. */
  ticked?: number;
  /** Pressed on fleetbot's Home tab (no channel: answers go to the person's DM). */
  fromHome?: boolean;
}

export interface ConfirmationsOptions {
  config: Config;
  runner: ActionRunner;
  runs: RunStore;
  jobs: Jobs;
  notifier: Notifier;
  authorizer: Authorizer;
  clock: Clock;
}

/**
 * The confirmation of a destructive action: asked for, previewed (the current state, read by a job:
 * a cluster call has no place on the acknowledgement path), then confirmed, cancelled or left to
 * expire. The request is parsed once, when asked for: what waits for the click is the prepared
 * action itself. Only the requester may confirm, or for `permissions.twoPerson` actions (and those
 * whose classification says `twoPerson`) someone else with the permission; the first answer wins, and the buttons are replaced by the outcome.
 */
export class Confirmations {
  private readonly options: ConfirmationsOptions;

  constructor(options: ConfirmationsOptions) {
    this.options = options;
  }

  /** Records the request as awaiting confirmation and queues its preview and its expiry. */
  async request(prepared: PreparedAction, request: ActionRequest): Promise<string> {
    const { runner, runs, jobs, clock } = this.options;
    const { row } = await runner.record(
      prepared,
      {
        requestId: request.requestId,
        requestedBy: request.requestedBy,
        origin: 'slack',
        ...(request.incidentId ? { incidentId: request.incidentId } : {}),
      },
      'awaiting_confirmation',
    );
    await runs.awaitConfirmation(row.id, {
      params: prepared.params as Record<string, unknown>,
      classification: prepared.classification,
      // Kept for messages only, so masked like them: an `env set` value must not wait here.
      args: redactCommand(request.args),
      requester: request.requester,
      expiresAt: new Date(clock.now().getTime() + CONFIRMATION_TTL_MS),
    });
    await jobs.enqueue('confirm.preview', { runId: row.id }, { jobId: jobId('confirm', request.requestId) });
    // The timer lives in the queue, not in memory: it fires after a restart too.
    await jobs.enqueue(
      'confirm.expire',
      { runId: row.id },
      { jobId: jobId('expire', row.id), delayMs: CONFIRMATION_TTL_MS + 1_000 },
    );
    return row.id;
  }

  /** Reads the current state and shows what Confirm will do, with the buttons. */
  async preview(runId: string): Promise<void> {
    const { runner, runs, notifier } = this.options;
    const found = await runs.pendingConfirmation(runId);
    if (!found?.pending || found.row.status !== 'awaiting_confirmation') return;
    const { row, pending } = found;
    const prepared = this.prepared(row, pending);
    let message: MessageContent;
    try {
      const preview = await prepared.action.preview?.(
        runner.previewContext(),
        prepared.params,
        AbortSignal.timeout(PREVIEW_TIMEOUT_MS),
      );
      if (!preview) throw new Error(`${row.action} has no preview`);
      if (row.incidentId !== undefined && isDrill(row.incidentId)) {
        // A runbook button of a drill: the preview is all it does; nothing waits for a Confirm.
        await runs.cancel(runId, 'fleetbot', 'previewed only: a drill never changes the cluster');
        message = renderDrillPreview(preview, row.requestedBy);
      } else {
        if (preview.pin) await runs.pinPending(runId, preview.pin);
        message = this.confirmation(row, pending, prepared, preview, runId);
      }
    } catch (error) {
      await runs.cancel(runId, 'fleetbot', 'cancelled: the current state could not be read');
      message = renderError({ message: `Could not prepare \`${row.action}\`: ${describeError(error)}` });
    }
    const key = confirmationKey(runId);
    // A second person must see it to confirm it: in the channel. Otherwise only the requester does.
    await notifier.send(
      this.twoPerson(row.action, pending)
        ? { kind: 'post', key, channel: pending.requester.channel, content: message }
        : privateReply(pending.requester, key, message),
      { requester: pending.requester },
    );
  }

  private confirmation(
    row: ActionRunRow,
    pending: PendingConfirmation,
    prepared: PreparedAction,
    preview: Preview,
    runId: string,
  ): MessageContent {
    return renderConfirmation({
      preview,
      requestedBy: row.requestedBy,
      expiresAt: pending.expiresAt,
      confirm: { actionId: CONFIRM_ACTION_ID, value: runId },
      cancel: { actionId: CANCEL_ACTION_ID, value: runId },
      ...(prepared.action.checklist ? { checklist: prepared.action.checklist } : {}),
      ...(this.twoPerson(row.action, pending) ? { secondPerson: { role: this.rolesGranting(pending) } } : {}),
    });
  }

  /** The first permitted press queues the run; any later one finds nothing to do. */
  async confirm(click: ButtonClick): Promise<void> {
    const { runs, jobs, clock } = this.options;
    const found = await this.find(click);
    if (!found) return this.tell(click, 'That request no longer exists.');
    const { row, pending } = found;
    // Whether a second person must confirm is read from what waits: without it, nothing is decided.
    if (!pending && row.status === 'awaiting_confirmation')
      return this.tell(click, 'This request is still being prepared; try again in a moment.');
    if (this.twoPerson(row.action, pending)) {
      if (click.userId === row.requestedBy)
        return this.tell(click, 'A second person must confirm this; you asked for it.');
    } else if (click.userId !== row.requestedBy) {
      return this.tell(click, `Only <@${row.requestedBy}>, who asked for it, can confirm this.`);
    }
    if (pending && (await this.refused(click, row.action, pending, 'confirm'))) return;
    const checklist = pending ? (this.prepared(row, pending).action.checklist ?? []) : [];
    if ((click.ticked ?? 0) < checklist.length) {
      return this.tell(
        click,
        `Tick every item of the checklist first (${click.ticked ?? 0} of ${checklist.length} ticked); nothing was started.`,
      );
    }
    const outcome = await runs.confirm(click.runId, click.userId, clock.now());
    if (!outcome.confirmed) {
      if (outcome.reason === 'expired') return this.close(row, pending, 'expired', click);
      const state =
        outcome.reason === 'unknown'
          ? 'gone'
          : outcome.row.status === 'cancelled'
            ? 'cancelled'
            : 'confirmed';
      return this.tell(click, `Already ${state}; nothing more to do.`);
    }
    const prepared = this.prepared(row, outcome.pending);
    await this.close(row, outcome.pending, 'confirmed', click);
    if ((prepared.action.syntax.secret ?? []).length > 0) {
      await this.askForValue(row, outcome.pending);
      return;
    }
    await queueAction(jobs, prepared, {
      runId: row.id,
      requestId: row.requestId,
      requestedBy: row.requestedBy,
      requester: outcome.pending.requester,
      args: outcome.pending.args,
      confirmedBy: click.userId,
    });
  }

  /**
   * A two-person secret change is approved before its value exists, so that the value is never
   * stored while it waits: now the requester gets a button that opens the form (a form needs a
   * click of theirs to open), for as long as a confirmation lasts.
   */
  private async askForValue(row: ActionRunRow, pending: PendingConfirmation): Promise<void> {
    const { notifier, jobs } = this.options;
    await notifier.send(
      privateReply(
        pending.requester,
        `${confirmationKey(row.id)}.value`,
        renderValueRequest({
          action: row.action,
          args: pending.args,
          approvedBy: row.confirmedBy ?? '',
          button: { actionId: SECRET_VALUE_ACTION_ID, value: row.id },
        }),
      ),
      { requester: pending.requester },
    );
    await jobs.enqueue(
      'confirm.expire',
      { runId: row.id, awaitingValue: true },
      { jobId: jobId('expire', row.id, 'value'), delayMs: CONFIRMATION_TTL_MS + 1_000 },
    );
  }

  /**
   * The form for an approved secret change, for its requester only: what it will set, and where the
   * submission goes (the run, nothing else). A message when it cannot be opened.
   */
  async valueForm(
    click: ButtonClick,
  ): Promise<{ secret: string; key: string; restart: boolean } | undefined> {
    const found = await this.find(click);
    const waiting = found?.row.status === 'queued' && found.pending && !found.row.startedAt;
    if (!found || !waiting || !found.pending) {
      await this.tell(click, 'That change is no longer waiting for its value; ask for it again.');
      return undefined;
    }
    if (click.userId !== found.row.requestedBy) {
      await this.tell(click, `Only <@${found.row.requestedBy}>, who asked for it, enters the value.`);
      return undefined;
    }
    const { params } = found.pending;
    return { secret: String(params.secret), key: String(params.key), restart: params.restart === true };
  }

  /** The value of an approved secret change, submitted: the run is queued with it. Returns an error for the form, or nothing. */
  async submitValue(submission: {
    runId: string;
    userId: string;
    value: string;
    restart: boolean;
  }): Promise<string | undefined> {
    const { runs, runner, jobs } = this.options;
    const found = await runs.pendingConfirmation(submission.runId);
    const pending = found?.pending;
    if (!found || !pending || found.row.status !== 'queued' || found.row.startedAt) {
      return 'This change is no longer waiting for its value (it expired or was cancelled); ask for it again.';
    }
    if (found.row.requestedBy !== submission.userId) return 'This form is not yours.';
    let prepared: PreparedAction;
    try {
      prepared = runner.prepare(found.row.action, {
        ...pending.params,
        value: submission.value,
        restart: submission.restart,
      });
    } catch (error) {
      return error instanceof FleetbotError ? error.message : 'The value was not accepted.';
    }
    await queueAction(jobs, prepared, {
      runId: found.row.id,
      requestId: found.row.requestId,
      requestedBy: found.row.requestedBy,
      requester: pending.requester,
      args: pending.args,
      ...(found.row.confirmedBy ? { confirmedBy: found.row.confirmedBy } : {}),
    });
    return undefined;
  }

  /** An approved secret change whose value never came: cancelled, and the requester told. */
  async expireValue(runId: string): Promise<void> {
    const { runs, notifier } = this.options;
    const found = await runs.pendingConfirmation(runId);
    if (!found?.pending) return;
    if (!(await runs.abandon(runId, 'approved, but no value was entered in time'))) return;
    await notifier.send(
      privateReply(
        found.pending.requester,
        `${confirmationKey(runId)}.value-expired`,
        renderError({
          message: `The approved \`/fleet ${found.row.action}\` expired: no value was entered within 5 minutes. Nothing was changed.`,
          hint: 'Ask for it again when you have the value.',
        }),
      ),
    );
  }

  async cancel(click: ButtonClick): Promise<void> {
    const { runs } = this.options;
    const found = await this.find(click);
    if (!found) return;
    const { row, pending } = found;
    if (click.userId !== row.requestedBy) {
      if (!this.twoPerson(row.action, pending)) {
        return this.tell(click, `Only <@${row.requestedBy}>, who asked for it, can cancel this.`);
      }
      // Someone else may cancel a two-person action only if they could have confirmed it.
      if (pending && (await this.refused(click, row.action, pending, 'cancel'))) return;
    }
    if (await runs.cancel(click.runId, click.userId)) await this.close(row, pending, 'cancelled', click);
  }

  /**
   * Confirmed runs whose job never came (the process died between the confirmation and the
   * enqueue) are queued again; the run's own start guard keeps any of them from running twice. A
   * secret change is left alone: its value was never stored, its expiry closes it. Returns how many.
   */
  async requeueStranded(): Promise<number> {
    const { runs, jobs, clock } = this.options;
    const stranded = await runs.stranded(new Date(clock.now().getTime() - STRANDED_AFTER_MS), 100);
    let requeued = 0;
    for (const { row, pending } of stranded) {
      const prepared = this.prepared(row, pending);
      if ((prepared.action.syntax.secret ?? []).length > 0) continue;
      await queueAction(jobs, prepared, {
        runId: row.id,
        requestId: row.requestId,
        jobSuffix: 'requeued',
        requestedBy: row.requestedBy,
        requester: pending.requester,
        args: pending.args,
        ...(row.confirmedBy ? { confirmedBy: row.confirmedBy } : {}),
      });
      requeued++;
    }
    return requeued;
  }

  /** A confirmation nobody answered: the run is cancelled, its pending parameters dropped, the buttons replaced. */
  async expire(runId: string): Promise<void> {
    const { runs, clock } = this.options;
    const found = await runs.pendingConfirmation(runId);
    if (!found?.pending || !(await runs.expire(runId, clock.now()))) return;
    await this.close(found.row, found.pending, 'expired');
  }

  /** Whether the presser lacks the permission the run needs; if so they are told, with the roles that have it. */
  private async refused(
    click: ButtonClick,
    action: string,
    pending: PendingConfirmation,
    doing: 'confirm' | 'cancel',
  ): Promise<boolean> {
    const decision = await this.options.authorizer.check(click.userId, pending.classification.permission);
    if (decision.allowed) return false;
    await this.reply(
      click,
      'denied',
      renderDenied({ action, needed: decision.permission, roles: decision.granting, doing }),
    );
    return true;
  }

  /** The run a button names; a value that is not a run id (a forged or mangled payload) names none. */
  private async find(click: ButtonClick) {
    return UUID.test(click.runId) ? this.options.runs.pendingConfirmation(click.runId) : undefined;
  }

  private prepared(row: ActionRunRow, pending: PendingConfirmation): PreparedAction {
    return this.options.runner.resume({
      action: row.action,
      params: pending.params,
      classification: pending.classification,
    });
  }

  /**
   * Replaces the confirmation with its outcome: the message in the channel is edited in place; a
   * private one is replaced through the response_url it was shown with (the click's, or the request's).
   */
  private async close(
    row: ActionRunRow,
    pending: PendingConfirmation | undefined,
    outcome: 'confirmed' | 'cancelled' | 'expired',
    click?: ButtonClick,
  ): Promise<void> {
    const preview: Preview = { question: `/fleet ${row.action}`, details: [], warnings: [], verb: '' };
    const content = renderConfirmationClosed({
      preview,
      outcome,
      ...(click && outcome !== 'expired' ? { by: click.userId } : {}),
      at: this.options.clock.now(),
    });
    const key = confirmationKey(row.id);
    if (this.twoPerson(row.action, pending)) {
      await this.options.notifier.update(key, content);
      return;
    }
    const responseUrl = click?.responseUrl ?? pending?.requester.responseUrl;
    if (!responseUrl) return;
    await this.options.notifier.send({
      kind: 'respond',
      key: `${key}.closed`,
      responseUrl,
      content,
      replaceOriginal: true,
      visibility: 'ephemeral',
    });
  }

  private async tell(click: ButtonClick, text: string): Promise<void> {
    await this.reply(click, 'told', renderError({ message: text }));
  }

  private async reply(click: ButtonClick, what: string, content: MessageContent): Promise<void> {
    const to: Requester = {
      channel: click.channelId,
      user: click.userId,
      ...(click.responseUrl ? { responseUrl: click.responseUrl } : {}),
    };
    await this.options.notifier.send(
      privateReply(to, `${confirmationKey(click.runId)}.${what}.${click.userId}.${click.actionTs}`, content),
    );
  }

  /** `permissions.twoPerson` lists the action, or its classification demands it (`db restore`). */
  private twoPerson(action: string, pending: PendingConfirmation | undefined): boolean {
    return (
      pending?.classification.twoPerson === true || this.options.config.permissions.twoPerson.includes(action)
    );
  }

  /** `Team Lead or DevOps Lead`: the roles whose holders may confirm. */
  private rolesGranting(pending: PendingConfirmation): string {
    const { config } = this.options;
    const ids = config.permissions[pending.classification.permission];
    return ids.includes('*') ? 'any' : ids.map((id) => config.roles[id]?.name ?? id).join(' or ');
  }
}

/** The confirmation message of a run. */
function confirmationKey(runId: string): string {
  return `confirm.${runId}`;
}
