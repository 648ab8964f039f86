/**
 * The engine's running jobs (indexing, tagging, exports, downloads), kept current by their events.
 *
 * Note [Ended jobs that ask for something]: an ended job stays until the next one of its kind
 * starts, so the UI can say how it ended. One that asks the person for something (it failed; an
 * index run cancelled, "Index the rest"; one that could not index some files, "See why") stays
 * longer: until it is dismissed, or a job of its kind that the person asked for starts (a re-scan,
 * "Index the rest", "Try them again": that run does the work again in full, and its own end says
 * how things stand). A job the app started by itself (`background`: the folder watcher's, seconds
 * after a phone synced a photo) covers only what changed, so it leaves that one in place, shown
 * beside it; only by ending with something to ask itself does it take that one's place, as the
 * newer news. A failure is the exception: a job of its kind and subject under way again, whoever started it,
 * is that work going on again (the engine starts by itself what a crash stopped), so the failure
 * goes as that job starts; should it fail too, its own failure says so.
 *
 * Note [Cancelling shown at once]: a cancelled job stops at its next checkpoint (Note [Cooperative
 * control] in main/jobs/job.ts), which may be seconds away (an image model loading, a batch of
 * photos embedding), and until then the engine reports it running as before. From the press of
 * Cancel until the job's news says it ended, its row says "Cancelling…", offers no Pause or
 * Resume, and its Cancel asks nothing more: either would do nothing meanwhile, and a row unchanged
 * for seconds read as a Cancel not heard.
 *
 * Note [Failures fixed since]: an index run ends counting the files it could not index, and what
 * says how it ended (its row in the header, Settings' "Tried again: …") stands for as long as it
 * is shown. A file fixed since and indexed by the folder watcher's run lowers the library's count
 * of failures, but that run, ended well, leaves the older news in place (above). So the failures
 * a run's news counts are its own, less those the library has lost since: the drop in the
 * library's count from the highest any status read after the run's end gave. Until such a read
 * the run's own count stands (a status asked for before the end knows nothing of the run), and a
 * count that only rose (the run's failures, new ones elsewhere) takes nothing away. Counts cannot
 * tell whose failure was fixed: one that came elsewhere after the run and was fixed too is taken
 * from the run's; the list in Settings, read from the library, is exact.
 */
import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import type { JobInfo, LumenApi } from '../lib/api.js';
import type { AppBus } from '../lib/bus.js';

export const hasEnded = (job: JobInfo) => job.state !== 'running' && job.state !== 'paused';

/**
 * Whether a job's news is something going wrong: it failed, it waits for the person (a full disk:
 * Note [Stuck runs] in main/engine/engine.ts), or an index run ended with files it could not
 * index. Files it passed over (RAW, videos) are no failures (Note [Nothing skipped silently] in
 * main/library/scan.ts).
 */
export function wentWrong(job: JobInfo): boolean {
  if (job.state === 'failed') return true;
  if (job.state === 'paused') return job.error !== null;
  return job.kind === 'index' && job.state === 'done' && job.progress !== null && (job.progress.failed > 0 || (job.progress.unreachable ?? 0) > 0);
}

/** Whether a job is an index run cancelled, whose row offers "Index the rest" (or "Start indexing", before a photo was indexed). */
export const offersIndexRest = (job: JobInfo): boolean => job.kind === 'index' && job.state === 'cancelled' && job.progress !== null;

/**
 * Whether a job ended asking the person for something (Note [Ended jobs that ask for something]):
 * it ended going wrong ("See why", "Dismiss"), or it is an index run cancelled ("Index the rest").
 */
export function asksForSomething(job: JobInfo): boolean {
  return (hasEnded(job) && wentWrong(job)) || offersIndexRest(job);
}

export class JobsStore {
  /** Jobs by id: running ones, and ended ones as long as Note [Ended jobs that ask for something] keeps them. */
  jobs = $state<Record<string, JobInfo>>({});
  /**
   * Why the last pause, resume, cancel or "Index the rest" was refused, and what for: gone when
   * dismissed, or with the next news of that job; "Index the rest" names no job, so with the next
   * news of any index job (a re-scan, the folder watcher's run), which says how indexing stands
   * now (a library made writable again, a model installed). Kept longer, it stood on every screen
   * over what had since gone well.
   */
  private refusal = $state<{ message: string; jobId: string } | { message: string; kind: JobInfo['kind'] } | null>(null);
  /** Whether "Index the rest" is starting its run: a second press asks nothing more. */
  startingRest = $state(false);
  /** Jobs asked to cancel that have not ended yet (Note [Cancelling shown at once]). */
  private readonly cancelling = new SvelteSet<string>();
  /** Index runs that ended with failures, by id: when they ended, and the library's count of failures read since (Note [Failures fixed since]). */
  private readonly failuresSince = new SvelteMap<string, { endedAt: number; most: number | null; now: number }>();

  constructor(
    private readonly api: LumenApi,
    bus: AppBus,
  ) {
    bus.on('job', ({ job }) => this.update(job));
  }

  /** Starts from the jobs the status lists (a reload while indexing). */
  seed(jobs: readonly JobInfo[]): void {
    for (const job of jobs) if (!this.jobs[job.id]) this.update(job);
  }

  get error(): string | null {
    return this.refusal?.message ?? null;
  }

  /** Forgets why the last press was refused (its message was read). */
  dismissRefusal(): void {
    this.refusal = null;
  }

  private update(job: JobInfo): void {
    const refusal = this.refusal;
    if (refusal && ('jobId' in refusal ? refusal.jobId === job.id : refusal.kind === job.kind)) this.refusal = null;
    if (hasEnded(job)) this.cancelling.delete(job.id);
    if (hasEnded(job) && job.kind === 'index' && (job.progress?.failed ?? 0) > 0 && !this.failuresSince.has(job.id)) this.keepFailures(job.id);
    const replacesAsking = !job.background || asksForSomething(job);
    for (const [id, other] of Object.entries(this.jobs)) {
      if (id === job.id || other.kind !== job.kind || other.subject !== job.subject || !hasEnded(other)) continue;
      if (replacesAsking || !asksForSomething(other) || (other.state === 'failed' && !hasEnded(job))) delete this.jobs[id];
    }
    this.jobs[job.id] = job;
  }

  /** The newest job of a kind, running or just ended. */
  latest(kind: JobInfo['kind']): JobInfo | null {
    const all = Object.values(this.jobs).filter((job) => job.kind === kind);
    return all.at(-1) ?? null;
  }

  active(kind: JobInfo['kind']): JobInfo | null {
    const job = this.latest(kind);
    return job && !hasEnded(job) ? job : null;
  }

  /** What to show of a kind: its newest job, then an older one that ended asking for something (Note [Ended jobs that ask for something]). */
  shown(kind: JobInfo['kind']): JobInfo[] {
    const newest = this.latest(kind);
    const asking = Object.values(this.jobs).findLast((job) => job.kind === kind && job.id !== newest?.id && asksForSomething(job));
    return [newest, asking].filter((job): job is JobInfo => job != null);
  }

  /** Files `job` (an index run) could not index that still fail: its own count, less those fixed since (Note [Failures fixed since]). */
  stillFailing(job: JobInfo): number {
    const own = job.kind === 'index' ? (job.progress?.failed ?? 0) : 0;
    const since = this.failuresSince.get(job.id);
    return since?.most == null ? own : Math.max(0, own - (since.most - since.now));
  }

  /** The library's count of failed files, as a status asked for at `askedAt` (`performance.now()`) gave it. */
  failuresCounted(failed: number, askedAt: number): void {
    for (const [id, since] of this.failuresSince) {
      if (askedAt >= since.endedAt) this.failuresSince.set(id, { endedAt: since.endedAt, most: Math.max(since.most ?? failed, failed), now: failed });
    }
  }

  /** Starts following what becomes of an ended run's failures; the last few runs' are kept, whose news may still show. */
  private keepFailures(jobId: string): void {
    this.failuresSince.set(jobId, { endedAt: performance.now(), most: null, now: 0 });
    const KEPT = 20;
    for (const id of [...this.failuresSince.keys()].slice(0, -KEPT)) this.failuresSince.delete(id);
  }

  /** Whether `job` was asked to cancel and has not ended yet (Note [Cancelling shown at once]). */
  isCancelling(job: JobInfo): boolean {
    return this.cancelling.has(job.id);
  }

  async control(job: JobInfo, action: 'pause' | 'resume' | 'cancel'): Promise<void> {
    if (this.cancelling.has(job.id)) return;
    if (action === 'cancel') this.cancelling.add(job.id);
    const outcome = await this.api.call(`jobs.${action}`, { jobId: job.id });
    // Not found, it ended as the button was pressed: its last news says how, and nothing is left to do.
    this.refusal = outcome.ok || outcome.error.code === 'not-found' ? null : { message: outcome.error.message, jobId: job.id };
    if (!outcome.ok) this.cancelling.delete(job.id);
    else this.update(outcome.value);
  }

  /**
   * Indexes what `stopped`, an index run cancelled or failed, left, in a new run (a re-scan: what
   * was indexed stays). A cancelled run goes from the header at once. A failure is not dismissed:
   * that would forget it in the engine too, for the windows opened later, before anything says the
   * work goes on; it goes as the new run starts (Note [Ended jobs that ask for something]).
   */
  async indexRest(stopped: JobInfo): Promise<void> {
    if (this.startingRest) return;
    this.startingRest = true;
    const outcome = await this.api.call('library.index', { retryFailed: false });
    this.startingRest = false;
    this.refusal = outcome.ok ? null : { message: outcome.error.message, kind: 'index' };
    if (outcome.ok && stopped.state === 'cancelled') this.dismiss(stopped);
  }

  /** Forgets an ended job (its message was read); a failure, in the engine too, for the windows opened later (Note [Failures outlast their window] in main/jobs/registry.ts). */
  dismiss(job: JobInfo): void {
    if (!hasEnded(job)) return;
    delete this.jobs[job.id];
    if (job.state === 'failed') void this.api.call('jobs.dismiss', { jobId: job.id });
  }
}
