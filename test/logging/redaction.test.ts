import { describe, expect, it } from 'vitest';
import { REDACTED, redactCommand, redactSecrets, redactString } from '../../src/logging/redact.ts';
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
    // Each size's best of five, taken in turns, so that a busy machine slows both alike.
    const timed = (text: string) => {
      const started = performance.now();
      redactString(text);
      return performance.now() - started;
    };
    const small = 'a'.repeat(100_000);
    const large = 'a'.repeat(1_000_000);
    let bestSmall = Number.POSITIVE_INFINITY;
    let bestLarge = Number.POSITIVE_INFINITY;
    for (let round = 0; round < 5; round++) {
      bestSmall = Math.min(bestSmall, timed(small));
      bestLarge = Math.min(bestLarge, timed(large));
    }
    // Linear is ~10; quadratic would be ~100.
    expect(bestLarge / Math.max(bestSmall, 0.5)).toBeLessThan(40);
  });

  it('still finds a password in a long URL and in one after a long run of letters', () => {
    const pad = 'x'.repeat(5_000);
    expect(redactString(`${pad}postgres://fleetuser:${SECRETS.dbPassword}@db:5432/fleetdb`)).not.toContain(
      SECRETS.dbPassword,
    );
    expect(redactString(`redis://:${'p'.repeat(900)}@cache:6379`)).toBe(`redis://:${REDACTED}@cache:6379`);
  });
});

describe('which keys hold secrets', () => {
  it.each([
    'password',
    'DB_PASSWORD',
    'dbPass',
    'passwd',
    'passphrase',
    'clientSecret',
    'SLACK_SIGNING_SECRET',
    'accessToken',
    'Authorization',
    'Set-Cookie',
    'apiKey',
    'api_key',
    'x-api-key',
    'credentials',
    'privateKey',
    'private_key',
    'ssh-private-key',
    'connectionString',
    'connection_string',
    'storage-connection-string',
    'signature',
  ])('%s: its value is replaced, whatever its type', (key) => {
    expect(redactSecrets({ [key]: 'hunter2', nested: { [key]: { kept: 'no' } } })).toEqual({
      [key]: REDACTED,
      nested: { [key]: REDACTED },
    });
  });

  it.each(['passengers', 'compassHeading', 'passwordPolicy', 'service', 'description', 'apiVersion'])(
    '%s: an ordinary key, its value is kept',
    (key) => {
      expect(redactSecrets({ [key]: 'min 12 characters' })).toEqual({ [key]: 'min 12 characters' });
    },
  );

  it('keeps an absent secret absent: null and undefined say there is none, which is worth logging', () => {
    expect(redactSecrets({ password: null, token: undefined, apiKey: '' })).toEqual({
      password: null,
      token: undefined,
      apiKey: REDACTED,
    });
  });
});

describe('secrets inside text', () => {
  it.each([
    [
      'a Slack bot token',
      'chat.postMessage with xoxb-1234567890-0987654321-AbCdEfGhIjKl failed',
      `chat.postMessage with ${REDACTED} failed`,
    ],
    ['a Slack user token', 'token=xoxp-1234567890-0987654321-1122334455-abcdef', `token=${REDACTED}`],
    [
      'a Slack app-level token (Socket Mode)',
      'apps.connections.open refused xapp-1-A0000FLEET-1234567890-abcdef0123456789 (invalid_auth)',
      `apps.connections.open refused ${REDACTED} (invalid_auth)`,
    ],
    [
      'a Bearer header',
      'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmbGVldCJ9.c2lnbmF0dXJl',
      `Authorization: Bearer ${REDACTED}`,
    ],
    [
      'a Bearer header spaced out',
      'authorization: bearer \t eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmbGVldCJ9 sent',
      `authorization: bearer ${REDACTED} sent`,
    ],
    ['a Basic header', 'Authorization: Basic ZmxlZXQ6aHVudGVyMg==', `Authorization: Basic ${REDACTED}`],
    [
      'an Azure Storage connection string',
      'DefaultEndpointsProtocol=https;AccountName=fleetbackups;AccountKey=bXlrZXlteWtleQ+/ab==;EndpointSuffix=core.windows.net',
      `DefaultEndpointsProtocol=https;AccountName=fleetbackups;AccountKey=${REDACTED};EndpointSuffix=core.windows.net`,
    ],
    [
      'an Application Insights connection string',
      'InstrumentationKey=11111111-2222-3333-4444-555555555555;IngestionEndpoint=https://eastus2.in.applicationinsights.azure.com/',
      `InstrumentationKey=${REDACTED};IngestionEndpoint=https://eastus2.in.applicationinsights.azure.com/`,
    ],
    [
      'an Azure SQL connection string',
      'Server=tcp:fleet.database.windows.net,1433;User ID=fleet;Password=hunter2!;Encrypt=True',
      `Server=tcp:fleet.database.windows.net,1433;User ID=fleet;Password=${REDACTED};Encrypt=True`,
    ],
    [
      'a Service Bus connection string',
      'Endpoint=sb://fleet.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=c2VjcmV0S2V5=',
      `Endpoint=sb://fleet.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=${REDACTED}`,
    ],
    [
      'a libpq keyword DSN',
      'host=db user=fleet password=s3cr3t dbname=fleetdb',
      `host=db user=fleet password=${REDACTED} dbname=fleetdb`,
    ],
    [
      'a token in a query string',
      'GET https://fleet-api-service:3000/export?token=abc123def&page=2',
      `GET https://fleet-api-service:3000/export?token=${REDACTED}&page=2`,
    ],
    [
      'URL credentials under any scheme',
      'amqp://fleet:rabbit-pw@mq s3://AKIAFLEET:wJalrXUtnFEMI@backups x://u:pw@host',
      `amqp://fleet:${REDACTED}@mq s3://AKIAFLEET:${REDACTED}@backups x://u:${REDACTED}@host`,
    ],
  ])('%s', (_what, text, scrubbed) => {
    expect(redactString(text)).toBe(scrubbed);
  });

  it('leaves text without secrets as it is', () => {
    const text = 'xoxb- is a prefix; Bearer auth; password= (empty); see https://fleet.example/a:b@c';
    expect(redactString(text)).toBe(text);
  });
});

/** `{ child: { child: … leaf } }`, `levels` objects deep (or arrays, `[[… leaf]]`). */
function nested(levels: number, leaf: unknown, shape: 'object' | 'array' = 'object'): unknown {
  let value = leaf;
  for (let level = 0; level < levels; level += 1) value = shape === 'object' ? { child: value } : [value];
  return value;
}

describe('values of every shape', () => {
  it('walks into arrays: a secret inside an array of objects is replaced, the array stays an array', () => {
    const requests = [
      { url: '/api/health', headers: { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIi' } },
      { url: '/api/fleet', headers: { cookie: 'session=abc' } },
      'redis://:r3dis-pa55@cache:6379',
    ];
    expect(redactSecrets({ requests })).toEqual({
      requests: [
        { url: '/api/health', headers: { authorization: REDACTED } },
        { url: '/api/fleet', headers: { cookie: REDACTED } },
        `redis://:${REDACTED}@cache:6379`,
      ],
    });
  });

  it('keeps dates as dates and shows a Buffer by its size only', () => {
    const at = new Date('2026-06-02T14:00:00Z');
    expect(redactSecrets({ at, body: Buffer.from('password=hunter2') })).toEqual({
      at,
      body: '[Buffer 16 bytes]',
    });
  });

  it('keeps ten levels of nesting and cuts what is deeper, in objects and in arrays', () => {
    for (const shape of ['object', 'array'] as const) {
      expect(redactSecrets(nested(10, 'leaf', shape))).toEqual(nested(10, 'leaf', shape));
      expect(redactSecrets(nested(11, 'leaf', shape))).toEqual(nested(10, '[Truncated]', shape));
    }
  });

  it('turns an error into its type, message and stack, scrubbed', () => {
    const error = new TypeError('cannot reach postgres://fleet:pw-in-error@db:5432/fleetdb');
    expect(redactSecrets(error)).toStrictEqual({
      type: 'TypeError',
      message: `cannot reach postgres://fleet:${REDACTED}@db:5432/fleetdb`,
      stack: expect.stringContaining(`TypeError: cannot reach postgres://fleet:${REDACTED}@db`),
    });
  });

  it("keeps an error's own fields and follows its cause, scrubbing each level", () => {
    const root = Object.assign(new Error('connect to redis://default:cause-pw@cache:6379 refused'), {
      code: 'ECONNREFUSED',
    });
    const error = new Error('health check failed', { cause: new Error('ping failed', { cause: root }) });
    const plain = redactSecrets(error) as Record<string, unknown>;
    expect(plain).toMatchObject({
      type: 'Error',
      message: 'health check failed',
      cause: {
        message: 'ping failed',
        cause: {
          message: `connect to redis://default:${REDACTED}@cache:6379 refused`,
          code: 'ECONNREFUSED',
        },
      },
    });
    expect(JSON.stringify(plain)).not.toContain('cause-pw');
  });
});

describe('command lines', () => {
  it('keeps the key of a KEY=value word whose key looks secret, and scrubs credentials anywhere', () => {
    expect(
      redactCommand(
        '  env set api   DB_PASSWORD=hunter2 --api-key=abc123 AUTH_MODE=token LOG_LEVEL=debug DATABASE_URL=postgres://fleet:pw@db/fleetdb ',
      ),
    ).toBe(
      `env set api DB_PASSWORD=${REDACTED} --api-key=${REDACTED} AUTH_MODE=token LOG_LEVEL=debug DATABASE_URL=postgres://fleet:${REDACTED}@db/fleetdb`,
    );
  });

  it('leaves a command without secrets as typed, spaces tidied', () => {
    expect(redactCommand('restart api')).toBe('restart api');
    // Naming a secret is not showing it: the words of `/fleet secret set` stay.
    expect(redactCommand('set fleet-api-secrets APPLICATIONINSIGHTS_CONNECTION_STRING --restart')).toBe(
      'set fleet-api-secrets APPLICATIONINSIGHTS_CONNECTION_STRING --restart',
    );
    expect(redactCommand('scale  frontend 3 =x')).toBe('scale frontend 3 =x');
  });
});
