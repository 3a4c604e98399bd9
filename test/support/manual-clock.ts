import type { Clock } from '../../src/clock';

/** A clock tests move by hand. Wall and monotonic time advance together unless told otherwise. */
export class ManualClock implements Clock {
  private mono = 0;

  constructor(private wall = Date.UTC(2026, 10, 26, 9, 0, 0)) {}

  now(): number {
    return this.wall;
  }

  monotonic(): number {
    return this.mono;
  }

  /** Time passes. */
  advance(ms: number): void {
    this.wall += ms;
    this.mono += ms;
  }

  /** Someone sets the wall clock (NTP, a user, a VM resume); monotonic time is untouched. */
  jumpWall(ms: number): void {
    this.wall += ms;
  }
}
