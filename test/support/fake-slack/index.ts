/**
 * A fake Slack for tests: the Web API on a local node:http server, the external file upload, response_url
 * endpoints and a Socket Mode WebSocket, for the real @slack/web-api, @slack/socket-mode and Bolt clients.
 * Every Web API call is recorded; faults and rate limits are scripted per method, or opened as time windows.
 *
 *   const slack = await startFakeSlack();
 *   const client = new WebClient('xoxb-test', { slackApiUrl: slack.url }); // SLACK_API_URL=slack.url
 *   await client.chat.postMessage({ channel: 'C0000INCIDENT', text: 'hi', blocks });
 *   (await slack.waitFor('chat.postMessage')).args.blocks; // decoded objects
 *   await slack.close();
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallLog, type CallPredicate, type RecordedCall } from './call-log.ts';
import { FaultPlan } from './faults.ts';
import { serveSlack } from './http-routes.ts';
import { MessageStore, type PostedMessage } from './message-store.ts';
import { type ResponseUrlPost, ResponseUrls } from './response-urls.ts';
import { ALL_SCOPES } from './scopes.ts';
import { FakeSocketMode } from './socket-mode.ts';
import { type StoredUpload, UploadStore } from './upload-store.ts';
import { ViewStore } from './view-store.ts';
import { type ChannelSeed, type UserSeed, Workspace } from './workspace.ts';

export type { CallPredicate, RecordedCall, SlackArgs } from './call-log.ts';
export { loadSlackFixture, readSlackFixtureText } from './fixtures.ts';
export { APP_ID, BOT, TEAM } from './identity.ts';
export type { PostedMessage } from './message-store.ts';
export type { ResponseUrlPost } from './response-urls.ts';
export { ALL_SCOPES, manifestBotScopes } from './scopes.ts';
export { ACK_DEADLINE_MS, type FakeSocketMode, type SocketAck, type SocketEnvelope } from './socket-mode.ts';
export { issueTriggerId, TRIGGER_LIFETIME_MS } from './trigger-ids.ts';
export type { StoredUpload } from './upload-store.ts';
export type { ChannelSeed, UserSeed } from './workspace.ts';

export interface FakeSlackOptions {
  /** Bot scopes the token carries; a method needing another answers `missing_scope`. Default: ALL_SCOPES. */
  scopes?: readonly string[];
  /** The only tokens that authenticate (others: `invalid_auth`). Default: any `xoxb-`/`xoxp-`/`xapp-` token. */
  tokens?: readonly string[];
}

export interface FakeSlack {
  /** `http://127.0.0.1:PORT/api/`: WebClient's `slackApiUrl`, which it joins as `${url}${method}`. */
  readonly url: string;
  /** Every Web API call answered, oldest first, failed and rate-limited ones included. */
  readonly calls: readonly RecordedCall[];
  callsTo(method: string): RecordedCall[];
  clearCalls(): void;
  /** The first recorded call to `method` matching `predicate`, else the next one. Default timeout 5 s. */
  waitFor(method: string, predicate?: CallPredicate, timeoutMs?: number): Promise<RecordedCall>;
  /** Messages the bot posted, as they stand after chat.update and chat.delete. */
  readonly messages: readonly PostedMessage[];
  /** Files announced through files.getUploadURLExternal, with their bytes once uploaded. */
  readonly uploads: readonly StoredUpload[];
  /** A fresh response_url on the fake (5 posts at most); posts land in `responses`. */
  responseUrl(): string;
  readonly responses: readonly ResponseUrlPost[];
  waitForResponse(
    predicate?: (post: ResponseUrlPost) => boolean,
    timeoutMs?: number,
  ): Promise<ResponseUrlPost>;
  /** The Home tab last published for a user (views.publish), as Slack keeps it. */
  home(userId: string): Record<string, unknown> | undefined;
  /** Members answered by usergroups.users.list; unknown groups answer `no_such_subteam`. */
  setUsergroup(id: string, members: readonly string[]): void;
  /** Arrange users.info; well-formed ids not set get a default user. */
  setUser(user: UserSeed): void;
  /** Arrange a channel (known by name too); returns its id. */
  setChannel(channel: ChannelSeed): string;
  /**
   * Answer the next `times` calls to `method` with HTTP 200 `{ok: false, error, ...fields}`. `missing_scope`
   * gets Slack's `needed`/`provided` fields unless `fields` gives them.
   */
  failNext(method: string, error: string, times?: number, fields?: Record<string, unknown>): void;
  /** Answer the next `times` calls to `method` with HTTP 429, `Retry-After`, `{ok:false, error:'ratelimited'}`. */
  rateLimitNext(method: string, retryAfterSeconds: number, times?: number): void;
  /**
   * For the next `forMs` ms, answer every call to `methods` the way a load balancer in front of Slack does in
   * an outage: HTTP `status` and a line of text, no `ok` JSON. Calls are still recorded, with that status.
   * The pseudo-method `response_url` covers response_url posts too: they are neither delivered nor counted.
   * Windows answer after the token check and before scripted faults, which wait for the window to end; when
   * several windows cover a method, the first opened wins.
   */
  outage(methods: readonly string[], options: { status: number; forMs: number }): void;
  /** `rateLimitNext` for every call to `methods` in the next `forMs` ms, ordered as `outage` windows are. */
  rateLimitFor(methods: readonly string[], options: { retryAfterSeconds: number; forMs: number }): void;
  readonly socket: FakeSocketMode;
  /** Stop Socket Mode clients first: one that loses its connection reconnects through apps.connections.open. */
  close(): Promise<void>;
}

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const log = new CallLog();
  const faults = new FaultPlan();
  const workspace = new Workspace();
  const messages = new MessageStore();
  const uploads = new UploadStore();
  const responseUrls = new ResponseUrls();
  const scopes = [...(options.scopes ?? ALL_SCOPES)];

  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const socket = new FakeSocketMode(`ws://${host}`);
  const views = new ViewStore();
  serveSlack(server, {
    log,
    faults,
    context: { workspace, messages, views, uploads, socket, origin: `http://${host}` },
    responseUrls,
    scopes,
    tokens: options.tokens ? new Set(options.tokens) : undefined,
  });

  return {
    url: `http://${host}/api/`,
    calls: log.entries,
    callsTo: (method) => log.to(method),
    clearCalls: () => log.clear(),
    waitFor: (method, predicate, timeoutMs) => log.waitFor(method, predicate, timeoutMs),
    messages: messages.posted,
    uploads: uploads.files,
    responseUrl: () => responseUrls.issue(`http://${host}`),
    responses: responseUrls.posts,
    waitForResponse: (predicate = () => true, timeoutMs = 5000) => responseUrls.waitFor(predicate, timeoutMs),
    home: (userId) => views.home(userId),
    setUsergroup: (id, members) => workspace.setUsergroup(id, members),
    setUser: (user) => workspace.setUser(user),
    setChannel: (channel) => workspace.setChannel(channel),
    failNext: (method, error, times = 1, fields = {}) =>
      faults.add(method, { kind: 'error', error, fields }, times),
    rateLimitNext: (method, retryAfterSeconds, times = 1) =>
      faults.add(method, { kind: 'rate-limit', retryAfterSeconds }, times),
    outage: (methods, { status, forMs }) => faults.addWindow(methods, { kind: 'outage', status }, forMs),
    rateLimitFor: (methods, { retryAfterSeconds, forMs }) =>
      faults.addWindow(methods, { kind: 'rate-limit', retryAfterSeconds }, forMs),
    socket,
    async close() {
      log.close();
      responseUrls.close();
      await socket.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
