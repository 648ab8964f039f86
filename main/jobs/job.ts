/**
 * Long-running work (indexing, tagging, XMP export, model downloads) as jobs a person can pause,
 * resume and cancel, that report progress as they go.
 *
 * Note [Cooperative control]: a job's work calls `checkpoint()` between units of work; that is
 * where a pause waits and a cancel throws. Nothing is interrupted half-written, so a cancel keeps
 * everything finished before it.
 *
 * Note [Throttled progress]: work reports progress as often as it likes; a job passes it on at
 * most every `intervalMs` (and always on a phase change or at the end), so a fast loop never
 * floods the UI or the terminal. Tests that act on progress get every report they need from the
 * last one of each phase and from `onReport`, never from timing.
 */
import { setMaxListeners } from 'node:events';
import { UserError, messageOf } from '../core/errors.js';
import { actionableError } from '../storage/damage.js';

export class JobControl {
  private readonly controller = new AbortController();
  private resumeWaiters: Array<() => void> = [];
  private pauseWaiters: Array<() => void> = [];
  private paused = false;
  /** Time spent paused before the current pause, and when that began (Date.now() ms). */
  private pausedBefore = 0;
  private pausedSince = 0;

  /** `yieldTo` resolves when the job may go on (Note [Searches first] in foreground.ts). */
  constructor(private readonly yieldTo: () => Promise<void> = () => Promise.resolve()) {
    // Each of a job's workers (the indexer runs one per core) listens for a cancel while it waits
    // at a checkpoint, and stops when it goes on: Node's leak warning at 11 listeners would be a
    // false alarm on every machine of ten cores or more.
    setMaxListeners(0, this.controller.signal);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  get isCancelled(): boolean {
    return this.controller.signal.aborted;
  }

  pause(): void {
    if (!this.paused) this.pausedSince = Date.now();
    this.paused = true;
    for (const wake of this.pauseWaiters.splice(0)) wake();
  }

  /** Resolves once the job is paused (by a person, or by itself: Note [Stuck runs] in engine.ts), at once if it is. */
  untilPaused(): Promise<void> {
    return this.paused ? Promise.resolve() : new Promise((resolve) => this.pauseWaiters.push(resolve));
  }

  resume(): void {
    if (this.paused) this.pausedBefore += Date.now() - this.pausedSince;
    this.paused = false;
    this.wakeWaiters();
  }

  /**
   * A clock (ms) that stands still while the job is paused: the time axis of its rate, so that a
   * pause is not taken for slowness once the job goes on.
   */
  activeTime(): number {
    const now = Date.now();
    return now - this.pausedBefore - (this.paused ? now - this.pausedSince : 0);
  }

  /** A rate meter on this job's pause-free clock (activeTime). */
  rateMeter(): RateMeter {
    return new RateMeter(undefined, () => this.activeTime());
  }

  /**
   * Note [Cancelled while paused]: a cancel wakes the work waiting at its checkpoints, where it
   * throws; it does not resume the job, which would be reported running (a Pause button, "resumed")
   * on its way out. A paused job stays paused until it has ended, cancelled.
   */
  cancel(): void {
    this.controller.abort();
    this.wakeWaiters();
  }

  private wakeWaiters(): void {
    for (const wake of this.resumeWaiters.splice(0)) wake();
  }

  /** Waits while paused or while interactive work goes first; throws `UserError('cancelled')` once cancelled. */
  async checkpoint(): Promise<void> {
    while (this.paused && !this.controller.signal.aborted) {
      await new Promise<void>((resolve) => this.resumeWaiters.push(resolve));
    }
    await this.foregroundDone();
    if (this.controller.signal.aborted) throw new UserError('cancelled', 'Cancelled.');
  }

  /** Waits for `yieldTo`, unless a cancel comes first. */
  private foregroundDone(): Promise<void> {
    return untilAborted(this.controller.signal, () => this.yieldTo());
  }
}

/** Waits for what `wait` starts, or until `signal` aborts, whichever comes first (nothing starts once it has). */
export async function untilAborted(signal: AbortSignal, wait: () => Promise<unknown>): Promise<void> {
  if (signal.aborted) return;
  let onAbort = () => {};
  const aborted = new Promise<void>((resolve) => {
    onAbort = resolve;
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([wait(), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** Items per second over a sliding window, and the time left for `remaining` at that rate. */
export class RateMeter {
  private readonly samples: Array<{ at: number; done: number }> = [];

  /** `clock` (ms) is the time axis: a job's meter runs on its pause-free clock (JobControl.rateMeter). */
  constructor(
    private readonly windowMs = 10_000,
    private readonly clock: () => number = Date.now,
  ) {}

  record(done: number, at = this.clock()): void {
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

export type JobState = 'running' | 'paused' | 'done' | 'failed' | 'cancelled';

/** What a job's listener may read of it. */
export interface JobView {
  readonly id: string;
  readonly kind: string;
  readonly state: JobState;
  readonly progress: unknown;
  readonly error: string | null;
}

/**
 * One running piece of work: its control (pause, resume, cancel), its state and its throttled
 * progress (Note [Throttled progress]). `P` is the kind's own progress shape.
 */
export class Job<P extends { phase?: string } = { phase?: string }> extends JobControl implements JobView {
  private lastEmit = -Infinity;
  private lastPhase: string | undefined;
  private latest: P | null = null;
  private finalState: JobState | null = null;
  error: string | null = null;

  constructor(
    readonly id: string,
    readonly kind: string,
    private readonly onReport: (job: JobView) => void = () => {},
    private readonly intervalMs = 250,
    yieldTo?: () => Promise<void>,
  ) {
    super(yieldTo);
  }

  get state(): JobState {
    return this.finalState ?? (this.isPaused ? 'paused' : 'running');
  }

  get progress(): P | null {
    return this.latest;
  }

  /** Records progress; passes it on when due (a new phase, `force`, or the interval elapsed). */
  report(progress: P, force = false): void {
    this.latest = progress;
    const now = Date.now();
    const phaseChanged = progress.phase !== this.lastPhase;
    if (!force && !phaseChanged && now - this.lastEmit < this.intervalMs) return;
    this.lastEmit = now;
    this.lastPhase = progress.phase;
    this.onReport(this);
  }

  /** Ended, or ending: cancelled, it neither pauses nor resumes (Note [Cancelled while paused]). */
  private get ending(): boolean {
    return this.finalState !== null || this.isCancelled;
  }

  override pause(): void {
    if (this.ending) return;
    super.pause();
    this.onReport(this);
  }

  override resume(): void {
    if (this.ending) return;
    if (this.isPaused) this.error = null;
    super.resume();
    this.onReport(this);
  }

  /**
   * Pauses with `reason` (shown as the job's error while it waits) until a person resumes it;
   * throws `cancelled` if they cancel instead. See Note [Stuck runs] in engine.ts.
   */
  async waitForPerson(reason: string): Promise<void> {
    this.error = reason;
    this.pause();
    await this.checkpoint();
  }

  /** Runs `work` as this job's body, recording how it ended. */
  async run<R>(work: (job: this) => Promise<R>): Promise<R> {
    try {
      const result = await work(this);
      this.finish('done');
      return result;
    } catch (error) {
      const cancelled = error instanceof UserError && error.code === 'cancelled';
      this.error = cancelled ? null : messageOf(actionableError(error));
      this.finish(cancelled ? 'cancelled' : 'failed');
      throw error;
    }
  }

  private finish(state: JobState): void {
    this.finalState = state;
    this.onReport(this);
  }
}
