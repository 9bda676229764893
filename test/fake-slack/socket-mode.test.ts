// The Socket Mode stand-in with the real @slack/socket-mode client (what Bolt runs with socketMode: true):
// connection through apps.connections.open, hello, envelopes and acks, refresh, and a clean disconnect.
import { App } from '@slack/bolt';
import { SocketModeClient } from '@slack/socket-mode';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  type FakeSlack,
  loadSlackFixture,
  type SocketEnvelope,
  startFakeSlack,
} from '../support/fake-slack/index.ts';
import { quietSlackLogger } from '../support/fake-slack/quiet-logger.ts';

const APP_TOKEN = 'xapp-1-A0000FLEET-0000-fake';

interface SlashCommandEvent {
  envelope_id: string;
  body: { command: string; text: string };
  ack: (response?: Record<string, unknown>) => Promise<void>;
}

let fake: FakeSlack;
let client: SocketModeClient | undefined;
beforeEach(async () => {
  fake = await startFakeSlack();
});
afterEach(async () => {
  await client?.disconnect();
  client = undefined;
  await fake.close();
});

function socketClient(options: { appToken?: string; clientPingTimeout?: number } = {}): SocketModeClient {
  client = new SocketModeClient({
    appToken: options.appToken ?? APP_TOKEN,
    clientOptions: { slackApiUrl: fake.url },
    clientPingTimeout: options.clientPingTimeout,
    logger: quietSlackLogger,
  });
  return client;
}

describe('Socket Mode', () => {
  it('connects through apps.connections.open, delivers a slash command and receives its ack', async () => {
    const socket = socketClient();
    const commands: SlashCommandEvent[] = [];
    socket.on('slash_commands', async (event: SlashCommandEvent) => {
      commands.push(event);
      await event.ack({ text: 'Restart of fleet-api queued' });
    });

    const opened = await socket.start();
    await fake.socket.connected();
    expect(opened).toMatchObject({
      ok: true,
      url: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=/),
    });
    expect(fake.callsTo('apps.connections.open')).toMatchObject([{ token: APP_TOKEN, status: 200 }]);
    expect(fake.socket.connections).toBe(1);

    const envelope = loadSlackFixture<SocketEnvelope>('socket-mode-envelope-slash-command.json');
    const envelopeId = fake.socket.send(envelope);
    expect(envelopeId).not.toBe(envelope.envelope_id);

    expect(await fake.socket.ack(envelopeId)).toEqual({
      envelope_id: envelopeId,
      payload: { text: 'Restart of fleet-api queued' },
    });
    expect(commands).toMatchObject([
      { envelope_id: envelopeId, body: { command: '/fleet', text: 'restart api' } },
    ]);

    await socket.disconnect();
    client = undefined;
    await expect.poll(() => fake.socket.connections).toBe(0);
  });

  it('delivers Events API envelopes; an ack without a response still carries `payload: {}`', async () => {
    const socket = socketClient();
    socket.on('app_mention', async ({ ack }: { ack: () => Promise<void> }) => {
      await ack();
    });
    await socket.start();
    const envelopeId = fake.socket.send(loadSlackFixture('socket-mode-envelope-app-mention.json'));
    expect(await fake.socket.ack(envelopeId)).toEqual({ envelope_id: envelopeId, payload: {} });
  });

  it('fails an ack that never comes within the deadline', async () => {
    await socketClient().start();
    const envelopeId = fake.socket.send(loadSlackFixture('socket-mode-envelope-app-mention.json'));
    await expect(fake.socket.ack(envelopeId, 200)).rejects.toThrow(
      `envelope ${envelopeId} not acked within 200 ms`,
    );
  });

  it('reconnects with a fresh URL after a disconnect frame', async () => {
    // The client waits clientPingTimeout before reconnecting; 1 s keeps the test short.
    const socket = socketClient({ clientPingTimeout: 1000 });
    await socket.start();
    const first = fake.callsTo('apps.connections.open')[0]?.response.url;

    // The client's own `connected` (on hello): disconnecting it before then leaves its reconnect's start()
    // to reject unhandled, a race inside @slack/socket-mode.
    const reconnected = new Promise((resolve) => socket.once('connected', resolve));
    await fake.socket.disconnect('refresh_requested');
    await reconnected;
    expect(fake.socket.connections).toBe(1);

    const urls = fake.callsTo('apps.connections.open').map((call) => call.response.url);
    expect(urls).toHaveLength(2);
    expect(urls[1]).not.toBe(first);
  });

  it('refuses a reused connection URL, as tickets are single-use', async () => {
    const opened = await fetch(`${fake.url}apps.connections.open`, {
      method: 'POST',
      headers: { authorization: `Bearer ${APP_TOKEN}` },
    });
    const { url } = (await opened.json()) as { url: string };
    const connect = () =>
      new Promise<string>((resolve, reject) => {
        const ws = new WebSocket(url);
        ws.once('message', (data) => {
          ws.close();
          resolve(String(data));
        });
        ws.once('error', reject);
      });
    expect(JSON.parse(await connect())).toMatchObject({
      type: 'hello',
      connection_info: { app_id: 'A0000FLEET' },
    });
    await expect(connect()).rejects.toThrow('Unexpected server response: 401');
  });

  it('does not start with a bot token in place of the app-level token', async () => {
    await expect(socketClient({ appToken: 'xoxb-not-an-app-token' }).start()).rejects.toMatchObject({
      data: { error: 'invalid_auth' },
    });
  });

  it('serves a Bolt app in Socket Mode, as fleetbot runs it', async () => {
    const app = new App({
      socketMode: true,
      appToken: APP_TOKEN,
      token: 'xoxb-0000-fake-bot-token',
      clientOptions: { slackApiUrl: fake.url },
      logger: quietSlackLogger,
    });
    app.command('/fleet', async ({ command, ack }) => {
      await ack({ response_type: 'ephemeral', text: `queued: ${command.text}` });
    });
    await app.start();
    try {
      // Bolt verifies the bot token with auth.test, and opens the socket with the app-level token.
      expect(fake.calls.map((call) => [call.method, call.token])).toEqual(
        expect.arrayContaining([
          ['auth.test', 'xoxb-0000-fake-bot-token'],
          ['apps.connections.open', APP_TOKEN],
        ]),
      );
      const envelopeId = fake.socket.send(loadSlackFixture('socket-mode-envelope-slash-command.json'));
      expect(await fake.socket.ack(envelopeId)).toEqual({
        envelope_id: envelopeId,
        payload: { response_type: 'ephemeral', text: 'queued: restart api' },
      });
    } finally {
      await app.stop();
    }
  });
});
