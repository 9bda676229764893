import type { Job } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { Batcher } from '../../src/lib/batcher.ts';

interface JobToAdd {
  name: string;
  data: unknown;
  opts: { jobId: string };
}

/** A stand-in bulk insert that records each batch and answers when told to. */
function recordingBulk() {
  const batches: { jobs: JobToAdd[]; settle: (error?: Error) => void }[] = [];
  const addBulk = (jobs: JobToAdd[]) =>
    new Promise<Job[]>((resolve, reject) => {
      batches.push({
        jobs,
        settle: (error) =>
          error ? reject(error) : resolve(jobs.map((job) => ({ id: job.opts.jobId, name: job.name }) as Job)),
      });
    });
  return { batches, addBulk };
}

const job = (id: string): JobToAdd => ({ name: 'test.record', data: {}, opts: { jobId: id } });
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Batcher', () => {
  it('sends a lone add at once, and gathers what arrives meanwhile into the next insert', async () => {
    const { batches, addBulk } = recordingBulk();
    const batcher = new Batcher<JobToAdd, Job>(addBulk, { maxInFlight: 1, maxBatch: 3 });
    const first = batcher.submit(job('a'));
    await tick();
    expect(batches.map((b) => b.jobs.length)).toEqual([1]);

    const rest = ['b', 'c', 'd', 'e'].map((id) => batcher.submit(job(id)));
    await tick();
    expect(batches).toHaveLength(1); // one in flight at most
    batches[0]?.settle();
    expect((await first).id).toBe('a');
    await tick();
    expect(batches.map((b) => b.jobs.map((j) => j.opts.jobId))).toEqual([['a'], ['b', 'c', 'd']]);
    batches[1]?.settle();
    await tick();
    batches[2]?.settle();
    expect((await Promise.all(rest)).map((j) => j.id)).toEqual(['b', 'c', 'd', 'e']);
  });

  it('a failed insert fails every add in it, and only those', async () => {
    const { batches, addBulk } = recordingBulk();
    const batcher = new Batcher<JobToAdd, Job>(addBulk, { maxInFlight: 1, maxBatch: 10 });
    const lone = batcher.submit(job('a'));
    await tick();
    const gathered = [batcher.submit(job('b')), batcher.submit(job('c'))];
    batches[0]?.settle(new Error('connection terminated'));
    await expect(lone).rejects.toThrow('connection terminated');
    await tick();
    batches[1]?.settle();
    expect((await Promise.all(gathered)).map((j) => j.id)).toEqual(['b', 'c']);
  });
});
