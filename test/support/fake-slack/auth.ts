/**
 * Token checks in Slack's order: none → `not_authed`; unknown → `invalid_auth`; the wrong kind for the
 * method → `invalid_auth` for apps.connections.open (it takes only the app-level `xapp-` token) and
 * `not_allowed_token_type` for an app-level token anywhere else. All answered with HTTP 200, as Slack does.
 */
import type { SlackArgs } from './call-log.ts';

const TOKEN_SHAPE = /^(xoxb|xoxp|xapp)-\S+$/;

/** The Bearer token, else the `token` argument (Slack still accepts it in the body). */
export function requestToken(authorization: string | undefined, args: SlackArgs): string | undefined {
  const bearer = /^Bearer\s+(\S+)/i.exec(authorization ?? '')?.[1];
  if (bearer) return bearer;
  return typeof args.token === 'string' && args.token !== '' ? args.token : undefined;
}

/** The error code for this token on this method, or undefined when it may call it. */
export function tokenError(
  method: string,
  token: string | undefined,
  accepted: ReadonlySet<string> | undefined,
): string | undefined {
  if (token === undefined) return 'not_authed';
  if (!TOKEN_SHAPE.test(token) || (accepted && !accepted.has(token))) return 'invalid_auth';
  const appToken = token.startsWith('xapp-');
  if (method === 'apps.connections.open') return appToken ? undefined : 'invalid_auth';
  return appToken ? 'not_allowed_token_type' : undefined;
}
