/** Scripted misbehaviour per method, consumed in the order scripted: error answers and rate limits. */

export type Fault =
  | { kind: 'error'; error: string; fields: Record<string, unknown> }
  | { kind: 'rate-limit'; retryAfterSeconds: number };

interface Scripted {
  method: string;
  fault: Fault;
  remaining: number;
}

export class FaultPlan {
  #scripted: Scripted[] = [];

  add(method: string, fault: Fault, times: number): void {
    if (!Number.isInteger(times) || times < 1) {
      throw new Error(`fake-slack: times must be a positive integer, got ${times}`);
    }
    this.#scripted.push({ method, fault, remaining: times });
  }

  /** The fault for this call of `method`, if one is scripted; uses it up. */
  take(method: string): Fault | undefined {
    const next = this.#scripted.find((entry) => entry.method === method);
    if (!next) return undefined;
    next.remaining--;
    if (next.remaining === 0) this.#scripted.splice(this.#scripted.indexOf(next), 1);
    return next.fault;
  }
}
