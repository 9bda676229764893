// The fake's Web API as the real @slack/web-api WebClient sees it: URL joining, form bodies with JSON
// arguments, Slack's answer shapes and errors, and the three-step file upload of files.uploadV2.
import type { types } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BOT,
  type FakeSlack,
  issueTriggerId,
  loadSlackFixture,
  manifestBotScopes,
  startFakeSlack,
} from '../support/fake-slack/index.ts';
import { quietSlackLogger } from '../support/fake-slack/quiet-logger.ts';

const TOKEN = 'xoxb-0000-fake-bot-token';

const incident = loadSlackFixture<{ message: { text: string; blocks: types.KnownBlock[] } }>(
  'chat-postMessage-response.json',
).message;

let fake: FakeSlack;
let client: WebClient;
beforeEach(async () => {
  fake = await startFakeSlack();
  client = new WebClient(TOKEN, {
    slackApiUrl: fake.url,
    retryConfig: { retries: 0 },
    logger: quietSlackLogger,
  });
});
afterEach(async () => {
  await fake.close();
});

/** The Slack error code a rejected call carries (WebAPIPlatformError.data.error). */
async function slackError(call: Promise<unknown>): Promise<Record<string, unknown>> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e as { code?: string; data?: Record<string, unknown> },
  );
  expect(error?.code).toBe('slack_webapi_platform_error');
  return error?.data ?? {};
}

describe('chat', () => {
  it('posts as the bot with blocks the fake records decoded, and answers like Slack', async () => {
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
    const posted = await client.chat.postMessage({
      channel: 'C0000INCIDENT',
      text: incident.text,
      blocks: incident.blocks,
    });
    expect(posted).toMatchObject({
      ok: true,
      channel: 'C0000INCIDENT',
      ts: expect.stringMatching(/^\d{10}\.\d{6}$/),
      message: {
        type: 'message',
        user: BOT.userId,
        bot_id: BOT.botId,
        team: 'T0000FLEET',
        text: incident.text,
        blocks: incident.blocks,
      },
    });
    expect(posted.message?.ts).toBe(posted.ts);

    const call = await fake.waitFor('chat.postMessage');
    expect(call).toMatchObject({ token: TOKEN, status: 200, response: { ts: posted.ts } });
    expect(call.args.blocks).toEqual(incident.blocks);
    expect(call.args).toMatchObject({ channel: 'C0000INCIDENT', text: incident.text });
    expect(fake.messages).toEqual([
      { channel: 'C0000INCIDENT', ts: posted.ts, text: incident.text, blocks: incident.blocks },
    ]);

    // Each message has a fresh, increasing ts; `#name` resolves to the channel id.
    const reply = await client.chat.postMessage({
      channel: '#fleet-incidents',
      text: 'ack',
      thread_ts: posted.ts,
    });
    expect(reply.channel).toBe('C0000INCIDENT');
    expect(Number(reply.ts)).toBeGreaterThan(Number(posted.ts));
    expect(reply.message).toMatchObject({ thread_ts: posted.ts });
  });

  it('updates, deletes, and refuses to update an ephemeral message', async () => {
    const posted = await client.chat.postMessage({
      channel: 'C0000INCIDENT',
      text: 'restarting',
      blocks: [],
    });
    const blocks = [{ type: 'section', block_id: 'done', text: { type: 'mrkdwn', text: '*done*' } }];
    const updated = await client.chat.update({
      channel: 'C0000INCIDENT',
      ts: posted.ts ?? '',
      text: 'done',
      blocks,
    });
    expect(updated).toMatchObject({
      channel: 'C0000INCIDENT',
      ts: posted.ts,
      text: 'done',
      message: { blocks },
    });
    expect(fake.messages[0]).toMatchObject({ text: 'done', blocks, edited: { user: BOT.userId } });

    const ephemeral = await client.chat.postEphemeral({
      channel: 'C0000INCIDENT',
      user: 'U0000ONCALL',
      text: 'only you',
    });
    expect(ephemeral.message_ts).toMatch(/^\d{10}\.\d{6}$/);
    const refused = await slackError(
      client.chat.update({ channel: 'C0000INCIDENT', ts: ephemeral.message_ts ?? '', text: 'x' }),
    );
    expect(refused.error).toBe('message_not_found');

    await client.chat.delete({ channel: 'C0000INCIDENT', ts: posted.ts ?? '' });
    expect(fake.messages).toEqual([]);
  });

  it('refuses what Slack refuses: no text, Block Kit over its limits, an unknown channel name', async () => {
    expect((await slackError(client.chat.postMessage({ channel: 'C0000INCIDENT', text: '' }))).error).toBe(
      'no_text',
    );
    const tooLong = [{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } }];
    const invalid = await slackError(
      client.chat.postMessage({ channel: 'C0000INCIDENT', text: 'x', blocks: tooLong }),
    );
    expect(invalid).toMatchObject({
      error: 'invalid_blocks',
      errors: ['must be less than 3001 characters [json-pointer:/blocks/0/text/text]'],
    });
    const many = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    expect(
      (await slackError(client.chat.postMessage({ channel: 'C1', text: 'x', blocks: many }))).errors,
    ).toEqual(['must be less than 51 items [json-pointer:/blocks]']);
    expect((await slackError(client.chat.postMessage({ channel: '#nowhere', text: 'x' }))).error).toBe(
      'channel_not_found',
    );
  });
});

describe('people and channels', () => {
  it('answers usergroups.users.list as arranged, no_such_subteam otherwise', async () => {
    fake.setUsergroup('S0000ONCALL', ['U0000ONCALL', 'U0000TEAMLEAD']);
    const group = await client.usergroups.users.list({ usergroup: 'S0000ONCALL' });
    expect(group.users).toEqual(['U0000ONCALL', 'U0000TEAMLEAD']);
    expect((await slackError(client.usergroups.users.list({ usergroup: 'S0000NOPE' }))).error).toBe(
      'no_such_subteam',
    );
  });

  it('answers users.info with names and time zones, arranged or by default', async () => {
    fake.setUser({ id: 'U0000DBA', real_name: 'Dana Base', tz: 'Europe/Berlin' });
    const dba = await client.users.info({ user: 'U0000DBA' });
    expect(dba.user).toMatchObject({
      id: 'U0000DBA',
      real_name: 'Dana Base',
      tz: 'Europe/Berlin',
      tz_label: expect.stringMatching(/Central European/),
      tz_offset: expect.any(Number),
    });
    const oncall = await client.users.info({ user: 'U0000ONCALL' });
    expect(oncall.user).toMatchObject({ name: 'oncall.engineer', tz: 'America/Los_Angeles' });
    expect((await slackError(client.users.info({ user: 'nobody' }))).error).toBe('user_not_found');
  });

  it('creates a channel, invites into it and describes it', async () => {
    const created = await client.conversations.create({ name: 'inc-0001-fleet-api' });
    const id = created.channel?.id ?? '';
    expect(created.channel).toMatchObject({ name: 'inc-0001-fleet-api', is_private: false, is_member: true });
    expect((await slackError(client.conversations.create({ name: 'inc-0001-fleet-api' }))).error).toBe(
      'name_taken',
    );
    expect((await slackError(client.conversations.create({ name: 'Bad Name' }))).error).toBe(
      'invalid_name_specials',
    );

    await client.conversations.invite({ channel: id, users: 'U0000ONCALL,U0000TEAMLEAD' });
    expect((await client.conversations.info({ channel: id })).channel).toMatchObject({ id, num_members: 3 });
    const again = await slackError(client.conversations.invite({ channel: id, users: 'U0000ONCALL' }));
    expect(again).toMatchObject({
      error: 'already_in_channel',
      errors: [{ user: 'U0000ONCALL', ok: false, error: 'already_in_channel' }],
    });
  });
});

describe('modals', () => {
  const view = {
    type: 'modal' as const,
    callback_id: 'fleet_declare_incident',
    title: { type: 'plain_text' as const, text: 'Declare incident' },
    blocks: [],
  };

  it('opens a modal once per trigger_id, within 3 s of the trigger, and updates it by hash', async () => {
    const triggerId = issueTriggerId();
    const opened = await client.views.open({ trigger_id: triggerId, view });
    expect(opened.view).toMatchObject({
      id: expect.stringMatching(/^V/),
      callback_id: 'fleet_declare_incident',
    });
    expect((await slackError(client.views.open({ trigger_id: triggerId, view }))).error).toBe(
      'exchanged_trigger_id',
    );
    const late = issueTriggerId(Date.now() - 3500);
    expect((await slackError(client.views.open({ trigger_id: late, view }))).error).toBe(
      'expired_trigger_id',
    );

    const id = opened.view?.id ?? '';
    const updated = await client.views.update({ view_id: id, hash: opened.view?.hash ?? '', view });
    expect(updated.view?.id).toBe(id);
    const stale = await slackError(client.views.update({ view_id: id, hash: opened.view?.hash ?? '', view }));
    expect(stale.error).toBe('hash_conflict');
  });
});

describe('files.uploadV2', () => {
  it('runs the three steps against the fake and stores the file', async () => {
    const log = 'line 1\nline 2: CrashLoopBackOff\n';
    const result = await client.files.uploadV2({
      channel_id: 'C0000INCIDENT',
      thread_ts: '1749737200.000100',
      content: log,
      filename: 'fleet-api.log',
      title: 'fleet-api-w7t4m previous container log',
    });
    expect(fake.calls.map((call) => call.method)).toEqual([
      'files.getUploadURLExternal',
      'files.completeUploadExternal',
    ]);
    expect(fake.callsTo('files.getUploadURLExternal')[0]?.args).toMatchObject({
      filename: 'fleet-api.log',
      length: String(Buffer.byteLength(log)),
    });
    const [upload] = fake.uploads;
    expect(upload).toMatchObject({
      filename: 'fleet-api.log',
      title: 'fleet-api-w7t4m previous container log',
      channel: 'C0000INCIDENT',
      thread_ts: '1749737200.000100',
      bytes: log,
      completed: true,
    });
    // files.uploadV2 is typed as a plain WebAPICallResult; it answers the completions as `files`.
    expect((result as { files?: unknown }).files).toMatchObject([
      { ok: true, files: [{ id: upload?.id, title: 'fleet-api-w7t4m previous container log' }] },
    ]);

    // "This method can only be called once."
    const again = client.files.completeUploadExternal({ files: [{ id: upload?.id ?? '' }] });
    expect((await slackError(again)).error).toBe('file_not_found');
    const empty = client.files.getUploadURLExternal({ filename: 'empty.log', length: 0 });
    expect((await slackError(empty)).error).toBe('missing_argument');
  });
});

describe('authentication and scopes', () => {
  it('answers not_authed, invalid_auth and not_allowed_token_type with HTTP 200', async () => {
    const anonymous = new WebClient(undefined, {
      slackApiUrl: fake.url,
      retryConfig: { retries: 0 },
      logger: quietSlackLogger,
    });
    expect((await slackError(anonymous.auth.test())).error).toBe('not_authed');
    const appLevel = new WebClient('xapp-1-fake', {
      slackApiUrl: fake.url,
      retryConfig: { retries: 0 },
      logger: quietSlackLogger,
    });
    expect((await slackError(appLevel.chat.postMessage({ channel: 'C1', text: 'x' }))).error).toBe(
      'not_allowed_token_type',
    );
    expect((await slackError(client.apps.connections.open({}))).error).toBe('invalid_auth');
    expect(fake.calls.every((call) => call.status === 200)).toBe(true);

    const strict = await startFakeSlack({ tokens: [TOKEN] });
    try {
      const other = new WebClient('xoxb-revoked', {
        slackApiUrl: strict.url,
        retryConfig: { retries: 0 },
        logger: quietSlackLogger,
      });
      expect((await slackError(other.auth.test())).error).toBe('invalid_auth');
      const bot = new WebClient(TOKEN, {
        slackApiUrl: strict.url,
        retryConfig: { retries: 0 },
        logger: quietSlackLogger,
      });
      expect(await bot.auth.test()).toMatchObject({
        team_id: 'T0000FLEET',
        user_id: BOT.userId,
        bot_id: BOT.botId,
      });
    } finally {
      await strict.close();
    }
  });

  it('answers missing_scope with needed/provided when the token lacks the scope', async () => {
    const narrow = await startFakeSlack({ scopes: ['chat:write'] });
    try {
      const bot = new WebClient(TOKEN, {
        slackApiUrl: narrow.url,
        retryConfig: { retries: 0 },
        logger: quietSlackLogger,
      });
      const refused = await slackError(bot.usergroups.users.list({ usergroup: 'S0000ONCALL' }));
      expect(refused).toMatchObject({
        error: 'missing_scope',
        needed: 'usergroups:read',
        provided: 'chat:write',
      });
      // Slack's scope headers reach response_metadata.
      const posted = await bot.chat.postMessage({ channel: 'C1', text: 'x' });
      expect(posted.response_metadata).toMatchObject({
        scopes: ['chat:write'],
        acceptedScopes: ['chat:write'],
      });
    } finally {
      await narrow.close();
    }
    expect(manifestBotScopes()).toContain('chat:write');
  });

  it('answers unknown methods with unknown_method', async () => {
    const answer = await slackError(client.apiCall('fleet.nonsense', {}));
    expect(answer).toMatchObject({ error: 'unknown_method', req_method: 'fleet.nonsense' });
  });
});

describe('other clients', () => {
  it('takes JSON bodies and records them as sent', async () => {
    const response = await fetch(`${fake.url}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: 'C0000INCIDENT', text: 'json', blocks: [{ type: 'divider' }] }),
    });
    expect(await response.json()).toMatchObject({ ok: true, channel: 'C0000INCIDENT' });
    expect(fake.callsTo('chat.postMessage')[0]?.args).toEqual({
      channel: 'C0000INCIDENT',
      text: 'json',
      blocks: [{ type: 'divider' }],
    });
  });

  it('keeps response_url posts, five per URL as Slack allows', async () => {
    const url = fake.responseUrl();
    const post = (body: unknown) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const waiting = fake.waitForResponse((p) => p.body.response_type === 'in_channel');
    const payloads = loadSlackFixture<Record<string, unknown>>('response-url-payloads.json');
    for (const payload of Object.values(payloads)) expect((await post(payload)).status).toBe(200);
    expect((await waiting).body).toEqual(payloads.in_channel);
    expect(fake.responses).toHaveLength(5);
    const sixth = await post({ text: 'one too many' });
    expect([sixth.status, await sixth.text()]).toEqual([404, 'used_url']);
  });

  it('waitFor waits for a later call and names what it saw when none matches', async () => {
    const later = fake.waitFor('chat.postMessage', (call) => call.args.text === 'second');
    await client.chat.postMessage({ channel: 'C1', text: 'first' });
    await client.chat.postMessage({ channel: 'C1', text: 'second' });
    expect((await later).args.text).toBe('second');
    await expect(fake.waitFor('chat.postMessage', (call) => call.args.text === 'third', 50)).rejects.toThrow(
      /no matching chat\.postMessage call within 50 ms; .*"text":"first"/,
    );
  });
});
