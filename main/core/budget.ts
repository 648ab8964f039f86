/**
 * A budget of bytes shared by concurrent tasks: each holds an estimate of what it needs while it
 * runs, and waits while the others hold too much (a weighted semaphore).
 *
 * Note [Budget order]: requests are served first come, first served, so a large one is never
 * starved by a stream of small ones; one larger than the whole budget runs when nothing else
 * holds any (it could never fit, and refusing it would refuse a valid photo).
 */
export class MemoryBudget {
  private used = 0;
  private highest = 0;
  private readonly waiting: Array<{ bytes: number; resolve: () => void }> = [];

  constructor(private bytes: number) {}

  get capacity(): number {
    return this.bytes;
  }

  /** Changes the budget; waiting requests that now fit start. */
  set capacity(bytes: number) {
    this.bytes = bytes;
    this.wake();
  }

  /** The most ever held at once (for tests and benchmarks). */
  get peak(): number {
    return this.highest;
  }

  resetPeak(): void {
    this.highest = this.used;
  }

  /** Waits until `bytes` fit, holds them, and returns the function that gives them back. */
  async acquire(bytes: number): Promise<() => void> {
    if (this.waiting.length === 0 && this.fits(bytes)) this.hold(bytes);
    // `wake` holds the bytes for a waiter before resolving it, so two never count the same room.
    else await new Promise<void>((resolve) => this.waiting.push({ bytes, resolve }));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= bytes;
      this.wake();
    };
  }

  private fits(bytes: number): boolean {
    return this.used === 0 || this.used + bytes <= this.bytes;
  }

  private hold(bytes: number): void {
    this.used += bytes;
    this.highest = Math.max(this.highest, this.used);
  }

  private wake(): void {
    for (let next = this.waiting[0]; next && this.fits(next.bytes); next = this.waiting[0]) {
      this.waiting.shift();
      this.hold(next.bytes);
      next.resolve();
    }
  }
}
