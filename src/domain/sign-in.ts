/**
 * Sign in with Slack (OpenID Connect, authorization code flow): the port the console's sessions use,
 * implemented over openid-client in `adapters/slack-oidc.ts`.
 */

/**
 * The values one sign-in is bound to: made fresh for each redirect to the issuer, kept by the browser
 * (in the signed login cookie) and checked when it comes back. `state` ties the callback to this
 * browser, `nonce` the id_token to this request, and the PKCE `codeVerifier` the code to this client.
 */
export interface SignInChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** Who signed in, from the issuer's id_token (Slack's claims). */
export interface SlackIdentity {
  /** `https://slack.com/user_id`: the Slack user id (`U…`). */
  userId: string;
  /** `https://slack.com/team_id`: the workspace they signed in to (`T…`). */
  teamId: string;
  /** `name`: display name; the user id when the token has none. */
  name: string;
  email?: string;
}

export interface IdentityProvider {
  /** Where to send the browser: the issuer's authorization endpoint asking for `openid profile email`. */
  authorizationUrl(checks: SignInChecks): Promise<URL>;
  /**
   * Completes a sign-in from the URL the issuer sent the browser back to: checks `state`, exchanges
   * the code (with the PKCE verifier), validates the id_token (issuer, audience, expiry, nonce).
   * @throws SignInError
   */
  complete(callbackUrl: URL, checks: SignInChecks): Promise<SlackIdentity>;
}

/**
 * Why a sign-in did not complete:
 * - `cancelled`: the person declined at the issuer (`access_denied`);
 * - `invalid`: the callback or tokens did not check out (stale or replayed link, wrong state,
 *   a code already used, an id_token without Slack's claims): starting again fixes it;
 * - `unavailable`: the issuer could not be reached or answered with an error of its own.
 */
export type SignInErrorCode = 'cancelled' | 'invalid' | 'unavailable';

export class SignInError extends Error {
  override readonly name = 'SignInError';
  readonly code: SignInErrorCode;

  constructor(code: SignInErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
  }
}
