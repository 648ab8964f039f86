/**
 * Long-running work (indexing, tagging) as jobs a person can pause, resume and cancel, that
 * report progress as they go.
 *
 * Note [Cooperative control]: a job's work calls `checkpoint()` between units of work; that is
 * where a pause waits and a cancel throws. Nothing is interrupted half-written.
 */
import { UserError } from '../core/errors.js';

export class JobControl {
  private readonly controller = new AbortController();
  private resumeWaiters: Array<() => void> = [];
  private paused = false;

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    for (const wake of this.resumeWaiters.splice(0)) wake();
  }

  cancel(): void {
    this.controller.abort();
    this.resume();
  }

  /** Waits while paused; throws `UserError('cancelled')` once cancelled. */
  async checkpoint(): Promise<void> {
    while (this.paused && !this.controller.signal.aborted) {
      await new Promise<void>((resolve) => this.resumeWaiters.push(resolve));
    }
    if (this.controller.signal.aborted) throw new UserError('cancelled', 'Cancelled.');
  }
}

/** Items per second over a sliding window, and the time left for `remaining` at that rate. */
export class RateMeter {
  private readonly samples: Array<{ at: number; done: number }> = [];

  constructor(private readonly windowMs = 10_000) {}

  record(done: number, at = Date.now()): void {
    this.samples.push({ at, done });
    while (this.samples.length > 2 && at - (this.samples[0] as { at: number }).at > this.windowMs) this.samples.shift();
  }

  get perSecond(): number {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.at === first.at) return 0;
    return ((last.done - first.done) * 1000) / (last.at - first.at);
  }

  eta(remaining: number): number | null {
    const rate = this.perSecond;
    return rate > 0 ? remaining / rate : null;
  }
}
