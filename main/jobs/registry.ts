/**
 * The jobs an engine runs: started by kind (one at a time per kind and subject, so a second
 * "index" while one runs joins it, or, while a cancelled one winds down, starts anew once that one
 * has ended; or in turn, each after those of its kind before it), found by
 * id for pause, resume and cancel, and reported to one listener whenever their progress or state
 * changes.
 */
import { UserError } from '../core/errors.js';
import { Job, untilAborted, type JobControl, type JobState, type JobView } from './job.js';

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
  /** Nobody asked for it (Note [Background jobs]). */
  background: boolean;
}

/**
 * Note [Background jobs]: jobs the engine starts by itself (a re-scan of what the watcher saw
 * change, the catch-up at launch, tagging and reading text after indexing) are marked
 * `background`, so that the window may stay quiet about them where it would tell a person about
 * work they asked for. Once a person asks for what such a job does (a re-scan while the watcher's
 * runs), or acts on it (pauses, resumes or cancels it), the job is theirs: it is not background
 * any more, and the window tells of it as of theirs.
 *
 * Note [Started paused]: a job started `paused` waits at its first checkpoint, and its first
 * snapshot says so: it replaces a job the person had paused (Note [Models changed under work] in
 * engine.ts), which must not run again until they resume it.
 */
export interface JobStart {
  background?: boolean;
  paused?: boolean;
}

export interface Running<R> {
  job: AnyJob;
  /** The job's result; rejects as the job failed, or with `cancelled`. */
  done: Promise<R>;
}

/**
 * Note [Failures outlast their window]: a job that failed (tagging when the disk filled, say) was
 * said only to the windows open as it ended: a window opened or reloaded afterwards, with the disk
 * still full and no tags written, showed nothing wrong. The last failure of each kind is kept, and
 * listed with the status, until a job of that kind starts again (whatever it works on: a kind's
 * subjects, a photo read or a threshold, would otherwise keep failures for good) or the person
 * dismisses it, in any window.
 */
export class JobRegistry {
  private nextId = 1;
  private readonly active = new Map<string, ActiveJob>();
  /** The last failure of each kind (Note [Failures outlast their window]). */
  private readonly failed = new Map<string, JobSnapshot>();
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
   * Runs `work` as a job of `kind`, or joins the one of that kind and subject already running
   * (not one cancelled: a request after a cancel is a new one).
   * The result promise is always handled here (a failure is recorded on the job), so callers
   * that only start a job need not await it.
   */
  start<R, P extends { phase?: string } = { phase?: string }>(kind: string, work: (job: Job<P>) => Promise<R>, subject: string | null = null, how: JobStart = {}): Running<R> {
    const key = `${kind}:${subject ?? ''}`;
    const running = this.active.get(key);
    if (running && !running.job.isCancelled) {
      if (!how.background) this.byPerson(running);
      return { job: running.job, done: running.done as Promise<R> };
    }
    // Asked for while a cancelled one still winds down: a new request, not that one's end. Its work
    // waits for that one to end, and so does whoever waits for it (a close, a change of models).
    const ending = running?.done;
    if (ending) {
      const asked = work;
      work = async (job) => {
        await Promise.allSettled([ending]);
        await job.checkpoint();
        return asked(job);
      };
    }
    const id = `${kind}-${this.nextId++}`;
    const origin: JobOrigin = { subject, background: how.background === true };
    let listed = false;
    const report = (changed: JobView) => {
      if (listed) this.onChange(snapshot(changed, origin));
    };
    const job = new Job<P>(id, kind, report, this.intervalMs, this.yieldTo);
    this.failed.delete(kind);
    if (this.stopped) job.cancel();
    // Paused before its work begins, which then waits at its first checkpoint (Note [Started paused]).
    if (how.paused) job.pause();
    const done = job.run(work).finally(() => {
      if (this.active.get(key)?.job === job) this.active.delete(key);
      if (job.state === 'failed' && ![...this.active.values()].some((entry) => entry.job.kind === kind)) this.failed.set(kind, snapshot(job, origin));
    });
    done.catch(() => {});
    this.active.set(key, { job, origin, done });
    // Its first snapshot, once listed, says what happened before: paused as it started, or by its own first steps.
    listed = true;
    this.onChange(snapshot(job, origin));
    return { job, done };
  }

  /**
   * Runs `work` as a job of `kind`; if one is running, it runs `work` once more when that one is
   * done, within the same job (a newer request, such as an edited vocabulary, must not be lost).
   * The newer request runs even where the work before it failed, and answers for the job; a
   * cancel drops it with the rest of the job.
   */
  startAgain<R, P extends { phase?: string } = { phase?: string }>(kind: string, work: (job: Job<P>) => Promise<R>, subject: string | null = null, how: JobStart = {}): Running<R> {
    const key = `${kind}:${subject ?? ''}`;
    if (this.active.get(key)?.job.isCancelled === false) {
      this.repeats.set(key, work as (job: AnyJob) => Promise<unknown>);
      return this.start(kind, work, subject, how);
    }
    return this.start<R, P>(
      kind,
      async (job) => {
        let outcome = await settle(() => work(job));
        for (let next = this.repeats.get(key); next && !job.isCancelled; next = this.repeats.get(key)) {
          this.repeats.delete(key);
          outcome = await settle(() => next(job as AnyJob) as Promise<R>);
        }
        this.repeats.delete(key);
        if ('error' in outcome) throw outcome.error;
        return outcome.value;
      },
      subject,
      how,
    );
  }

  /**
   * As `start`, but the new job's work begins only once every job of `kind` started before it
   * has ended: for jobs that must not run side by side, where a request for another `subject`
   * must still be done as asked rather than joined to the one running. Cancelled while it
   * waits, it ends at once.
   */
  startInTurn<R, P extends { phase?: string } = { phase?: string }>(kind: string, work: (job: Job<P>) => Promise<R>, subject: string): Running<R> {
    const earlier = [...this.active.values()].filter(({ job }) => job.kind === kind).map(({ done }) => done);
    return this.start<R, P>(
      kind,
      async (job) => {
        await untilAborted(job.signal, () => Promise.allSettled(earlier));
        await job.checkpoint();
        return work(job);
      },
      subject,
    );
  }

  list(): JobSnapshot[] {
    return [...this.active.values()].map(({ job, origin }) => snapshot(job, origin));
  }

  /** The last failure of each kind, none of its kind started since (Note [Failures outlast their window]). */
  failures(): JobSnapshot[] {
    return [...this.failed.values()];
  }

  /** Forgets the failure of job `id`, dismissed by the person; whether it was kept. */
  dismissFailure(id: string): boolean {
    const kept = [...this.failed.values()].find((job) => job.id === id);
    return kept !== undefined && this.failed.delete(kept.kind);
  }

  running(kind: string, subject: string | null = null): AnyJob | null {
    return this.active.get(`${kind}:${subject ?? ''}`)?.job ?? null;
  }

  get(id: string): AnyJob {
    return this.entry(id).job;
  }

  /** The job `id`, which a person acts on (pause, resume, cancel): theirs from now on (Note [Background jobs]). */
  actedOnByPerson(id: string): AnyJob {
    const entry = this.entry(id);
    this.byPerson(entry);
    return entry.job;
  }

  private entry(id: string): ActiveJob {
    for (const entry of this.active.values()) if (entry.job.id === id) return entry;
    throw new UserError('not-found', `No job ${id} is running (it may have finished).`);
  }

  /** A job nobody asked for becomes a person's, and says so. */
  private byPerson({ job, origin }: ActiveJob): void {
    if (!origin.background) return;
    origin.background = false;
    this.onChange(snapshot(job, origin));
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

  /**
   * Cancels the jobs of `kinds` (all with null), waits until they have ended, and gives them as
   * they were before. A job one of them starts as it ends (tagging after indexing) is cancelled
   * too: it would outlive the stop, and run on models or a library going away.
   */
  async cancelKinds(kinds: readonly string[] | null): Promise<JobSnapshot[]> {
    const before: JobSnapshot[] = [];
    for (;;) {
      const ending = [...this.active.values()].filter(({ job }) => (kinds === null || kinds.includes(job.kind)) && !before.some((stopped) => stopped.id === job.id));
      if (ending.length === 0) return before;
      before.push(...ending.map(({ job, origin }) => snapshot(job, origin)));
      for (const { job } of ending) job.cancel();
      await Promise.allSettled(ending.map((entry) => entry.done));
    }
  }
}

/** How `work` ended: its value, or what it threw. */
async function settle<R>(work: () => Promise<R>): Promise<{ value: R } | { error: unknown }> {
  try {
    return { value: await work() };
  } catch (error) {
    return { error };
  }
}

/** What the registry knows of a job beyond the job itself: what it works on, and whether anybody asked for it. */
interface JobOrigin {
  subject: string | null;
  background: boolean;
}

interface ActiveJob {
  job: AnyJob;
  origin: JobOrigin;
  done: Promise<unknown>;
}

function snapshot(job: JobView, origin: JobOrigin): JobSnapshot {
  return { id: job.id, kind: job.kind, subject: origin.subject, state: job.state, progress: job.progress, error: job.error, background: origin.background };
}
