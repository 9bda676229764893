import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecrets, redactString } from '../../src/logging/redact.ts';
import { captureLogs } from '../support/log-capture.ts';

const SECRETS = {
  slackToken: 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx',
  appToken: 'xapp-1-A0000FLEET-1234567890-abcdef0123456789',
  dbPassword: 's3cr3t-db-pa55',
  redisPassword: 'r3dis-pa55word',
  signingSecret: '00000000fakefakefakefake00000000',
  bearer: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmbGVldCJ9.c2lnbmF0dXJl',
  instrumentationKey: '11111111-2222-3333-4444-555555555555',
};

describe('log redaction', () => {
  it('removes tokens, passwords, secrets, Authorization headers and connection-string passwords wherever they appear', () => {
    const { logger, text, lines } = captureLogs();
    logger.info(
      {
        slack: { token: SECRETS.slackToken, nested: { deeper: { signingSecret: SECRETS.signingSecret } } },
        request: {
          headers: { Authorization: `Bearer ${SECRETS.bearer}`, 'content-type': 'application/json' },
        },
        databaseUrl: `postgres://fleetuser:${SECRETS.dbPassword}@fleet-postgres-service:5432/fleetdb`,
        list: [{ password: SECRETS.dbPassword }, `redis://:${SECRETS.redisPassword}@fleet-redis:6379/0`],
        appToken: SECRETS.appToken,
        connectionString: `InstrumentationKey=${SECRETS.instrumentationKey};IngestionEndpoint=https://eastus2.in.applicationinsights.azure.com/`,
      },
      `connecting to postgres://fleetuser:${SECRETS.dbPassword}@db:5432/fleetdb with ${SECRETS.slackToken}`,
    );
    logger.error(
      { err: new Error(`auth failed for redis://default:${SECRETS.redisPassword}@cache:6379`) },
      'redis down',
    );
    logger.warn(new Error(`Authorization: Bearer ${SECRETS.bearer}`));

    const output = text();
    for (const secret of Object.values(SECRETS)) expect(output).not.toContain(secret);
    const [first = {}, second = {}] = lines();
    expect(first.databaseUrl).toBe(`postgres://fleetuser:${REDACTED}@fleet-postgres-service:5432/fleetdb`);
    expect((first.request as { headers: Record<string, string> }).headers['content-type']).toBe(
      'application/json',
    );
    expect(first.msg).toContain('postgres://fleetuser:[REDACTED]@db:5432/fleetdb');
    expect((second.err as { message: string }).message).toContain('redis://default:[REDACTED]@cache:6379');
  });

  it('keeps what is not secret, and survives cycles', () => {
    const cyclic: Record<string, unknown> = { name: 'fleet-api', replicas: 3 };
    cyclic.self = cyclic;
    expect(redactSecrets(cyclic)).toEqual({ name: 'fleet-api', replicas: 3, self: '[Circular]' });
    expect(redactString('https://fleet-api-service:3000/api/health')).toBe(
      'https://fleet-api-service:3000/api/health',
    );
    expect(redactSecrets({ tokenCount: undefined, passwordPolicy: null })).toEqual({
      tokenCount: undefined,
      passwordPolicy: null,
    });
  });

  it('scrubs in time linear in the text: 1 MB costs about ten times 100 KB, not a hundred', () => {
    // A long run of letters is what made the URL-credential pattern quadratic (20,000 took 0.4 s).
    const best = (text: string) =>
      Math.min(
        ...[1, 2, 3].map(() => {
          const started = performance.now();
          redactString(text);
          return performance.now() - started;
        }),
      );
    const small = best('a'.repeat(100_000));
    const large = best('a'.repeat(1_000_000));
    expect(large / Math.max(small, 0.5)).toBeLessThan(25);
  });

  it('still finds a password in a long URL and in one after a long run of letters', () => {
    const pad = 'x'.repeat(5_000);
    expect(redactString(`${pad}postgres://fleetuser:${SECRETS.dbPassword}@db:5432/fleetdb`)).not.toContain(
      SECRETS.dbPassword,
    );
    expect(redactString(`redis://:${'p'.repeat(900)}@cache:6379`)).toBe(`redis://:${REDACTED}@cache:6379`);
  });
});
