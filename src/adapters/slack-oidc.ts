import * as oidc from 'openid-client';
import * as z from 'zod';
import {
  type IdentityProvider,
  type SignInChecks,
  SignInError,
  type SlackIdentity,
} from '../domain/sign-in.ts';
import { loadOnce } from './load-once.ts';

export interface SlackOidcOptions {
  /** `CONSOLE_OIDC_ISSUER`: Slack's `https://slack.com`, or a local issuer in tests. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** `${CONSOLE_URL}/console/auth/callback`, as registered with the Slack app. */
  redirectUri: string;
  /** Per request to the issuer (discovery, token, keys). @defaultValue 10 s */
  timeoutSeconds?: number;
}

const SCOPES = 'openid profile email';

/** Slack's id_token: its own claims for who and which workspace, the standard ones for name and email. */
const slackClaims = z.object({
  'https://slack.com/user_id': z.string().min(1),
  'https://slack.com/team_id': z.string().min(1),
  name: z.string().optional(),
  email: z.string().optional(),
});

/**
 * Sign in with Slack over openid-client: discovery from `${issuer}/.well-known/openid-configuration`
 * on the first sign-in (so fleetbot starts while Slack is unreachable, and a failed discovery is
 * tried again by the next sign-in), the authorization code flow with PKCE, state and nonce, the
 * client secret sent in the token request's body as Slack expects. The id_token's signature is
 * checked against the issuer's keys too, beyond what TLS already proves.
 */
export class SlackOidc implements IdentityProvider {
  private readonly options: SlackOidcOptions;
  private readonly configuration: () => Promise<oidc.Configuration>;

  constructor(options: SlackOidcOptions) {
    this.options = options;
    this.configuration = loadOnce(() => this.discover());
  }

  async authorizationUrl(checks: SignInChecks): Promise<URL> {
    const configuration = await this.configuration();
    return oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: this.options.redirectUri,
      scope: SCOPES,
      state: checks.state,
      nonce: checks.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
    });
  }

  async complete(callbackUrl: URL, checks: SignInChecks): Promise<SlackIdentity> {
    const configuration = await this.configuration();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(configuration, callbackUrl, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      throw signInError(error);
    }
    const claims = slackClaims.safeParse(tokens.claims());
    if (!claims.success) {
      throw new SignInError(
        'invalid',
        `the issuer's id_token has no Slack user and team (https://slack.com/user_id, https://slack.com/team_id)`,
      );
    }
    const { name, email } = claims.data;
    const userId = claims.data['https://slack.com/user_id'];
    return {
      userId,
      teamId: claims.data['https://slack.com/team_id'],
      name: name?.trim() || userId,
      ...(email ? { email } : {}),
    };
  }

  private async discover(): Promise<oidc.Configuration> {
    const issuer = new URL(this.options.issuer);
    // Plain http only for an issuer on this machine (the config refuses any other): a local issuer in tests.
    const insecure = issuer.protocol === 'http:' && isLoopback(issuer.hostname);
    try {
      return await oidc.discovery(
        issuer,
        this.options.clientId,
        { client_secret: this.options.clientSecret, redirect_uris: [this.options.redirectUri] },
        oidc.ClientSecretPost(this.options.clientSecret),
        {
          timeout: this.options.timeoutSeconds ?? 10,
          execute: [oidc.enableNonRepudiationChecks, ...(insecure ? [oidc.allowInsecureRequests] : [])],
        },
      );
    } catch (error) {
      throw new SignInError(
        'unavailable',
        `could not read the sign-in issuer's configuration from ${issuer.origin}/.well-known/openid-configuration (${describe(error)})`,
        { cause: error },
      );
    }
  }
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

/** Codes of openid-client errors that mean the issuer did not answer properly, not that the sign-in was wrong. */
const UNAVAILABLE_CODES = new Set([
  'OAUTH_TIMEOUT',
  'OAUTH_ABORT',
  'OAUTH_RESPONSE_IS_NOT_CONFORM',
  'OAUTH_RESPONSE_IS_NOT_JSON',
]);

/** One table from openid-client's errors to ours; messages name error codes, never tokens or secrets. */
function signInError(error: unknown): SignInError {
  if (error instanceof oidc.AuthorizationResponseError) {
    return error.error === 'access_denied'
      ? new SignInError('cancelled', 'sign-in was cancelled at the issuer', { cause: error })
      : new SignInError('invalid', `the issuer refused the sign-in (${error.error})`, { cause: error });
  }
  if (error instanceof oidc.ResponseBodyError) {
    return error.status >= 500
      ? new SignInError('unavailable', `the issuer's token endpoint failed (HTTP ${error.status})`, {
          cause: error,
        })
      : new SignInError('invalid', `the issuer refused the code (${error.error})`, { cause: error });
  }
  if (error instanceof TypeError) {
    return new SignInError('unavailable', `the issuer could not be reached (${error.message})`, {
      cause: error,
    });
  }
  if (error instanceof oidc.ClientError && error.code && UNAVAILABLE_CODES.has(error.code)) {
    return new SignInError('unavailable', `the issuer did not answer properly (${error.message})`, {
      cause: error,
    });
  }
  return new SignInError('invalid', `the sign-in response did not check out (${describe(error)})`, {
    cause: error,
  });
}

function describe(error: unknown): string {
  if (error instanceof oidc.ClientError && error.code) return `${error.message}, ${error.code}`;
  return error instanceof Error ? error.message : String(error);
}
