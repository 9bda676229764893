/**
 * response_url endpoints on the fake: a test puts `fake.responseUrl()` into a payload, the app's `respond()`
 * posts JSON there, and the post lands in `responses`. Like Slack, a URL takes at most 5 posts. Posts during an
 * `outage(['response_url'], …)` are answered before they get here (http-routes.ts), so they use none of the 5.
 */
import { randomBytes } from 'node:crypto';
import { Waiters } from './waiters.ts';

export const RESPONSE_PATH = '/response/';

/** "up to 5 times within 30 minutes"; tests never run 30 minutes, so only the count is enforced. */
const USES_PER_URL = 5;

export interface ResponseUrlPost {
  url: string;
  /** The JSON posted, parsed (`response-url-payloads.json` shows the shapes). */
  body: Record<string, unknown>;
  at: number;
}

export class ResponseUrls {
  readonly posts: ResponseUrlPost[] = [];
  readonly #uses = new Map<string, number>();
  readonly #waiters = new Waiters<ResponseUrlPost>();

  issue(origin: string): string {
    const url = `${origin}${RESPONSE_PATH}${randomBytes(12).toString('hex')}`;
    this.#uses.set(url, 0);
    return url;
  }

  /** The HTTP status and text to answer a post to `url` with. */
  receive(url: string, text: string): { status: number; text: string } {
    const uses = this.#uses.get(url);
    if (uses === undefined) return { status: 404, text: 'invalid_url' };
    if (uses >= USES_PER_URL) return { status: 404, text: 'used_url' };
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { status: 400, text: 'invalid_payload' };
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return { status: 400, text: 'invalid_payload' };
    }
    this.#uses.set(url, uses + 1);
    const post = { url, body: body as Record<string, unknown>, at: Date.now() };
    this.posts.push(post);
    this.#waiters.offer(post);
    return { status: 200, text: 'ok' };
  }

  /** The first matching post already received, else the next one. */
  waitFor(predicate: (post: ResponseUrlPost) => boolean, timeoutMs: number): Promise<ResponseUrlPost> {
    const received = this.posts.find(predicate);
    if (received) return Promise.resolve(received);
    return this.#waiters.wait(
      predicate,
      timeoutMs,
      () =>
        `fake-slack: no matching response_url post within ${timeoutMs} ms; posts seen: ${JSON.stringify(this.posts.map((p) => p.body))}`,
    );
  }

  close(): void {
    this.#waiters.cancelAll();
  }
}
