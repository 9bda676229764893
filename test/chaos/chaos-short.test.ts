import { describe, expect, inject, it } from 'vitest';
import { chaosRound } from '../support/chaos.ts';

// The short version of `npm run chaos` (issue 18): two seeded kills (a worker during the restart, a web
// replica during the storm), side by side, each checked as the long run
// checks hundreds. A failure names its seed: `CHAOS_FIRST=<seed> CHAOS_SEEDS=1 npm run chaos` replays it.

const postgresUrl = inject('postgresUrl');
const redisUrl = inject('redisUrl');

describe('killing a process at a seeded moment of a restart and an alert storm', () => {
  for (const seed of [2, 8]) {
    it.skipIf(!redisUrl)(
      `seed ${seed}: nothing duplicated, lost, skipped, unfinished or left running`,
      async () => {
        const round = await chaosRound({ postgresUrl, redisUrl: redisUrl ?? '' }, seed);
        expect(round.checks, `seed ${seed}: killed ${round.killed} at ${round.killAtMs} ms`).toEqual({
          duplicateMutations: 0,
          lostAlerts: 0,
          duplicateSteps: 0,
          skippedSteps: 0,
          unfinishedMessages: 0,
          runsLeftRunning: 0,
        });
        expect(round.acceptedAlerts).toBeGreaterThan(0);
      },
      150_000,
    );
  }
});
