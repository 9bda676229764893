/** Every Web API call the fake answered, in the order answered, for asserting exactly what a client sent. */
import { Waiters } from './waiters.ts';

export type SlackArgs = Record<string, unknown>;

export interface RecordedCall {
  /** `chat.postMessage`, … as in the URL, unknown methods included. */
  method: string;
  /** Form fields, JSON body and query merged; `blocks`, `attachments`, `files`, `view`, `metadata` decoded from their JSON text. */
  args: SlackArgs;
  /** From `Authorization: Bearer …`, else the `token` argument; undefined when neither came. */
  token: string | undefined;
  /** `Date.now()` when the request arrived. */
  at: number;
  /** HTTP status answered: 200, 429 when rate limited, or an outage's status. */
  status: number;
  /** The JSON body answered; `{}` for an outage, which answers text. */
  response: SlackArgs;
}

export type CallPredicate = (call: RecordedCall) => boolean;

export class CallLog {
  readonly entries: RecordedCall[] = [];
  #waiters = new Waiters<RecordedCall>();

  record(call: RecordedCall): void {
    this.entries.push(call);
    this.#waiters.offer(call);
  }

  to(method: string): RecordedCall[] {
    return this.entries.filter((call) => call.method === method);
  }

  clear(): void {
    this.entries.length = 0;
  }

  /** The first matching call already recorded, else the next one to arrive. */
  waitFor(method: string, predicate: CallPredicate = () => true, timeoutMs = 5000): Promise<RecordedCall> {
    const match = (call: RecordedCall) => call.method === method && predicate(call);
    const recorded = this.entries.find(match);
    if (recorded) return Promise.resolve(recorded);
    return this.#waiters.wait(match, timeoutMs, () => {
      const seen = this.to(method).map((call) => call.args);
      return `fake-slack: no matching ${method} call within ${timeoutMs} ms; ${method} calls seen: ${JSON.stringify(seen)}`;
    });
  }

  close(): void {
    this.#waiters.cancelAll();
  }
}
