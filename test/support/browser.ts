import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { LOGIN_FIELD } from './oidc-issuer.ts';

/** Debian's Chromium (`apt-get install chromium`, as .ci/run does): no browser is ever downloaded. */
export const CHROMIUM = '/usr/bin/chromium';

/** Headless, no sandbox (tests run as root), and nothing that reaches the network by itself. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where screenshots are kept as test artifacts. */
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

export interface Browser {
  context: BrowserContext;
  /** A new tab. */
  page(): Promise<Page>;
  close(): Promise<void>;
}

/**
 * A real headless Chromium (the system's, driven by playwright-core) with a fresh profile in a
 * temporary directory, removed on close. Throws saying how to install Chromium when it is missing.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: install it with "apt-get install -y chromium" (.ci/run does)`,
    );
  }
  const profile = await mkdtemp(join(tmpdir(), 'fleetbot-chromium-'));
  let context: BrowserContext;
  try {
    // A persistent context is how playwright takes a --user-data-dir of our choosing.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      timeout: 30_000,
    });
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
  return {
    context,
    page: () => context.newPage(),
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot as `test-artifacts/NAME.png` and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Signs `user` in through the issuer's login page in a real browser: opens `path` of the console,
 * is sent to the issuer, types the Slack user id, submits, and waits to be back on `path`.
 */
export async function signInInBrowser(
  page: Page,
  consoleOrigin: string,
  user: string,
  path = '/console/',
): Promise<void> {
  await page.goto(`${consoleOrigin}${path}`);
  await page.locator(`input[name="${LOGIN_FIELD}"]`).fill(user);
  await Promise.all([
    page.waitForURL((url) => url.origin === consoleOrigin && !url.pathname.startsWith('/console/auth/')),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
}
