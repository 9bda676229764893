import { SlackCallError } from '../domain/slack-api.ts';

/** Slack Web API error strings → what to fix. One table, used for every call. */
const FIXES: Record<
  string,
  (context: { channel?: string; needed?: string }) => { message: string; hint: string }
> = {
  channel_not_found: ({ channel }) => ({
    message: `Slack says channel ${channel ?? ''} does not exist or fleetbot cannot see it.`,
    hint: 'Check the channel id (channels.alerts in fleetbot.yml) and invite @fleetbot to private channels.',
  }),
  not_in_channel: ({ channel }) => ({
    message: `fleetbot is not a member of ${channel ? `<#${channel}>` : 'that channel'}.`,
    hint: 'Invite it with `/invite @fleetbot` in the channel.',
  }),
  is_archived: ({ channel }) => ({
    message: `Channel ${channel ?? ''} is archived.`,
    hint: 'Unarchive it or point fleetbot at another channel.',
  }),
  missing_scope: ({ needed }) => ({
    message: `The Slack app lacks the scope ${needed ? `\`${needed}\`` : 'this call needs'}.`,
    hint: 'Add it under oauth_config.scopes.bot in manifest.yml, update the app and reinstall it to the workspace.',
  }),
  not_authed: () => ({
    message: 'Slack rejected the call: no token.',
    hint: 'Set SLACK_BOT_TOKEN (xoxb-…).',
  }),
  invalid_auth: () => ({
    message: 'Slack rejected SLACK_BOT_TOKEN.',
    hint: 'Copy the Bot User OAuth Token of the installed app into SLACK_BOT_TOKEN.',
  }),
  token_revoked: () => ({
    message: 'The Slack token was revoked.',
    hint: 'Reinstall the app and update SLACK_BOT_TOKEN.',
  }),
  msg_too_long: () => ({
    message: 'The message was too long for Slack.',
    hint: 'This is a fleetbot bug: results must fit.',
  }),
  invalid_blocks: () => ({
    message: 'Slack rejected the message layout.',
    hint: 'This is a fleetbot bug in a Block Kit builder.',
  }),
};

/**
 * Slack's own errors that say "try again": its servers failed or were busy. Every other error string
 * (`channel_not_found`, `not_in_channel`, `is_archived`, `invalid_blocks`, `msg_too_long`, …) is a
 * refusal that repeating the call cannot change.
 */
const RETRYABLE = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'ratelimited',
  'rate_limited',
]);

/**
 * One failed Slack call (Web API or response_url) as a SlackCallError: what went wrong in words
 * that say what to fix, and whether trying again can help.
 */
export function toSlackCallError(error: unknown, method: string, channel?: string): SlackCallError {
  const coded = error as {
    code?: string;
    data?: { error?: string; needed?: string };
    statusCode?: number;
    retryAfter?: number;
    original?: Error;
  };
  switch (coded.code) {
    case 'slack_webapi_rate_limited_error':
      return new SlackCallError(`${method}: Slack asked to wait ${coded.retryAfter ?? 1} s (rate limited).`, {
        reason: 'ratelimited',
        retryable: true,
        retryAfterMs: (coded.retryAfter ?? 1) * 1000,
        cause: error,
      });
    case 'slack_webapi_http_error':
      return httpError(method, coded.statusCode ?? 0, error);
    case 'slack_webapi_request_error': {
      const timedOut = /timeout|aborted/i.test(`${coded.original?.name} ${coded.original?.message}`);
      return new SlackCallError(
        `${method}: ${timedOut ? 'Slack did not answer in time' : `could not reach Slack (${coded.original?.message ?? 'network error'})`}.`,
        { reason: timedOut ? 'timeout' : 'network', retryable: true, cause: error },
      );
    }
    case 'slack_webapi_platform_error': {
      const reason = coded.data?.error ?? 'unknown_error';
      const fix = FIXES[reason]?.({
        ...(channel ? { channel } : {}),
        ...(coded.data?.needed ? { needed: coded.data.needed } : {}),
      });
      return new SlackCallError(fix ? `${method}: ${fix.message}` : `${method} failed: ${reason}`, {
        reason,
        retryable: RETRYABLE.has(reason),
        ...(fix ? { hint: fix.hint } : {}),
        cause: error,
      });
    }
    default:
      return new SlackCallError(`${method} failed: ${(error as Error)?.message ?? String(error)}`, {
        reason: 'unexpected',
        retryable: true,
        cause: error,
      });
  }
}

/** An HTTP answer other than 200: Slack (or what stands before it) failing, or a request it cannot take. */
export function httpError(method: string, status: number, cause?: unknown): SlackCallError {
  const retryable = status >= 500 || status === 408 || status === 429;
  return new SlackCallError(`${method}: Slack answered HTTP ${status}${retryable ? ' (unavailable)' : ''}.`, {
    reason: `http_${status}`,
    retryable,
    status,
    ...(cause ? { cause } : {}),
  });
}
