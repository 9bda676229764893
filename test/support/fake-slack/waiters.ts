/** Promises that settle when a matching item arrives, or fail after a timeout that says what was missing. */

interface Waiter<T> {
  match: (item: T) => boolean;
  resolve: (item: T) => void;
  timer: NodeJS.Timeout;
}

export class Waiters<T> {
  #waiting = new Set<Waiter<T>>();

  /** `describeMiss` runs at the timeout, so its message can list what did arrive meanwhile. */
  wait(match: (item: T) => boolean, timeoutMs: number, describeMiss: () => string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = {
        match,
        resolve,
        timer: setTimeout(() => {
          this.#waiting.delete(waiter);
          reject(new Error(describeMiss()));
        }, timeoutMs),
      };
      this.#waiting.add(waiter);
    });
  }

  offer(item: T): void {
    for (const waiter of this.#waiting) {
      if (!waiter.match(item)) continue;
      clearTimeout(waiter.timer);
      this.#waiting.delete(waiter);
      waiter.resolve(item);
    }
  }

  /**
   * Stops the timers and leaves the promises pending: a waiter still here at close belongs to a test that
   * already ended (failed, or never awaited it), and rejecting it would only add an unhandled rejection.
   */
  cancelAll(): void {
    for (const waiter of this.#waiting) clearTimeout(waiter.timer);
    this.#waiting.clear();
  }
}
