import { LOGIN_FIELD } from './oidc-issuer.ts';

/** One response on the way: where it came from and what it said. */
export interface Hop {
  url: string;
  status: number;
  headers: Headers;
  body: string;
}

interface StoredCookie {
  value: string;
  host: string;
  path: string;
  expiresAt?: number;
}

/**
 * Cookies as a browser keeps them, enough for a sign-in: by host (not port, as browsers do), path and
 * name; Max-Age and Expires honoured, an expired cookie deleted.
 */
export class CookieJar {
  private readonly cookies = new Map<string, StoredCookie & { name: string }>();

  store(url: string, headers: Headers): void {
    const { hostname, pathname } = new URL(url);
    for (const line of headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const equals = pair.indexOf('=');
      const name = pair.slice(0, equals);
      const value = pair.slice(equals + 1);
      let path = pathname.slice(0, pathname.lastIndexOf('/')) || '/';
      let expiresAt: number | undefined;
      for (const attribute of attributes) {
        const [key = '', ...rest] = attribute.split('=');
        const text = rest.join('=');
        if (key.toLowerCase() === 'path') path = text;
        if (key.toLowerCase() === 'max-age') expiresAt = Date.now() + Number(text) * 1000;
        if (key.toLowerCase() === 'expires' && expiresAt === undefined) expiresAt = Date.parse(text);
      }
      const id = `${hostname} ${path} ${name}`;
      if (expiresAt !== undefined && expiresAt <= Date.now()) this.cookies.delete(id);
      else this.cookies.set(id, { name, value, host: hostname, path, ...(expiresAt ? { expiresAt } : {}) });
    }
  }

  /** The Cookie header for `url`, most specific path first. */
  header(url: string): string {
    const { hostname, pathname } = new URL(url);
    return [...this.cookies.values()]
      .filter((cookie) => cookie.host === hostname && pathMatches(cookie.path, pathname))
      .filter((cookie) => cookie.expiresAt === undefined || cookie.expiresAt > Date.now())
      .sort((a, b) => b.path.length - a.path.length)
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ');
  }

  /** A cookie's value for `url`, if the jar would send it. */
  get(url: string, name: string): string | undefined {
    for (const part of this.header(url).split('; ')) {
      const equals = part.indexOf('=');
      if (part.slice(0, equals) === name) return part.slice(equals + 1);
    }
    return undefined;
  }

  set(url: string, name: string, value: string, path = '/'): void {
    const { hostname } = new URL(url);
    this.cookies.set(`${hostname} ${path} ${name}`, { name, value, host: hostname, path });
  }

  delete(url: string, name: string): void {
    const { hostname } = new URL(url);
    for (const [id, cookie] of this.cookies) {
      if (cookie.host === hostname && cookie.name === name) this.cookies.delete(id);
    }
  }
}

function pathMatches(cookiePath: string, requestPath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

/**
 * `fetch` with a cookie jar and redirects followed by hand, every response recorded: a browser as far
 * as the sign-in flow goes, without one.
 */
export class HttpBrowser {
  readonly jar = new CookieJar();

  /** GET `url`, following redirects (unless `follow` is false). */
  get(url: string, options: { follow?: boolean; method?: string } = {}): Promise<Hop[]> {
    return this.request(url, { method: options.method ?? 'GET' }, options.follow ?? true);
  }

  /**
   * POST a form to `url`, then follow redirects with GET; a redirect to a URL `stopBefore` matches is
   * not followed (its Location is the last hop's).
   */
  postForm(
    url: string,
    form: Record<string, string>,
    options: { stopBefore?: (url: string) => boolean } = {},
  ): Promise<Hop[]> {
    return this.request(
      url,
      {
        method: 'POST',
        body: new URLSearchParams(form).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
      options.stopBefore ? (next) => !options.stopBefore?.(next) : true,
    );
  }

  private async request(
    url: string,
    init: RequestInit,
    follow: boolean | ((url: string) => boolean),
  ): Promise<Hop[]> {
    const hops: Hop[] = [];
    let next: { url: string; init: RequestInit } | undefined = { url, init };
    while (next) {
      if (hops.length > 20) throw new Error(`more than 20 redirects from ${url}`);
      const cookie = this.jar.header(next.url);
      const headers = new Headers(next.init.headers);
      if (cookie) headers.set('cookie', cookie);
      const response = await fetch(next.url, { ...next.init, headers, redirect: 'manual' });
      this.jar.store(next.url, response.headers);
      const hop = {
        url: next.url,
        status: response.status,
        headers: response.headers,
        body: await response.text(),
      };
      hops.push(hop);
      const location = response.headers.get('location');
      const target: string | undefined =
        location && response.status >= 300 && response.status < 400
          ? new URL(location, next.url).href
          : undefined;
      next =
        target && (typeof follow === 'function' ? follow(target) : follow)
          ? { url: target, init: { method: 'GET' } }
          : undefined;
    }
    return hops;
  }
}

/** The last response of a chain of hops. */
export function last(hops: readonly Hop[]): Hop {
  const hop = hops.at(-1);
  if (!hop) throw new Error('no response');
  return hop;
}

/**
 * Asks the console at `consoleOrigin` for `path` with no session and follows it to the issuer's login
 * form. Returns the browser, every response on the way, and the form's login and cancel URLs.
 */
export async function openLoginForm(
  consoleOrigin: string,
  path = '/console/',
  browser = new HttpBrowser(),
): Promise<{ browser: HttpBrowser; hops: Hop[]; login: string; cancel: string }> {
  const hops = await browser.get(`${consoleOrigin}${path}`);
  const form = last(hops);
  const action = /<form method="post" action="([^"]+)"/.exec(form.body)?.[1];
  if (form.status !== 200 || !action) {
    throw new Error(
      `expected the issuer's login form, got HTTP ${form.status} at ${form.url}: ${form.body.slice(0, 300)}`,
    );
  }
  const login = new URL(action.replaceAll('&amp;', '&'), form.url).href;
  return { browser, hops, login, cancel: login.replace(/\/login$/, '/cancel') };
}

/**
 * Signs `user` in to the console at `consoleOrigin` the way a browser does, with fetch: asks for
 * `path`, is sent to the issuer, fills in its login form, comes back through the callback. Returns
 * the browser (its jar holds the session cookie) and every response on the way; the last is the
 * page asked for (or a refusal).
 */
export async function signInByFetch(
  consoleOrigin: string,
  user: string,
  path = '/console/',
  browser = new HttpBrowser(),
): Promise<{ browser: HttpBrowser; hops: Hop[] }> {
  const form = await openLoginForm(consoleOrigin, path, browser);
  const back = await browser.postForm(form.login, { [LOGIN_FIELD]: user });
  return { browser, hops: [...form.hops, ...back] };
}
