import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signValue } from '../../src/lib/signed-cookie.ts';
import { type Browser, launchChromium, screenshot, signInInBrowser } from '../support/browser.ts';
import { type Hop, HttpBrowser, last, openLoginForm, signInByFetch } from '../support/console-client.ts';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  type ConsoleHarness,
  OTHER_WORKSPACE,
  OUTSIDER,
  SESSION_SECRET,
  startConsoleHarness,
  WORKSPACE,
} from '../support/console-harness.ts';
import { ONCALL, VIEWER } from '../support/slack-harness.ts';

// Sign in with Slack against the real app: fleetbot as deployed (real PostgreSQL, queue, workers,
// the fake Slack for auth.test and user groups) and a real OpenID Connect issuer (oidc-provider)
// playing Slack. Requests go through fetch with a cookie jar, and once through headless Chromium.

let h: ConsoleHarness;
beforeAll(async () => {
  h = await startConsoleHarness();
});
afterAll(async () => {
  await h?.close();
});

/** What the page's window offers, for code evaluated in the browser (the DOM types are not in this project). */
interface BrowserWindow {
  getComputedStyle(element: unknown): { backgroundColor: string };
}

const SESSION = 'fleetbot_session';
const LOGIN = 'fleetbot_login';

/** The Set-Cookie line for `name` in a response, if it set one. */
function setCookie(hop: Hop, name: string): string | undefined {
  return hop.headers.getSetCookie().find((line) => line.startsWith(`${name}=`));
}

/** A session value as fleetbot signs one, with whatever secret, expiry and payload the test wants. */
function forgedSession(
  options: { secret?: string; expiresAt?: Date; userId?: string; teamId?: string } = {},
) {
  return signValue(
    {
      userId: options.userId ?? VIEWER,
      teamId: options.teamId ?? WORKSPACE,
      name: 'Vic Viewer',
      issuedAt: Date.now(),
    },
    {
      secret: options.secret ?? SESSION_SECRET,
      purpose: 'fleetbot-console-session',
      expiresAt: options.expiresAt ?? new Date(Date.now() + 3600_000),
    },
  );
}

/** GET `path` of the console with only `session` as the session cookie, redirects not followed. */
async function withSession(session: string, path = '/console/'): Promise<Hop> {
  const browser = new HttpBrowser();
  browser.jar.set(h.origin, SESSION, session, '/console');
  return last(await browser.get(`${h.origin}${path}`, { follow: false }));
}

function expectSentToSignIn(hop: Hop): URL {
  expect(hop.status).toBe(302);
  const location = new URL(hop.headers.get('location') ?? '');
  expect(`${location.origin}${location.pathname}`).toBe(`${h.issuer.url}/auth`);
  return location;
}

describe('an unauthenticated request', () => {
  it('is sent to the issuer’s authorization endpoint with PKCE, state and nonce, and a login cookie', async () => {
    const hop = last(await new HttpBrowser().get(`${h.origin}/console/`, { follow: false }));
    const location = expectSentToSignIn(hop);
    const query = location.searchParams;
    expect(query.get('client_id')).toBe(CLIENT_ID);
    expect(query.get('response_type')).toBe('code');
    expect(query.get('redirect_uri')).toBe(`${h.origin}/console/auth/callback`);
    expect(query.get('scope')).toBe('openid profile email');
    expect(query.get('code_challenge_method')).toBe('S256');
    expect(query.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(query.get('state')).toMatch(/^[\w-]{43}$/);
    expect(query.get('nonce')).toMatch(/^[\w-]{43}$/);
    const login = setCookie(hop, LOGIN) ?? '';
    expect(login).toMatch(/; Path=\/console; HttpOnly; SameSite=Lax; Max-Age=600$/);
    // CONSOLE_URL is http here: the cookie cannot be Secure, or the browser would not send it back.
    expect(login).not.toContain('Secure');
    // The login cookie holds the PKCE verifier: the issuer only ever sees its challenge.
    expect(hop.headers.get('location')).not.toContain(login.split(';')[0]?.split('=')[1]?.split('.')[0]);
  });

  it('is sent to sign in on any console path, which it comes back to afterwards', async () => {
    const hop = last(
      await new HttpBrowser().get(`${h.origin}/console/incidents/42?tab=timeline`, { follow: false }),
    );
    expectSentToSignIn(hop);
    const { hops } = await signInByFetch(h.origin, VIEWER, '/console/incidents/42?tab=timeline');
    expect(last(hops).url).toBe(`${h.origin}/console/incidents/42?tab=timeline`);
  });
});

describe('signing in with the code flow', () => {
  it('ends signed in on the overview, with an HTTP-only session cookie for 12 hours', async () => {
    const { browser, hops } = await signInByFetch(h.origin, VIEWER);
    const callback = hops.find((hop) => hop.url.startsWith(`${h.origin}/console/auth/callback?`));
    expect(callback?.status).toBe(302);
    expect(callback?.headers.get('location')).toBe('/console/');
    expect(setCookie(callback as Hop, SESSION)).toMatch(
      /^fleetbot_session=[\w-]+\.[\w-]+; Path=\/console; HttpOnly; SameSite=Lax; Max-Age=43200$/,
    );
    // The login cookie has done its work.
    expect(setCookie(callback as Hop, LOGIN)).toMatch(/^fleetbot_login=; .*Max-Age=0/);
    const overview = last(hops);
    expect(overview.status).toBe(200);
    expect(overview.body).toContain('<h1>Overview</h1>');
    expect(overview.body).toContain('Signed in as Vic Viewer');
    // The session is good for later requests too.
    const again = last(await browser.get(`${h.origin}/console/`));
    expect(again.status).toBe(200);
    expect(again.body).toContain('Signed in as Vic Viewer');
  });

  it('refuses a person of another workspace with a 403 saying which workspace fleetbot serves, and no session', async () => {
    const { browser, hops } = await signInByFetch(h.origin, OUTSIDER);
    const refusal = last(hops);
    expect(refusal.status).toBe(403);
    expect(refusal.url).toContain('/console/auth/callback?');
    expect(refusal.body).toContain('Not a member of this workspace');
    expect(refusal.body).toContain(OTHER_WORKSPACE);
    expect(refusal.body).toContain(WORKSPACE);
    expect(refusal.body).toContain('Sign in again');
    expect(setCookie(refusal, SESSION)).toMatch(/^fleetbot_session=; /);
    expect(browser.jar.get(`${h.origin}/console/`, SESSION)).toBeUndefined();
    expectSentToSignIn(last(await browser.get(`${h.origin}/console/`, { follow: false })));
    expect(h.fleetbot.logs()).toContain('console sign-in refused: not a member of the workspace');
  });

  it('says so when the person cancels at the issuer', async () => {
    const form = await openLoginForm(h.origin);
    const page = last(await form.browser.postForm(form.cancel, {}));
    expect(page.status).toBe(401);
    expect(page.body).toContain('Sign-in cancelled');
    expect(form.browser.jar.get(`${h.origin}/console/`, SESSION)).toBeUndefined();
  });

  it('refuses a callback without its login cookie, with another sign-in’s state, or with a code used already', async () => {
    // The issuer's redirect back, stopped before the browser follows it.
    const isCallback = (url: string) => url.startsWith(`${h.origin}/console/auth/callback?`);
    const form = await openLoginForm(h.origin);
    const callbackUrl =
      last(
        await form.browser.postForm(form.login, { login: VIEWER }, { stopBefore: isCallback }),
      ).headers.get('location') ?? '';
    expect(isCallback(callbackUrl)).toBe(true);
    const loginCookie = form.browser.jar.get(`${h.origin}/console/`, LOGIN) ?? '';
    expect(loginCookie).not.toBe('');

    // Taken by a browser that did not start this sign-in.
    const stranger = last(await new HttpBrowser().get(callbackUrl, { follow: false }));
    expect(stranger.status).toBe(400);
    expect(stranger.body).toContain('Sign-in did not complete');
    expect(setCookie(stranger, SESSION)).toMatch(/^fleetbot_session=; /);

    // Taken by a browser in the middle of another sign-in: the states differ.
    const other = await openLoginForm(h.origin);
    expect(last(await other.browser.get(callbackUrl, { follow: false })).status).toBe(400);

    // Taken twice with its own login cookie (copied before the first use cleared it): the issuer refuses the used code.
    const replay = () => {
      const browser = new HttpBrowser();
      browser.jar.set(h.origin, LOGIN, loginCookie, '/console');
      return browser.get(callbackUrl, { follow: false }).then(last);
    };
    const first = await replay();
    expect(first.status).toBe(302);
    expect(setCookie(first, SESSION)).toBeDefined();
    const second = await replay();
    expect(second.status).toBe(400);
    expect(setCookie(second, SESSION)).toMatch(/^fleetbot_session=; /);
  });
});

describe('a session', () => {
  it('is refused, and cleared, when tampered with, expired, signed with another secret or for another workspace', async () => {
    const good = forgedSession();
    expect((await withSession(good)).status).toBe(200);
    const [body = '', signature = ''] = good.split('.');
    const asLead = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), userId: ONCALL }),
    ).toString('base64url');
    const flipped = `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`;
    for (const session of [
      `${asLead}.${signature}`,
      `${body}.${flipped}`,
      forgedSession({ expiresAt: new Date(Date.now() - 1000) }),
      forgedSession({ secret: 'another-session-secret-0000000000000000000000' }),
      forgedSession({ teamId: OTHER_WORKSPACE }),
      'not-a-session',
    ]) {
      const hop = await withSession(session);
      expectSentToSignIn(hop);
      expect(setCookie(hop, SESSION)).toMatch(/^fleetbot_session=; .*Max-Age=0/);
    }
  });

  it('is not taken from a login value, whose signature is for another purpose', async () => {
    const login = signValue(
      { userId: VIEWER, teamId: WORKSPACE, name: 'x', issuedAt: Date.now() },
      {
        secret: SESSION_SECRET,
        purpose: 'fleetbot-console-login',
        expiresAt: new Date(Date.now() + 60_000),
      },
    );
    expectSentToSignIn(await withSession(login));
  });

  it('ends with sign-out: the cookie is cleared and a page offers to sign in again', async () => {
    const { browser } = await signInByFetch(h.origin, VIEWER);
    const out = last(await browser.get(`${h.origin}/console/sign-out`));
    expect(out.status).toBe(200);
    expect(out.body).toContain('Signed out');
    expect(out.body).toContain('<a href="/console/">Sign in again</a>');
    expect(setCookie(out, SESSION)).toMatch(/^fleetbot_session=; Path=\/console; .*Max-Age=0/);
    expectSentToSignIn(last(await browser.get(`${h.origin}/console/`, { follow: false })));
  });
});

describe('secrets', () => {
  it('never reach a page or the log: client secret, session secret, cookie values', async () => {
    const { browser, hops } = await signInByFetch(h.origin, VIEWER);
    const session = browser.jar.get(`${h.origin}/console/`, SESSION) ?? '';
    expect(session).not.toBe('');
    const logins = hops.flatMap((hop) => (setCookie(hop, LOGIN) ?? '').split(';')[0]?.split('=')[1] ?? []);
    const secrets = [CLIENT_SECRET, SESSION_SECRET, session, ...logins.filter(Boolean)];
    const pages = [...hops, ...(await signInByFetch(h.origin, OUTSIDER)).hops]
      .map((hop) => hop.body)
      .join('\n');
    const logs = h.fleetbot.logs();
    expect(logs).toContain('console sign-in');
    for (const secret of secrets) {
      expect(pages).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
  });
});

describe('in a real browser', () => {
  let chromium: Browser | undefined;
  afterAll(async () => {
    await chromium?.close();
  });

  it('signs in through the issuer’s login page and lands on the overview', async () => {
    chromium = await launchChromium();
    const page = await chromium.page();
    await signInInBrowser(page, h.origin, VIEWER);
    expect(page.url()).toBe(`${h.origin}/console/`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Overview');
    expect(await page.getByText('Signed in as Vic Viewer').count()).toBe(1);
    // The stylesheet loaded under the CSP: the header has the brand colour, not the default.
    const background = await page
      .locator('header')
      .evaluate(
        (element) => (globalThis as unknown as BrowserWindow).getComputedStyle(element).backgroundColor,
      );
    expect(background).toBe('rgb(22, 50, 92)');
    await screenshot(page, 'console-overview');
  });
});
