/** The engine's running jobs (indexing, tagging, exports, downloads), kept current by their events. */
import type { JobInfo, LumenApi } from '../lib/api.js';
import type { AppBus } from '../lib/bus.js';

export class JobsStore {
  /** Jobs by id; ended ones stay until the next one of their kind starts, so the UI can say how they ended. */
  jobs = $state<Record<string, JobInfo>>({});
  /** Why the last pause, resume, cancel or "Index the rest" was refused, and of which job: gone with that job's next news. */
  private refusal = $state<{ message: string; jobId: string | null } | null>(null);
  /** Whether "Index the rest" is starting its run: a second press asks nothing more. */
  startingRest = $state(false);

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

  private update(job: JobInfo): void {
    if (this.refusal?.jobId === job.id) this.refusal = null;
    for (const [id, other] of Object.entries(this.jobs)) {
      if (id !== job.id && other.kind === job.kind && other.subject === job.subject && other.state !== 'running' && other.state !== 'paused') delete this.jobs[id];
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
    return job && (job.state === 'running' || job.state === 'paused') ? job : null;
  }

  async control(job: JobInfo, action: 'pause' | 'resume' | 'cancel'): Promise<void> {
    const outcome = await this.api.call(`jobs.${action}`, { jobId: job.id });
    // Not found, it ended as the button was pressed: its last news says how, and nothing is left to do.
    this.refusal = outcome.ok || outcome.error.code === 'not-found' ? null : { message: outcome.error.message, jobId: job.id };
    if (outcome.ok) this.update(outcome.value);
  }

  /** Indexes what a cancelled run left, in a new run (a re-scan: what was indexed stays). */
  async indexRest(cancelled: JobInfo): Promise<void> {
    if (this.startingRest) return;
    this.startingRest = true;
    const outcome = await this.api.call('library.index', { retryFailed: false });
    this.startingRest = false;
    this.refusal = outcome.ok ? null : { message: outcome.error.message, jobId: null };
    if (outcome.ok) this.dismiss(cancelled);
  }

  /** Forgets an ended job (its message was read). */
  dismiss(job: JobInfo): void {
    if (job.state !== 'running' && job.state !== 'paused') delete this.jobs[job.id];
  }
}
