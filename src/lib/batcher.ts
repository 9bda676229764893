export interface BatcherOptions {
  /** Batches outstanding at once; later items gather behind them. */
  maxInFlight: number;
  maxBatch: number;
}

const DEFAULTS: BatcherOptions = { maxInFlight: 2, maxBatch: 500 };

interface Pending<In, Out> {
  item: In;
  resolve(out: Out): void;
  reject(error: unknown): void;
}

/**
 * Group commit: coalesces concurrent writes into one batch call, and so into one transaction and
 * one fsync for many callers, each of which still waits for the commit that holds its item. An item
 * that arrives while nothing is in flight goes out at once, alone: batching adds no latency when it
 * is quiet. `run` answers one result per item, in order; a batch that fails fails all its items.
 */
export class Batcher<In, Out> {
  private readonly run: (items: In[]) => Promise<Out[]>;
  private readonly options: BatcherOptions;
  private pending: Pending<In, Out>[] = [];
  private inFlight = 0;

  constructor(run: (items: In[]) => Promise<Out[]>, options: Partial<BatcherOptions> = {}) {
    this.run = run;
    this.options = { ...DEFAULTS, ...options };
  }

  submit(item: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      // Items submitted in the same tick join the same batch.
      if (this.pending.length === 1) queueMicrotask(() => this.flush());
    });
  }

  private flush(): void {
    while (this.inFlight < this.options.maxInFlight && this.pending.length > 0) {
      const batch = this.pending.splice(0, this.options.maxBatch);
      this.inFlight += 1;
      this.run(batch.map((pending) => pending.item))
        .then(
          (results) => {
            batch.forEach((pending, index) => {
              if (index < results.length) pending.resolve(results[index] as Out);
              else pending.reject(new Error('the batch returned no result for an item'));
            });
          },
          (error: unknown) => {
            for (const pending of batch) pending.reject(error);
          },
        )
        .finally(() => {
          this.inFlight -= 1;
          this.flush();
        });
    }
  }
}
