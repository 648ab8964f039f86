import { CallsUnderWay } from '../core/calls-under-way.js';

/**
 * Note [Searches first]: indexing, tagging and reading text keep every core busy for minutes or
 * hours, while a search is what a person sits waiting for. So interactive calls (searches, similar
 * photos, a tag's live preview) run through `interactive()`, and a job's checkpoint waits while
 * one is in flight and for a moment after it (the next keystroke's search usually comes within
 * that moment): no new decode or inference batch starts under a search. Work already started
 * finishes, on its own thread (Note [Inference off the event loop] in threaded-session.ts).
 */
export class Foreground {
  private quietFrom = 0;
  private waiters: Array<() => void> = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** The interactive calls under way. */
  private readonly running = new CallsUnderWay();

  constructor(private readonly graceMs = 250) {}

  /** True while interactive work runs or ran less than the grace period ago. */
  get isBusy(): boolean {
    return this.running.count > 0 || Date.now() < this.quietFrom;
  }

  /** Runs `work` as interactive: background jobs hold back until it, and the grace after it, are over. */
  async interactive<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await this.running.run(work);
    } finally {
      this.quietFrom = Date.now() + this.graceMs;
      this.wakeWhenQuiet();
    }
  }

  /** Resolves at once when nothing interactive is going on; otherwise once it has been quiet for the grace period. */
  idle(): Promise<void> {
    if (!this.isBusy) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.waiters.push(resolve);
      this.wakeWhenQuiet();
    });
  }

  private wakeWhenQuiet(): void {
    if (this.timer || this.running.count > 0 || this.waiters.length === 0) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        if (this.isBusy) this.wakeWhenQuiet();
        else for (const wake of this.waiters.splice(0)) wake();
      },
      Math.max(0, this.quietFrom - Date.now()),
    );
  }
}
