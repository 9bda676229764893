/**
 * Requests exactly as Slack sends them to an HTTP Request URL: bodies built from the shared fixtures and
 * encoded byte for byte like Slack's, signed with the v0 HMAC, posted with Slack's headers.
 *
 *   const body = slashCommandBody({ text: 'restart api', response_url: fake.responseUrl() });
 *   const res = await postSigned(`${app.url}/slack/events`, body, { secret });
 *   expect(res.status).toBe(200);
 */
import { createHmac, randomBytes } from 'node:crypto';
import { loadSlackFixture, readSlackFixtureText } from './fake-slack/fixtures.ts';
import { slackId } from './fake-slack/ids.ts';
import { issueTriggerId } from './fake-slack/trigger-ids.ts';

type Json = Record<string, unknown>;

/** Merged into a fixture payload: objects key by key, arrays and scalars replaced, `undefined` removes. */
export type PayloadOverrides = Json;

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export interface SlackSignatureHeaders {
  'content-type': string;
  'x-slack-request-timestamp': string;
  'x-slack-signature': string;
}

/** Slack's v0 signature: `v0=` + hex HMAC-SHA256(secret, `v0:${timestamp}:${body}`). */
export function signSlackRequest(
  body: string,
  secret: string,
  timestamp: number | string = nowSeconds(),
): SlackSignatureHeaders {
  const ts = String(timestamp);
  return {
    'content-type': body.startsWith('{') ? 'application/json' : 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': ts,
    'x-slack-signature': `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`,
  };
}

/**
 * PHP's urlencode, which Slack's form bodies follow: only letters, digits and `-_.` stay as they are and a
 * space becomes `+`. encodeURIComponent also keeps `!'()*~`, which Slack sends encoded (`*` → `%2A`).
 */
function formEncode(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replaceAll('%20', '+');
}

function formBody(fields: Iterable<[string, string]>): string {
  return [...fields].map(([name, value]) => `${formEncode(name)}=${formEncode(value)}`).join('&');
}

/** JSON as Slack's encoder writes it: `/` as `\/`, non-ASCII as `\uXXXX` (lowercase hex). */
function slackJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll('/', '\\/')
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function merge(base: Json, overrides: Json): Json {
  const merged: Json = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const current = merged[key];
    merged[key] = isObject(current) && isObject(value) ? merge(current, value) : value;
  }
  return merged;
}

/** A response_url in Slack's shape, unique per payload as Slack's are (not routable: see FakeSlack.responseUrl). */
function freshResponseUrl(kind: 'commands' | 'actions'): string {
  const digits = String(Date.now());
  return `https://hooks.slack.com/${kind}/T0000FLEET/${digits}/${randomBytes(12).toString('hex')}`;
}

export interface SlashCommandFields {
  token?: string;
  team_id?: string;
  team_domain?: string;
  channel_id?: string;
  channel_name?: string;
  user_id?: string;
  user_name?: string;
  /** Default `/fleet`. */
  command?: string;
  /** Default `health`. */
  text?: string;
  api_app_id?: string;
  /** A string, like every field of a form body. */
  is_enterprise_install?: string;
  /** Default: a fresh hooks.slack.com URL. */
  response_url?: string;
  /** Default: a fresh id that the fake expires after 3 s. */
  trigger_id?: string;
  [field: string]: string | undefined;
}

/** `/fleet health` from `slash-command-fleet-health.txt`, fields replaced in place, extra fields appended. */
export function slashCommandBody(fields: SlashCommandFields = {}): string {
  const body = new Map(new URLSearchParams(readSlackFixtureText('slash-command-fleet-health.txt')));
  body.set('response_url', freshResponseUrl('commands'));
  body.set('trigger_id', issueTriggerId());
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) body.delete(name);
    else body.set(name, value);
  }
  return formBody(body);
}

function payloadBody(fixture: string, fresh: Json, overrides: PayloadOverrides): string {
  const payload = merge(merge(loadSlackFixture<Json>(fixture), fresh), overrides);
  return formBody([['payload', slackJson(payload)]]);
}

/** The Restart button click (`block-actions-restart-button.json`) as `payload=…`, fresh trigger_id and response_url. */
export function blockActionsBody(overrides: PayloadOverrides = {}): string {
  const fresh = { trigger_id: issueTriggerId(), response_url: freshResponseUrl('actions') };
  return payloadBody('block-actions-restart-button.json', fresh, overrides);
}

/** The Declare incident modal submitted (`view-submission-declare-incident.json`), fresh trigger_id. */
export function viewSubmissionBody(overrides: PayloadOverrides = {}): string {
  return payloadBody('view-submission-declare-incident.json', { trigger_id: issueTriggerId() }, overrides);
}

/** The rich_text block Slack derives from a message's text: `<@U…>` mentions as user elements. */
function richTextBlocks(text: string): Json[] {
  const elements = text
    .split(/(<@[UW][A-Z0-9]+>)/)
    .filter(Boolean)
    .map((part) => {
      const mention = /^<@([UW][A-Z0-9]+)>$/.exec(part);
      return mention ? { type: 'user', user_id: mention[1] } : { type: 'text', text: part };
    });
  return [
    {
      type: 'rich_text',
      block_id: randomBytes(3).toString('base64url'),
      elements: [{ type: 'rich_text_section', elements }],
    },
  ];
}

/** `@fleetbot status fleet-api` (`events-app-mention.json` → `event`); a new `text` brings matching blocks. */
export function appMentionEvent(overrides: PayloadOverrides = {}): Json {
  const event = loadSlackFixture<{ event: Json }>('events-app-mention.json').event;
  const text = overrides.text;
  const blocks =
    typeof text === 'string' && overrides.blocks === undefined ? { blocks: richTextBlocks(text) } : {};
  return merge(merge(event, blocks), overrides);
}

/** An Events API `event_callback` carrying `event`, with a fresh `event_id` and `event_time`. */
export function eventBody(event: Json = appMentionEvent(), fields: PayloadOverrides = {}): string {
  const callback = loadSlackFixture<Json>('events-app-mention.json');
  const fresh = { event_id: slackId('Ev'), event_time: nowSeconds() };
  return slackJson(merge(merge({ ...callback, event }, fresh), fields));
}

/** The `url_verification` challenge Slack sends when the Request URL is saved. */
export function urlVerificationBody(challenge?: string): string {
  const fixture = loadSlackFixture<Json>('events-url-verification.json');
  return slackJson(challenge === undefined ? fixture : { ...fixture, challenge });
}

export interface PostSignedOptions {
  secret: string;
  /** Unix seconds. Default: now. */
  timestamp?: number | string;
  /** Sends it as Slack's retry number n (1–3): `x-slack-retry-num` and `x-slack-retry-reason`. */
  retryNum?: number;
  /** Default `http_timeout`. */
  retryReason?: string;
  /** Sends a signature that does not match (its last hex digit changed). */
  forge?: boolean;
}

export interface SignedResponse {
  status: number;
  headers: Headers;
  text: string;
  /** From sending to the whole answer read: Slack gives up after 3000 ms. */
  elapsedMs: number;
  json<T = unknown>(): T;
}

export async function postSigned(
  url: string,
  body: string,
  options: PostSignedOptions,
): Promise<SignedResponse> {
  const headers: Record<string, string> = {
    ...signSlackRequest(body, options.secret, options.timestamp),
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
  };
  if (options.forge) {
    const signature = headers['x-slack-signature'] ?? '';
    headers['x-slack-signature'] = signature.slice(0, -1) + (signature.endsWith('0') ? '1' : '0');
  }
  if (options.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(options.retryNum);
    headers['x-slack-retry-reason'] = options.retryReason ?? 'http_timeout';
  }
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    elapsedMs: Math.round(performance.now() - started),
    json: <T>() => JSON.parse(text) as T,
  };
}
