import type { Clock } from '../domain/clock.ts';

/** The machine's clock: what the composition root hands to everything that reads the time. */
export const systemClock: Clock = { now: () => new Date() };
