import { describe, expect, it } from 'vitest';
import type { Permission } from '../../src/domain/permissions.ts';
import {
  type IdentityProvider,
  type SignInChecks,
  SignInError,
  type SlackIdentity,
} from '../../src/domain/sign-in.ts';
import { signValue, verifyValue } from '../../src/lib/signed-cookie.ts';
import { ConsoleSessions, consoleReturnTo, LOGIN_TTL_MS } from '../../src/services/console-sessions.ts';
import { FakeClock } from '../support/clock.ts';

// The use case alone, on a fake clock and a fake identity provider (the real flow against a real
// issuer is in sign-in.test.ts): what the cookies hold, when they expire, who is let in.

const SECRET = 'unit-test-session-secret-0000000000000000';
const WORKSPACE = 'T0000FLEET';
const HOUR = 3600_000;

class FakeProvider implements IdentityProvider {
  begun: SignInChecks[] = [];
  identity: SlackIdentity = { userId: 'U0000VIEWER', teamId: WORKSPACE, name: 'Vic Viewer' };
  failure: SignInError | undefined;
  completedWith: SignInChecks | undefined;

  async authorizationUrl(checks: SignInChecks): Promise<URL> {
    this.begun.push(checks);
    return new URL(`https://issuer.example/auth?state=${checks.state}`);
  }

  async complete(_callbackUrl: URL, checks: SignInChecks): Promise<SlackIdentity> {
    this.completedWith = checks;
    if (this.failure) throw this.failure;
    return this.identity;
  }
}

function setup(permissions: Permission[] = ['read']) {
  const clock = new FakeClock('2026-11-30T09:00:00Z');
  const provider = new FakeProvider();
  const sessions = new ConsoleSessions({
    provider,
    secret: SECRET,
    ttlMs: 12 * HOUR,
    workspace: async () => WORKSPACE,
    permissions: { permissionsOf: async () => permissions },
    clock,
  });
  const callback = new URL('https://fleetbot.example/console/auth/callback?code=x&state=y');
  return { clock, provider, sessions, callback };
}

describe('ConsoleSessions', () => {
  it('begins a sign-in with fresh state, nonce and PKCE verifier, kept in a signed 10-minute login value', async () => {
    const { sessions, provider, clock } = setup();
    const first = await sessions.begin('/console/incidents');
    const second = await sessions.begin('/console/');
    expect(first.location.href).toContain('https://issuer.example/auth');
    expect(first.login.maxAgeMs).toBe(LOGIN_TTL_MS);
    const [a, b] = provider.begun;
    expect(a?.state).not.toBe(b?.state);
    expect(a?.nonce).not.toBe(b?.nonce);
    expect(a?.codeVerifier).toMatch(/^[\w-]{43}$/);
    const payload = verifyValue(first.login.value, {
      secret: SECRET,
      purpose: 'fleetbot-console-login',
      now: clock.now(),
    });
    expect(payload).toMatchObject({ ...a, returnTo: '/console/incidents' });
    expect(second.login.value).not.toBe(first.login.value);
  });

  it('completes with the checks of its own login value, and a session the viewer is read from', async () => {
    const { sessions, provider, callback } = setup(['read', 'operate']);
    const { login } = await sessions.begin('/console/oncall?rotation=primary');
    const outcome = await sessions.complete(callback, login.value);
    expect(provider.completedWith).toEqual(provider.begun[0]);
    expect(outcome).toMatchObject({ kind: 'signed-in', returnTo: '/console/oncall?rotation=primary' });
    if (outcome.kind !== 'signed-in') throw new Error('not signed in');
    expect(outcome.session.maxAgeMs).toBe(12 * HOUR);
    expect(await sessions.viewer(outcome.session.value)).toEqual({
      userId: 'U0000VIEWER',
      teamId: WORKSPACE,
      name: 'Vic Viewer',
      permissions: ['read', 'operate'],
    });
  });

  it('keeps permissions out of the session: they are asked for on every read', async () => {
    let permissions: Permission[] = ['read', 'admin'];
    const { provider, callback, clock } = setup();
    const sessions = new ConsoleSessions({
      provider,
      secret: SECRET,
      ttlMs: HOUR,
      workspace: async () => WORKSPACE,
      permissions: { permissionsOf: async () => permissions },
      clock,
    });
    const outcome = await sessions.complete(callback, (await sessions.begin('/console/')).login.value);
    if (outcome.kind !== 'signed-in') throw new Error('not signed in');
    const stored = verifyValue(outcome.session.value, {
      secret: SECRET,
      purpose: 'fleetbot-console-session',
      now: clock.now(),
    });
    expect(Object.keys(stored ?? {}).sort()).toEqual(['exp', 'issuedAt', 'name', 'teamId', 'userId']);
    expect((await sessions.viewer(outcome.session.value))?.permissions).toEqual(['read', 'admin']);
    permissions = ['read'];
    expect((await sessions.viewer(outcome.session.value))?.permissions).toEqual(['read']);
  });

  it('ends a session at its TTL and refuses a login value older than 10 minutes', async () => {
    const { sessions, clock, callback } = setup();
    const outcome = await sessions.complete(callback, (await sessions.begin('/console/')).login.value);
    if (outcome.kind !== 'signed-in') throw new Error('not signed in');
    clock.advance(12 * HOUR - 1000);
    expect(await sessions.viewer(outcome.session.value)).toBeDefined();
    clock.advance(1000);
    expect(await sessions.viewer(outcome.session.value)).toBeUndefined();

    const { login } = await sessions.begin('/console/');
    clock.advance(LOGIN_TTL_MS);
    expect(await sessions.complete(callback, login.value)).toEqual({
      kind: 'failed',
      code: 'invalid',
      reason: 'this sign-in expired or was started in another browser',
    });
  });

  it('refuses someone of another workspace, with no session', async () => {
    const { sessions, provider, callback } = setup();
    provider.identity = { userId: 'U0000OUT', teamId: 'T0000OTHER', name: 'Otto' };
    const outcome = await sessions.complete(callback, (await sessions.begin('/console/')).login.value);
    expect(outcome).toEqual({
      kind: 'not-a-member',
      userId: 'U0000OUT',
      teamId: 'T0000OTHER',
      workspace: WORKSPACE,
    });
  });

  it('turns the provider’s refusals into outcomes, and refuses a missing or forged login value', async () => {
    const { sessions, provider, callback, clock } = setup();
    provider.failure = new SignInError('cancelled', 'sign-in was cancelled at the issuer');
    expect(await sessions.complete(callback, (await sessions.begin('/console/')).login.value)).toEqual({
      kind: 'failed',
      code: 'cancelled',
      reason: 'sign-in was cancelled at the issuer',
    });
    expect(await sessions.complete(callback, undefined)).toMatchObject({ kind: 'failed', code: 'invalid' });
    const forged = signValue(
      { state: 's', nonce: 'n', codeVerifier: 'v'.repeat(43), returnTo: '/console/' },
      {
        secret: 'another-secret-0000000000000000000000',
        purpose: 'fleetbot-console-login',
        expiresAt: new Date(clock.now().getTime() + HOUR),
      },
    );
    expect(await sessions.complete(callback, forged)).toMatchObject({ kind: 'failed', code: 'invalid' });
  });

  it('reads no viewer from nothing, a login value, or a session of another workspace', async () => {
    const { sessions, clock } = setup();
    expect(await sessions.viewer(undefined)).toBeUndefined();
    const expiresAt = new Date(clock.now().getTime() + HOUR);
    const payload = { userId: 'U1', teamId: WORKSPACE, name: 'x', issuedAt: clock.now().getTime() };
    expect(
      await sessions.viewer(
        signValue(payload, { secret: SECRET, purpose: 'fleetbot-console-login', expiresAt }),
      ),
    ).toBeUndefined();
    expect(
      await sessions.viewer(
        signValue(
          { ...payload, teamId: 'T0000OTHER' },
          { secret: SECRET, purpose: 'fleetbot-console-session', expiresAt },
        ),
      ),
    ).toBeUndefined();
    expect(
      await sessions.viewer(
        signValue(payload, { secret: SECRET, purpose: 'fleetbot-console-session', expiresAt }),
      ),
    ).toMatchObject({ userId: 'U1' });
  });
});

describe('consoleReturnTo', () => {
  it('keeps console paths with their query', () => {
    expect(consoleReturnTo('/console/incidents?status=open&severity=P1')).toBe(
      '/console/incidents?status=open&severity=P1',
    );
    expect(consoleReturnTo('/console/incidents/42')).toBe('/console/incidents/42');
    expect(consoleReturnTo('/console')).toBe('/console/');
    expect(consoleReturnTo('/console?x=1')).toBe('/console/?x=1');
  });

  it('sends anything else to the overview: other sites, other paths, tricks', () => {
    for (const candidate of [
      undefined,
      '',
      'https://evil.example/console/',
      '//evil.example/console/',
      '/\\evil.example/console/',
      '/console/\\..\\..\\evil',
      '/consolee/x',
      '/console/../admin',
      '/console/%2e%2e/admin',
      '/console/\t/x',
      '/console/auth/callback?code=x',
      '/console/sign-out',
      `/console/${'x'.repeat(3000)}`,
      'javascript:alert(1)',
    ]) {
      expect(consoleReturnTo(candidate), String(candidate)).toBe('/console/');
    }
  });
});
