import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import type { Clock } from '../domain/clock.ts';
import type { Viewer } from '../domain/console.ts';
import type { Permission } from '../domain/permissions.ts';
import {
  type IdentityProvider,
  type SignInChecks,
  SignInError,
  type SignInErrorCode,
} from '../domain/sign-in.ts';
import { signValue, verifyValue } from '../lib/signed-cookie.ts';

export interface ConsoleSessionsOptions {
  provider: IdentityProvider;
  /** `CONSOLE_SESSION_SECRET`: signs the login and session values; a new one ends every session. */
  secret: string;
  /** How long a session lasts (`console.sessionTtl`), in ms. */
  ttlMs: number;
  /** The team id whose members may sign in: `console.workspace`, or the bot token's (read once from Slack). */
  workspace: () => Promise<string>;
  /** What a person's roles allow now (the Authorizer): asked on every request, never stored in the session. */
  permissions: { permissionsOf(userId: string): Promise<Permission[]> };
  clock: Clock;
}

/** A signed value for a cookie, and how long the browser should keep it. */
export interface CookieValue {
  value: string;
  maxAgeMs: number;
}

export type SignInOutcome =
  | { kind: 'signed-in'; session: CookieValue; returnTo: string; userId: string; teamId: string }
  /** Signed in to Slack, but to another workspace than the one fleetbot serves: no session. */
  | { kind: 'not-a-member'; userId: string; teamId: string; workspace: string }
  | { kind: 'failed'; code: SignInErrorCode; reason: string };

/** A sign-in not completed within this long starts over (the issuer's own login page included). */
export const LOGIN_TTL_MS = 10 * 60_000;
/** Where a person lands when the page they asked for is unknown or unsafe. */
export const CONSOLE_HOME = '/console/';

const PURPOSE = { login: 'fleetbot-console-login', session: 'fleetbot-console-session' } as const;

const loginPayload = z.object({
  state: z.string().min(1),
  nonce: z.string().min(1),
  codeVerifier: z.string().min(43),
  returnTo: z.string(),
});

const sessionPayload = z.object({
  userId: z.string().min(1),
  teamId: z.string().min(1),
  name: z.string(),
  issuedAt: z.number(),
});

/**
 * The console's sign-in and sessions, with nothing stored on the server: the browser keeps two
 * signed cookies. The login value (10 minutes) carries one sign-in's state, nonce, PKCE verifier and
 * the page asked for; the session value carries who signed in (user, team, name, issued at, expiry)
 * and nothing of what they may do: permissions are read from their roles on every request, so a
 * role taken away counts at once. Signing out deletes the cookie; a new `CONSOLE_SESSION_SECRET`
 * ends every session.
 */
export class ConsoleSessions {
  private readonly options: ConsoleSessionsOptions;

  constructor(options: ConsoleSessionsOptions) {
    this.options = options;
  }

  /** Starts a sign-in for someone who asked for `returnTo`: where to send them, and the login value to keep. */
  async begin(returnTo: string): Promise<{ location: URL; login: CookieValue }> {
    const checks: SignInChecks = { state: random(), nonce: random(), codeVerifier: random() };
    const location = await this.options.provider.authorizationUrl(checks);
    const value = signValue(
      { ...checks, returnTo: consoleReturnTo(returnTo) },
      { secret: this.options.secret, purpose: PURPOSE.login, expiresAt: this.after(LOGIN_TTL_MS) },
    );
    return { location, login: { value, maxAgeMs: LOGIN_TTL_MS } };
  }

  /**
   * Completes a sign-in from the issuer's callback and the browser's login value: a session for a
   * member of the workspace, a refusal for anyone else. Failures of the flow itself (no or expired
   * login value, a state that does not match, a code the issuer refuses) are outcomes, not throws.
   */
  async complete(callbackUrl: URL, loginValue: string | undefined): Promise<SignInOutcome> {
    const login = loginPayload.safeParse(
      loginValue === undefined ? undefined : this.verify(loginValue, PURPOSE.login),
    );
    if (!login.success) {
      return {
        kind: 'failed',
        code: 'invalid',
        reason: 'this sign-in expired or was started in another browser',
      };
    }
    const { returnTo, ...checks } = login.data;
    let identity: Awaited<ReturnType<IdentityProvider['complete']>>;
    try {
      identity = await this.options.provider.complete(callbackUrl, checks);
    } catch (error) {
      if (error instanceof SignInError) return { kind: 'failed', code: error.code, reason: error.message };
      throw error;
    }
    const workspace = await this.options.workspace();
    if (identity.teamId !== workspace) {
      return { kind: 'not-a-member', userId: identity.userId, teamId: identity.teamId, workspace };
    }
    const now = this.options.clock.now();
    const value = signValue(
      { userId: identity.userId, teamId: identity.teamId, name: identity.name, issuedAt: now.getTime() },
      { secret: this.options.secret, purpose: PURPOSE.session, expiresAt: this.after(this.options.ttlMs) },
    );
    return {
      kind: 'signed-in',
      session: { value, maxAgeMs: this.options.ttlMs },
      returnTo: consoleReturnTo(returnTo),
      userId: identity.userId,
      teamId: identity.teamId,
    };
  }

  /**
   * Who a session value belongs to, with what their roles allow now; undefined when there is no
   * valid session (none, tampered, expired, signed with another secret, another workspace).
   */
  async viewer(sessionValue: string | undefined): Promise<Viewer | undefined> {
    if (sessionValue === undefined) return undefined;
    const session = sessionPayload.safeParse(this.verify(sessionValue, PURPOSE.session));
    if (!session.success) return undefined;
    const { userId, teamId, name } = session.data;
    if (teamId !== (await this.options.workspace())) return undefined;
    return { userId, teamId, name, permissions: await this.options.permissions.permissionsOf(userId) };
  }

  private verify(value: string, purpose: string): Record<string, unknown> | undefined {
    return verifyValue(value, { secret: this.options.secret, purpose, now: this.options.clock.now() });
  }

  private after(ms: number): Date {
    return new Date(this.options.clock.now().getTime() + ms);
  }
}

/** 256 random bits, URL-safe: state, nonce and the PKCE verifier (43 characters, as RFC 7636 asks). */
function random(): string {
  return randomBytes(32).toString('base64url');
}

const ORIGIN = 'http://fleetbot.invalid';
/** Console paths that must not be returned to after signing in: they would start over. */
const NOT_RETURNED_TO = new Set(['/console/auth/callback', '/console/sign-out']);

/**
 * Where to send someone after they signed in: the console page they asked for, as a path on this
 * origin (`/console/incidents?status=open`), never an absolute or protocol-relative URL (`//evil`,
 * `/\evil`); anything else is the overview.
 */
export function consoleReturnTo(candidate: string | undefined): string {
  if (!candidate || candidate.length > 2048 || !candidate.startsWith('/console')) return CONSOLE_HOME;
  // Browsers read a backslash as a slash and drop tabs and newlines: refuse rather than guess.
  if ([...candidate].some((character) => character === '\\' || character < ' ' || character === '\x7f')) {
    return CONSOLE_HOME;
  }
  let url: URL;
  try {
    url = new URL(candidate, ORIGIN);
  } catch {
    return CONSOLE_HOME;
  }
  const inConsole = url.pathname === '/console' || url.pathname.startsWith('/console/');
  if (url.origin !== ORIGIN || !inConsole || NOT_RETURNED_TO.has(url.pathname)) return CONSOLE_HOME;
  return `${url.pathname === '/console' ? CONSOLE_HOME : url.pathname}${url.search}`;
}
