/** Every request the fake received, in arrival order, for asserting exactly what a client sent. */

export interface RecordedRequest {
  method: string;
  /** URL path without the query string, e.g. `/apis/apps/v1/namespaces/fleet-management/deployments/fleet-api`. */
  path: string;
  /** Query parameters; a repeated parameter keeps its last value. */
  query: Record<string, string>;
  contentType: string | undefined;
  accept: string | undefined;
  userAgent: string | undefined;
  /** Parsed JSON when the body is JSON, the raw text otherwise, undefined when empty. */
  body: unknown;
  /** HTTP status sent; 0 while the request is unanswered (hung, or a watch still being set up). */
  status: number;
}

export class RequestLog {
  readonly entries: RecordedRequest[] = [];

  record(entry: RecordedRequest): RecordedRequest {
    this.entries.push(entry);
    return entry;
  }

  clear(): void {
    this.entries.length = 0;
  }
}
