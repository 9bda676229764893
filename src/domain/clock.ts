/**
 * The one way fleetbot reads the wall clock. Everything outside the composition root takes a Clock,
 * so timers, expiries and "5 min ago" can be tested (and drilled) on a clock that is not the machine's.
 * Durations of work in progress are measured with `performance.now()`, which is monotonic.
 */
export interface Clock {
  now(): Date;
}
