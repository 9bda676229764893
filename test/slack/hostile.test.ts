import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEAD, SIGNING_SECRET, type SlackHarness, startSlackHarness } from '../support/slack-harness.ts';
import {
  appMentionEvent,
  blockActionsBody,
  eventBody,
  postSigned,
  signSlackRequest,
  slashCommandBody,
  viewSubmissionBody,
} from '../support/slack-requests.ts';

// Hardening acceptance: malformed and hostile Slack payloads and command lines through the signed
// HTTP path. Never a 500, never an action run, a clear answer each time.

let h: SlackHarness;
beforeAll(async () => {
  h = await startSlackHarness();
});
afterAll(async () => {
  await h.close();
});

const COMMANDS: [string, string][] = [
  ['an argument of 100 KB', `logs ${'a'.repeat(100_000)}`],
  ['a command over 1 KB', `env api set ${'K=v '.repeat(300)}`],
  ['one argument over 256 characters', `logs ${'x'.repeat(300)}`],
  ['a misspelt verb', 'restrat api'],
  ['a missing service', 'restart'],
  ['an extra argument', 'restart api extra'],
  ['a path for a service', 'restart ../../etc/passwd'],
  ['a shell separator', 'restart api; rm -rf /'],
  ['a backtick command', 'restart `whoami`'],
  ['a shell substitution', 'restart $(id)'],
  ['an unclosed single quote', "restart 'api"],
  ['an unclosed double quote', 'restart "api'],
  ['replicas over the limit', 'scale api 9999'],
  ['negative replicas', 'scale api -1'],
  ['replicas in exponent form', 'scale api 1e3'],
  ['replicas that are not a number', 'scale api NaN'],
  ['fractional replicas', 'scale api 2.5'],
  ['a negative tail', 'logs api --tail -5'],
  ['a huge tail', 'logs api --tail 99999999'],
  ['a flag without its value', 'logs api --tail'],
  ['a duration that is not one', 'logs api --since forever'],
  ['an unknown flag', 'logs api --unknown'],
  ['a flag value of the wrong type', 'logs api --tail=abc'],
  ['env set with nothing to set', 'env api set'],
  ['env set without a name', 'env api set =x'],
  ['env set without a value', 'env api set NO_EQUALS'],
  ['an invalid variable name', 'env api set 1BAD=x'],
  ['an env operation that does not exist', 'env api frobnicate'],
  ['a path for a pod', 'describe ../../x'],
  ['a pod name in capitals', 'describe FLEET-API'],
  ['a channel-wide mention as the verb', '<!channel> restart api'],
  ['a here-mention as an argument', 'health <!here>'],
  ['a user mention for a service', 'restart <@U0000LEAD>'],
  ['a code block', '```restart api```'],
  ['a backtick breakout after the service', 'restart api```'],
  ['a right-to-left override', '\u202erestart api'],
  ['a zero-width space in the verb', 'rest\u200bart api'],
  ['full-width letters', '\uff52\uff45\uff53\uff54\uff41\uff52\uff54 api'],
  ['a NUL byte', 'restart api\u0000'],
  ['a Secret fleetbot may not change', 'secret set other-secret KEY'],
  ['an invalid Secret key', 'secret set fleet-api-secrets bad key!'],
  ['a negative revision', 'rollback api --to-revision -3'],
  ['a revision that is not a number', 'rollback frontend --to-revision abc'],
  ['a boolean flag given a value', 'events api --warnings=yes'],
  ['a lone quote', '"'],
  ['help for a long word', `help ${'x'.repeat(500)}`],
  ['a confirmation flag typed by hand', 'restart api --yes'],
  ['--help as a verb', '--help'],
  ['SQL in a service name', "restart api'; DROP TABLE action_runs; --"],
  ['an emoji service', 'restart 🔥'],
  ['a rollback of a StatefulSet', 'rollback postgres'],
];

async function runCount(): Promise<number> {
  return (await h.db.query('SELECT count(*)::int AS n FROM action_runs')).rows[0].n;
}

describe('hostile command lines', () => {
  it.each(
    COMMANDS.map(([name, text], index) => ({ name, text, user: `U00H${String(index).padStart(4, '0')}` })),
  )('$name: answered with what is wrong, nothing run', async ({ text, user }) => {
    const before = await runCount();
    // A lead (admin) by the group: nothing below is refused for a lack of role.
    h.slack.setUsergroup('S0000LEADS', [LEAD, user]);
    const answer = await postSigned(h.events, slashCommandBody({ text, user_id: user }), {
      secret: SIGNING_SECRET,
    });
    expect(answer.status).toBe(200);
    const body = answer.json<{ text: string }>();
    expect(body.text).toMatch(/^❌ |^\*fleetbot|Commands|Usage/);
    expect(await runCount()).toBe(before);
  });
});

/** A raw request to fleetbot's HTTP server, for what fetch would not send. */
function raw(method: string, headers: Record<string, string>, body: string): Promise<number> {
  const url = new URL(h.events);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, method, headers },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('hostile requests', () => {
  const signedPayload = (payload: string) => {
    const body = `payload=${encodeURIComponent(payload)}`;
    return postSigned(h.events, body, { secret: SIGNING_SECRET });
  };

  it.each([
    ['a payload that is not JSON', () => signedPayload('{not json')],
    ['a payload of the wrong shape', () => signedPayload('{"type":"block_actions","actions":"nope"}')],
    ['an unknown interaction type', () => signedPayload('{"type":"shortcut_of_doom","user":{"id":"U1"}}')],
    [
      'a Confirm button with a value that is not a run',
      () =>
        postSigned(
          h.events,
          blockActionsBody({
            actions: [{ action_id: 'fleet.confirm', value: "1' OR '1'='1", type: 'button' }],
          }),
          { secret: SIGNING_SECRET },
        ),
    ],
    [
      'a button fleetbot never sent',
      () =>
        postSigned(
          h.events,
          blockActionsBody({ actions: [{ action_id: 'fleet.format-disk', value: 'x', type: 'button' }] }),
          {
            secret: SIGNING_SECRET,
          },
        ),
    ],
    [
      'a form submission with forged metadata',
      () =>
        postSigned(
          h.events,
          viewSubmissionBody({ view: { callback_id: 'fleet.secret', private_metadata: '{"runId":"x"}' } }),
          { secret: SIGNING_SECRET },
        ),
    ],
    [
      'a mention of 100 KB',
      () =>
        postSigned(
          h.events,
          eventBody(appMentionEvent({ text: `<@U0000FLEETBOT> ${'a'.repeat(100_000)}` })),
          {
            secret: SIGNING_SECRET,
          },
        ),
    ],
    [
      'an event of a type fleetbot does not subscribe to',
      () => postSigned(h.events, eventBody({ type: 'team_join', user: {} }), { secret: SIGNING_SECRET }),
    ],
    [
      'a command with no user',
      () => postSigned(h.events, slashCommandBody({ user_id: undefined }), { secret: SIGNING_SECRET }),
    ],
  ] as const)('%s: no 500, nothing run', async (_name, send) => {
    const before = await runCount();
    const answer = await send();
    expect(answer.status).not.toBe(500);
    expect(answer.status).toBeLessThan(500);
    expect(await runCount()).toBe(before);
  });

  it('a body over 1 MB is refused with 413 before its signature is read', async () => {
    const body = `text=${'a'.repeat(1_100_000)}`;
    const status = await raw(
      'POST',
      { ...signSlackRequest(body, SIGNING_SECRET), 'content-length': String(Buffer.byteLength(body)) },
      body,
    );
    expect(status).toBe(413);
  });

  it('a body of no stated length is refused with 411', async () => {
    const body = slashCommandBody({ text: 'health' });
    const status = await raw(
      'POST',
      { ...signSlackRequest(body, SIGNING_SECRET), 'transfer-encoding': 'chunked' },
      body,
    );
    expect(status).toBe(411);
  });
});
