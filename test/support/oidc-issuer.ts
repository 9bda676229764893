import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Adapter, type AdapterPayload, type Configuration } from 'oidc-provider';
import { escapeHtml } from '../../src/web/html.ts';

/** A person the issuer knows, as Slack would describe them. */
export interface IssuerUser {
  /** Slack team id of the workspace they sign in to (`T…`). */
  teamId: string;
  name: string;
  email?: string;
}

export interface OidcIssuerOptions {
  /** The one registered client: fleetbot's SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and its callback URL. */
  client: { id: string; secret: string; redirectUri: string };
  /** Slack user id → who they are. Anyone else is refused at the login page. */
  users: Readonly<Record<string, IssuerUser>>;
}

export interface OidcIssuer {
  /** The issuer identifier, `http://127.0.0.1:PORT` (no trailing slash): CONSOLE_OIDC_ISSUER. */
  url: string;
  /** Every authorization request the issuer received, as its query (scope, state, nonce, PKCE…). */
  authorizations: URLSearchParams[];
  close(): Promise<void>;
}

/** The login form's field: the Slack user id to sign in as. */
export const LOGIN_FIELD = 'login';

/**
 * A local OpenID Connect issuer playing Slack (oidc-provider): discovery at
 * `/.well-known/openid-configuration`, the authorization code flow with PKCE, RS256 id_tokens carrying
 * Slack's claims (`https://slack.com/user_id`, `https://slack.com/team_id`, `name`, `email`) as
 * Slack puts them in the id_token itself. Its login page is a small form with one field, `login`
 * (a Slack user id), that a browser fills in and a `fetch` test posts; consent is given at once, as
 * Slack does for an app already installed. Quiet: no warnings from oidc-provider on the console.
 */
export async function startOidcIssuer(options: OidcIssuerOptions): Promise<OidcIssuer> {
  const authorizations: URLSearchParams[] = [];
  let provider: Provider | undefined;
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (!provider) {
      response.writeHead(503).end();
      return;
    }
    if (path === '/auth')
      authorizations.push(new URL(request.url ?? '/', 'http://issuer.invalid').searchParams);
    const interaction = /^\/interaction\/([^/]+)(?:\/(login|cancel))?$/.exec(path);
    if (interaction) {
      const step = (interaction[2] ?? 'form') as 'form' | 'login' | 'cancel';
      void handleInteraction(provider, options, request, response, step).catch((error: unknown) => {
        response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
      });
      return;
    }
    void provider.callback()(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider = new Provider(url, configuration(options));
  // Errors are answered to the client (the tests read them there); oidc-provider's Koa logs nothing.
  (provider as unknown as { silent: boolean }).silent = true;
  return {
    url,
    authorizations,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function configuration(options: OidcIssuerOptions): Configuration {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'fake-slack', alg: 'RS256', use: 'sig' };
  return {
    clients: [
      {
        client_id: options.client.id,
        client_secret: options.client.secret,
        redirect_uris: [options.client.redirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        // Slack's openid.connect.token takes the secret in the body.
        token_endpoint_auth_method: 'client_secret_post',
        id_token_signed_response_alg: 'RS256',
      },
    ],
    jwks: { keys: [jwk as never] },
    adapter: memoryAdapter(),
    cookies: {
      keys: [randomBytes(32).toString('hex')],
      names: { session: 'issuer_session', interaction: 'issuer_interaction', resume: 'issuer_resume' },
    },
    claims: {
      openid: ['sub', 'https://slack.com/user_id', 'https://slack.com/team_id'],
      profile: ['name'],
      email: ['email', 'email_verified'],
    },
    // Slack puts the person's claims in the id_token of the code flow, not only behind userinfo.
    conformIdTokenClaims: false,
    scopes: ['openid', 'profile', 'email'],
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
    async findAccount(_ctx, sub) {
      const user = options.users[sub];
      if (!user) return undefined;
      return {
        accountId: sub,
        async claims() {
          return {
            sub,
            'https://slack.com/user_id': sub,
            'https://slack.com/team_id': user.teamId,
            name: user.name,
            email: user.email ?? `${sub.toLowerCase()}@example.test`,
            email_verified: true,
          };
        },
      };
    },
    async renderError(ctx, out) {
      ctx.type = 'text/plain';
      ctx.body = `issuer error: ${JSON.stringify(out)}`;
    },
  };
}

/**
 * GET `/interaction/:uid`: the login form. POST `/interaction/:uid/login` (`login=U…`): signs that
 * person in and grants fleetbot's scopes, then sends the browser on to the client's callback.
 * POST `/interaction/:uid/cancel`: the person declines; the client gets `error=access_denied`.
 */
async function handleInteraction(
  provider: Provider,
  options: OidcIssuerOptions,
  request: IncomingMessage,
  response: ServerResponse,
  step: 'form' | 'login' | 'cancel',
): Promise<void> {
  const details = await provider.interactionDetails(request, response);
  if (step === 'form') {
    loginForm(response, details.uid);
    return;
  }
  if (step === 'cancel') {
    request.resume();
    await provider.interactionFinished(
      request,
      response,
      { error: 'access_denied', error_description: 'The person declined to sign in.' },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  const form = new URLSearchParams(await readBody(request));
  const login = form.get(LOGIN_FIELD)?.trim() ?? '';
  if (!Object.hasOwn(options.users, login)) {
    loginForm(response, details.uid, `No Slack user ${login || '(empty)'} here.`);
    return;
  }
  const clientId = String(details.params.client_id);
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: login, clientId });
  if (!grant) throw new Error(`grant ${details.grantId} not found`);
  grant.addOIDCScope(String(details.params.scope ?? 'openid'));
  const grantId = await grant.save();
  await provider.interactionFinished(
    request,
    response,
    { login: { accountId: login }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
}

function loginForm(response: ServerResponse, uid: string, problem?: string): void {
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in to Slack (test issuer)</title></head>
<body><main><h1>Sign in to Slack</h1>
${problem ? `<p role="alert">${escapeHtml(problem)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label for="${LOGIN_FIELD}">Slack user id</label>
<input id="${LOGIN_FIELD}" name="${LOGIN_FIELD}" autocomplete="username" required>
<button type="submit">Sign in</button>
<button type="submit" formaction="/interaction/${escapeHtml(uid)}/cancel" formnovalidate>Cancel</button>
</form></main></body></html>`;
  response.writeHead(problem ? 400 : 200, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
  });
  response.end(body);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      text += chunk;
    });
    request.once('end', () => resolve(text));
    request.once('error', reject);
  });
}

/** oidc-provider's storage, in memory (its own is for quick starts and says so on the console). */
function memoryAdapter(): (name: string) => Adapter {
  const store = new Map<string, { payload: AdapterPayload; expiresAt?: number }>();
  const uids = new Map<string, string>();
  const grants = new Map<string, Set<string>>();
  return (name) => {
    const key = (id: string) => `${name}:${id}`;
    const live = (id: string) => {
      const entry = store.get(key(id));
      if (!entry) return undefined;
      if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
        store.delete(key(id));
        return undefined;
      }
      return entry.payload;
    };
    return {
      async upsert(id, payload, expiresIn) {
        store.set(key(id), {
          payload,
          ...(expiresIn ? { expiresAt: Date.now() + expiresIn * 1000 } : {}),
        });
        if (payload.uid) uids.set(payload.uid, id);
        if (payload.grantId) {
          const ids = grants.get(payload.grantId) ?? new Set<string>();
          ids.add(key(id));
          grants.set(payload.grantId, ids);
        }
      },
      async find(id) {
        return live(id);
      },
      async findByUid(uid) {
        const id = uids.get(uid);
        return id === undefined ? undefined : live(id);
      },
      async findByUserCode() {
        return undefined;
      },
      async consume(id) {
        const payload = live(id);
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) {
        store.delete(key(id));
      },
      async revokeByGrantId(grantId) {
        for (const stored of grants.get(grantId) ?? []) store.delete(stored);
        grants.delete(grantId);
      },
    };
  };
}
