/**
 * The Socket Mode side of Slack, for the real `@slack/socket-mode` client (which Bolt uses):
 *
 * - apps.connections.open hands out `ws://…/link/?ticket=…`, a fresh single-use URL each time, as Slack
 *   does; a reused or unknown ticket is refused at the upgrade with 401.
 * - On connect the fake sends the `hello` frame; the client's start() resolves only on it.
 * - The client pings every clientPingTimeout/3 ms and drops the connection when pongs stop; `ws` answers
 *   pings by itself. The fake sends no pings of its own: the client only watches server pings once it has
 *   seen one, and real Slack's ping cadence is not documented.
 * - Every envelope must be acked with `{"envelope_id": …, "payload"?: …}`; the client always sends a
 *   `payload`, `{}` when the app gave none.
 * - A `disconnect` frame makes the client close and reconnect through apps.connections.open.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { loadSlackFixture } from './fixtures.ts';
import { Waiters } from './waiters.ts';

export const SOCKET_PATH = '/link/';

/** What Slack allows for an ack, as for an HTTP response. */
export const ACK_DEADLINE_MS = 3000;

export interface SocketEnvelope {
  type: 'events_api' | 'interactive' | 'slash_commands' | (string & {});
  payload: unknown;
  accepts_response_payload?: boolean;
  /** Replaced by a fresh one on send: the fixtures' ids are placeholders. */
  envelope_id?: string;
  retry_attempt?: number;
  retry_reason?: string;
}

export interface SocketAck {
  envelope_id: string;
  payload?: Record<string, unknown>;
}

interface ReceivedAck {
  frame: SocketAck;
  at: number;
}

export class FakeSocketMode {
  readonly #origin: string;
  readonly #server = new WebSocketServer({ noServer: true });
  readonly #tickets = new Set<string>();
  #open: WebSocket[] = [];
  readonly #sentAt = new Map<string, number>();
  readonly #received: ReceivedAck[] = [];
  readonly #ackWaiters = new Waiters<ReceivedAck>();
  readonly #connectWaiters = new Waiters<WebSocket>();
  readonly #closeWaiters = new Waiters<WebSocket>();

  /** `origin`: `ws://127.0.0.1:PORT`. */
  constructor(origin: string) {
    this.#origin = origin;
  }

  /** Every ack frame received, oldest first. */
  get acks(): SocketAck[] {
    return this.#received.map((received) => received.frame);
  }

  /** Connections open now. */
  get connections(): number {
    return this.#open.length;
  }

  /** For apps.connections.open. */
  issueUrl(): string {
    const ticket = randomUUID();
    this.#tickets.add(ticket);
    return `${this.#origin}${SOCKET_PATH}?ticket=${ticket}&app_id=${hello().connection_info.app_id}`;
  }

  /** For the HTTP server's `upgrade` event on SOCKET_PATH. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const ticket = new URL(request.url ?? '', 'http://fake-slack').searchParams.get('ticket') ?? '';
    if (!this.#tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.#server.handleUpgrade(request, socket, head, (ws) => this.#accept(ws));
  }

  /**
   * Resolves once a connection is open and its `hello` sent, at once if one is. The client handles the
   * hello a moment later: to know the client is ready, wait for its own `connected` event.
   */
  async connected(timeoutMs = 5000): Promise<void> {
    if (this.#open.length > 0) return;
    await this.#connectWaiters.wait(
      () => true,
      timeoutMs,
      () => `fake-slack: no Socket Mode connection within ${timeoutMs} ms`,
    );
  }

  /** Delivers an envelope on the newest connection; returns its fresh envelope_id. */
  send(envelope: SocketEnvelope): string {
    const ws = this.#open.at(-1);
    if (!ws) throw new Error('fake-slack: no Socket Mode connection; await fake.socket.connected() first');
    const envelopeId = randomUUID();
    this.#sentAt.set(envelopeId, Date.now());
    ws.send(JSON.stringify({ ...envelope, envelope_id: envelopeId }));
    return envelopeId;
  }

  /**
   * The app's ack of an envelope. Rejects when it has not come within `withinMs` of the send, or came
   * later than that: Slack would have shown the user an error by then.
   */
  async ack(envelopeId: string, withinMs = ACK_DEADLINE_MS): Promise<SocketAck> {
    const sentAt = this.#sentAt.get(envelopeId);
    if (sentAt === undefined) throw new Error(`fake-slack: envelope ${envelopeId} was never sent`);
    const match = (ack: ReceivedAck) => ack.frame.envelope_id === envelopeId;
    const received =
      this.#received.find(match) ??
      (await this.#ackWaiters.wait(
        match,
        Math.max(0, sentAt + withinMs - Date.now()),
        () => `fake-slack: envelope ${envelopeId} not acked within ${withinMs} ms`,
      ));
    const elapsed = received.at - sentAt;
    if (elapsed > withinMs) {
      throw new Error(`fake-slack: envelope ${envelopeId} acked after ${elapsed} ms, over ${withinMs} ms`);
    }
    return received.frame;
  }

  /**
   * Sends the `disconnect` frame (`socket-mode-disconnect.json`) on every connection and resolves once the
   * client has closed them all, so a following `connected()` waits for the reconnection.
   */
  async disconnect(
    reason: 'refresh_requested' | 'warning' | 'link_disabled' = 'refresh_requested',
  ): Promise<void> {
    const frame = { ...loadSlackFixture<Record<string, unknown>>('socket-mode-disconnect.json'), reason };
    const closing = [...this.#open].map((ws) => {
      ws.send(JSON.stringify(frame));
      return this.#closeWaiters.wait(
        (closed) => closed === ws,
        5000,
        () =>
          'fake-slack: the Socket Mode client did not close its connection within 5 s of a disconnect frame',
      );
    });
    await Promise.all(closing);
  }

  /** Drops every connection; a client still running will try to reconnect, so stop it first. */
  async close(): Promise<void> {
    for (const ws of this.#server.clients) ws.terminate();
    this.#ackWaiters.cancelAll();
    this.#connectWaiters.cancelAll();
    this.#closeWaiters.cancelAll();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(ws: WebSocket): void {
    this.#open.push(ws);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let frame: unknown;
      try {
        frame = JSON.parse(data.toString());
      } catch {
        return;
      }
      if (
        typeof frame !== 'object' ||
        frame === null ||
        typeof (frame as SocketAck).envelope_id !== 'string'
      ) {
        return;
      }
      const received = { frame: frame as SocketAck, at: Date.now() };
      this.#received.push(received);
      this.#ackWaiters.offer(received);
    });
    ws.on('close', () => {
      this.#open = this.#open.filter((open) => open !== ws);
      this.#closeWaiters.offer(ws);
    });
    ws.send(JSON.stringify({ ...hello(), num_connections: this.#open.length }));
    this.#connectWaiters.offer(ws);
  }
}

function hello(): { connection_info: { app_id: string } } & Record<string, unknown> {
  return loadSlackFixture('socket-mode-hello.json');
}
