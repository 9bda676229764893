/**
 * OAuth scopes: which bot scope each method needs, and what Slack answers when the token lacks it. Any one
 * scope of a method's list is enough (e.g. `channels:read` for public channels, `groups:read` for private
 * ones). Methods not listed need none (`auth.test`, `views.*`); `apps.connections.open` is guarded by the
 * app-level token instead.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const NEEDED: Record<string, readonly string[]> = {
  'chat.postMessage': ['chat:write'],
  'chat.update': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'chat.delete': ['chat:write'],
  'conversations.info': ['channels:read', 'groups:read', 'im:read', 'mpim:read'],
  'conversations.create': ['channels:manage', 'groups:write'],
  'conversations.invite': ['channels:manage', 'groups:write'],
  'pins.add': ['pins:write'],
  'users.info': ['users:read'],
  'usergroups.users.list': ['usergroups:read'],
  'usergroups.users.update': ['usergroups:write'],
  'files.getUploadURLExternal': ['files:write'],
  'files.completeUploadExternal': ['files:write'],
};

/** Every scope the fake checks: the default grant, so nothing is refused for scope unless a test asks. */
export const ALL_SCOPES: readonly string[] = [...new Set(Object.values(NEEDED).flat())].sort();

export function neededScopes(method: string): readonly string[] {
  return NEEDED[method] ?? [];
}

/** Slack's `missing_scope` fields (comma-separated), or undefined when `granted` covers the method. */
export function missingScope(
  method: string,
  granted: readonly string[],
): { needed: string; provided: string } | undefined {
  const needed = neededScopes(method);
  if (needed.length === 0 || needed.some((scope) => granted.includes(scope))) return undefined;
  return { needed: needed.join(','), provided: granted.join(',') };
}

/**
 * The bot scopes fleetbot's `manifest.yml` requests: `startFakeSlack({ scopes: manifestBotScopes() })`
 * refuses what the installed app would be refused.
 */
export function manifestBotScopes(): string[] {
  const path = new URL('../../../manifest.yml', import.meta.url);
  const manifest = parse(readFileSync(path, 'utf8')) as { oauth_config?: { scopes?: { bot?: unknown } } };
  const bot = manifest.oauth_config?.scopes?.bot;
  if (!Array.isArray(bot) || !bot.every((scope) => typeof scope === 'string')) {
    throw new Error(`fake-slack: ${path.pathname} has no oauth_config.scopes.bot list of strings`);
  }
  return bot;
}
