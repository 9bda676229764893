/**
 * Scripted misbehaviour: answer the next matching requests with an error Status, or never answer them.
 * A match without `pathIncludes` ignores discovery requests (`/version`, `/api`, `/apis/...`), so a bare
 * `{ method: 'GET' }` hits the resource read, not kubectl's start-up discovery.
 */

export interface RequestMatch {
  /** HTTP method, case-insensitive. */
  method?: string;
  /** Substring of the request URL, query included (e.g. `watch=true`, `/scale`). */
  pathIncludes?: string;
}

export type InjectedStatus = 403 | 404 | 409 | 500 | 503;

interface Failure {
  match: RequestMatch;
  status: InjectedStatus;
  remaining: number;
}

export interface FaultTarget {
  method: string;
  url: string;
  discovery: boolean;
}

function matches(match: RequestMatch, target: FaultTarget): boolean {
  if (match.method && match.method.toUpperCase() !== target.method) return false;
  if (match.pathIncludes === undefined) return !target.discovery;
  return target.url.includes(match.pathIncludes);
}

export class FaultPlan {
  #failures: Failure[] = [];
  #hangs: RequestMatch[] = [];

  failNext(match: RequestMatch, status: InjectedStatus, times = 1): void {
    this.#failures.push({ match, status, remaining: times });
  }

  hang(match: RequestMatch): void {
    this.#hangs.push(match);
  }

  /** Stops hanging new requests; requests already hung stay unanswered until the client gives up. */
  unhang(): void {
    this.#hangs = [];
  }

  /** What to do with a request: consumes one use of the first failure that matches. */
  decide(target: FaultTarget): { hang: true } | { fail: InjectedStatus } | undefined {
    if (this.#hangs.some((m) => matches(m, target))) return { hang: true };
    const failure = this.#failures.find((f) => f.remaining > 0 && matches(f.match, target));
    if (!failure) return undefined;
    failure.remaining--;
    this.#failures = this.#failures.filter((f) => f.remaining > 0);
    return { fail: failure.status };
  }
}
