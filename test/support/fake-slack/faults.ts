/**
 * Misbehaviour per method: scripted faults, consumed in the order scripted (error answers and rate limits),
 * and time windows (outages and rate limits) that answer every matching call until they end.
 */

/** The pseudo-method an outage window names to cover response_url posts as well. */
export const RESPONSE_URL_METHOD = 'response_url';

export type Fault =
  | { kind: 'error'; error: string; fields: Record<string, unknown> }
  | { kind: 'rate-limit'; retryAfterSeconds: number }
  // What a load balancer in front of Slack answers: an HTTP error status and a short text, no `ok` JSON.
  | { kind: 'outage'; status: number };

export type WindowFault = Extract<Fault, { kind: 'rate-limit' | 'outage' }>;

interface Scripted {
  method: string;
  fault: Fault;
  remaining: number;
}

interface Window {
  methods: ReadonlySet<string>;
  fault: WindowFault;
  /** `Date.now()` at which the window ends, the same clock as RecordedCall.at. */
  until: number;
}

function windowFaultProblem(methods: readonly string[], fault: WindowFault): string | undefined {
  if (fault.kind === 'outage') {
    const { status } = fault;
    return Number.isInteger(status) && status >= 400 && status <= 599
      ? undefined
      : `an outage answers an HTTP error status (400-599), got ${status}`;
  }
  if (!Number.isInteger(fault.retryAfterSeconds) || fault.retryAfterSeconds < 0) {
    return `retryAfterSeconds must be a whole number, got ${fault.retryAfterSeconds}`;
  }
  // response_url posts only check for outages (http-routes.ts): a rate limit there would silently never apply.
  if (methods.includes(RESPONSE_URL_METHOD)) return `rate limits do not cover ${RESPONSE_URL_METHOD}`;
  return undefined;
}

export class FaultPlan {
  #scripted: Scripted[] = [];
  #windows: Window[] = [];

  add(method: string, fault: Fault, times: number): void {
    if (!Number.isInteger(times) || times < 1) {
      throw new Error(`fake-slack: times must be a positive integer, got ${times}`);
    }
    this.#scripted.push({ method, fault, remaining: times });
  }

  /** Answers every call to `methods` with `fault` for the next `forMs` ms. */
  addWindow(methods: readonly string[], fault: WindowFault, forMs: number): void {
    if (methods.length === 0) throw new Error('fake-slack: a fault window needs at least one method');
    if (!Number.isFinite(forMs) || forMs <= 0) {
      throw new Error(`fake-slack: forMs must be a positive number, got ${forMs}`);
    }
    const problem = windowFaultProblem(methods, fault);
    if (problem) throw new Error(`fake-slack: ${problem}`);
    this.#windows.push({ methods: new Set(methods), fault, until: Date.now() + forMs });
  }

  /**
   * The fault for this call of `method`: an open window's (the first added wins), else a scripted one,
   * which it uses up. A scripted fault is not used while a window answers, so it still comes afterwards.
   */
  take(method: string): Fault | undefined {
    return this.inWindow(method) ?? this.#takeScripted(method);
  }

  /** The fault of the first window open now that covers `method`; ended windows are dropped. */
  inWindow(method: string): WindowFault | undefined {
    const now = Date.now();
    this.#windows = this.#windows.filter((window) => window.until > now);
    return this.#windows.find((window) => window.methods.has(method))?.fault;
  }

  #takeScripted(method: string): Fault | undefined {
    const next = this.#scripted.find((entry) => entry.method === method);
    if (!next) return undefined;
    next.remaining--;
    if (next.remaining === 0) this.#scripted.splice(this.#scripted.indexOf(next), 1);
    return next.fault;
  }
}
