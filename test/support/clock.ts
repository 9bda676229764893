import type { Clock } from '../../src/domain/clock.ts';

/** A clock that moves only when told: for rules about time without waiting for it. */
export class FakeClock implements Clock {
  private current: Date;

  constructor(start: Date | string = '2026-11-30T09:00:00Z') {
    this.current = new Date(start);
  }

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }

  set(at: Date | string): void {
    this.current = new Date(at);
  }
}
