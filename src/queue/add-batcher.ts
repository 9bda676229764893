import type { Job, JobsOptions } from 'bullmq';

export interface JobToAdd {
  name: string;
  data: unknown;
  opts: JobsOptions;
}

interface PendingAdd extends JobToAdd {
  resolve(job: Job): void;
  reject(error: unknown): void;
}

export interface AddBatcherOptions {
  /** Bulk inserts outstanding at once; later adds gather behind them. */
  maxInFlight: number;
  maxBatch: number;
}

const DEFAULTS: AddBatcherOptions = { maxInFlight: 2, maxBatch: 500 };

/**
 * Coalesces concurrent adds to one queue into bulk inserts. Each insert is a
 * commit (on PostgreSQL a transaction with a NOTIFY, which serialises commits),
 * so under a burst of Slack commands one commit for many jobs is what keeps the
 * acknowledgement fast. An add that arrives while nothing is in flight goes out
 * at once, alone: batching adds no latency when the queue is quiet. Every job
 * keeps its own id, so de-duplication works as it does for single adds.
 */
export class AddBatcher {
  private readonly addBulk: (jobs: JobToAdd[]) => Promise<Job[]>;
  private readonly options: AddBatcherOptions;
  private pending: PendingAdd[] = [];
  private inFlight = 0;

  constructor(addBulk: (jobs: JobToAdd[]) => Promise<Job[]>, options: Partial<AddBatcherOptions> = {}) {
    this.addBulk = addBulk;
    this.options = { ...DEFAULTS, ...options };
  }

  add(job: JobToAdd): Promise<Job> {
    return new Promise<Job>((resolve, reject) => {
      this.pending.push({ ...job, resolve, reject });
      // Adds made in the same tick join the same batch.
      if (this.pending.length === 1) queueMicrotask(() => this.flush());
    });
  }

  private flush(): void {
    while (this.inFlight < this.options.maxInFlight && this.pending.length > 0) {
      const batch = this.pending.splice(0, this.options.maxBatch);
      this.inFlight += 1;
      this.addBulk(batch.map(({ name, data, opts }) => ({ name, data, opts })))
        .then(
          (jobs) => {
            batch.forEach((pending, index) => {
              const job = jobs[index];
              if (job) pending.resolve(job);
              else pending.reject(new Error(`the queue returned no job for "${pending.name}"`));
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
