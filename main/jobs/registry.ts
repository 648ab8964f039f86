/**
 * The jobs an engine runs: started by kind (one at a time per kind and subject, so a second
 * "index" while one runs joins it), found by id for pause, resume and cancel, and reported to
 * one listener whenever their progress or state changes.
 */
import { UserError } from '../core/errors.js';
import { Job, type JobControl, type JobState, type JobView } from './job.js';

/** A job of any kind, as the registry hands it out: control and view, not its typed progress. */
export type AnyJob = JobControl & JobView;

export interface JobSnapshot {
  id: string;
  kind: string;
  /** What the job works on, when a kind can run for several things at once (a model id). */
  subject: string | null;
  state: JobState;
  progress: unknown;
  error: string | null;
}

export interface Running<R> {
  job: AnyJob;
  /** The job's result; rejects as the job failed, or with `cancelled`. */
  done: Promise<R>;
}

export class JobRegistry {
  private nextId = 1;
  private readonly active = new Map<string, { job: AnyJob; subject: string | null; done: Promise<unknown> }>();
  private readonly repeats = new Map<string, (job: AnyJob) => Promise<unknown>>();
  /** Set by `stopAll`: no job runs any more. */
  private stopped = false;

  constructor(
    private readonly onChange: (job: JobSnapshot) => void = () => {},
    private readonly intervalMs = 250,
    /** Where every job's checkpoints wait while interactive work goes first (Note [Searches first]). */
    private readonly yieldTo?: () => Promise<void>,
  ) {}

  /**
   * Runs `work` as a job of `kind`, or joins the one of that kind and subject already running.
   * The result promise is always handled here (a failure is recorded on the job), so callers
   * that only start a job need not await it.
   */
  start<R, P extends { phase?: string } = { phase?: string }>(kind: string, work: (job: Job<P>) => Promise<R>, subject: string | null = null): Running<R> {
    const key = `${kind}:${subject ?? ''}`;
    const running = this.active.get(key);
    if (running) return { job: running.job, done: running.done as Promise<R> };
    const id = `${kind}-${this.nextId++}`;
    const job = new Job<P>(id, kind, (changed) => this.onChange(snapshot(changed, subject)), this.intervalMs, this.yieldTo);
    if (this.stopped) job.cancel();
    const done = job.run(work).finally(() => this.active.delete(key));
    done.catch(() => {});
    this.active.set(key, { job, subject, done });
    this.onChange(snapshot(job, subject));
    return { job, done };
  }

  /**
   * Runs `work` as a job of `kind`; if one is running, it runs `work` once more when that one is
   * done, within the same job (a newer request, such as an edited vocabulary, must not be lost).
   */
  startAgain<R, P extends { phase?: string } = { phase?: string }>(kind: string, work: (job: Job<P>) => Promise<R>, subject: string | null = null): Running<R> {
    const key = `${kind}:${subject ?? ''}`;
    if (this.active.has(key)) {
      this.repeats.set(key, work as (job: AnyJob) => Promise<unknown>);
      return this.start(kind, work, subject);
    }
    return this.start<R, P>(
      kind,
      async (job) => {
        let result = await work(job);
        for (let next = this.repeats.get(key); next; next = this.repeats.get(key)) {
          this.repeats.delete(key);
          result = (await next(job as AnyJob)) as Awaited<R>;
        }
        return result;
      },
      subject,
    );
  }

  list(): JobSnapshot[] {
    return [...this.active.values()].map(({ job, subject }) => snapshot(job, subject));
  }

  running(kind: string, subject: string | null = null): AnyJob | null {
    return this.active.get(`${kind}:${subject ?? ''}`)?.job ?? null;
  }

  get(id: string): AnyJob {
    for (const { job } of this.active.values()) if (job.id === id) return job;
    throw new UserError('not-found', `No job ${id} is running (it may have finished).`);
  }

  /** Cancels every job (each stops at its next checkpoint) and waits until they have ended. */
  async cancelAll(): Promise<void> {
    await this.cancelKinds(null);
  }

  /** As `cancelAll`, and every job asked for from now on starts cancelled (the process is stopping: Note [Ctrl-C] in main/cli/index.ts). */
  stopAll(): Promise<void> {
    this.stopped = true;
    return this.cancelAll();
  }

  /** Cancels the jobs of `kinds` (all with null), waits until they have ended, and says which kinds ran. */
  async cancelKinds(kinds: readonly string[] | null): Promise<Set<string>> {
    const ending = [...this.active.values()].filter(({ job }) => kinds === null || kinds.includes(job.kind));
    for (const { job } of ending) job.cancel();
    await Promise.allSettled(ending.map((entry) => entry.done));
    return new Set(ending.map(({ job }) => job.kind));
  }
}

function snapshot(job: JobView, subject: string | null): JobSnapshot {
  return { id: job.id, kind: job.kind, subject, state: job.state, progress: job.progress, error: job.error };
}
