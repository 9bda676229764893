import { FleetbotError } from '../domain/errors.ts';

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

/** A FleetbotError('slack') that says what to fix, from a @slack/web-api error. */
export function toSlackError(error: unknown, method: string, channel?: string): FleetbotError {
  const data = (error as { data?: { error?: string; needed?: string } }).data;
  const code = data?.error;
  const fix = code
    ? FIXES[code]?.({ ...(channel ? { channel } : {}), ...(data?.needed ? { needed: data.needed } : {}) })
    : undefined;
  if (fix) return new FleetbotError('slack', `${method}: ${fix.message}`, { hint: fix.hint, cause: error });
  return new FleetbotError('slack', `${method} failed: ${code ?? (error as Error).message}`, {
    cause: error,
  });
}
