import type { RateMeter } from '../jobs/job.js';
import type { IndexOptions, IndexSummary } from './indexer.js';
import { noProgress } from './job-figures.js';
import { nonePassedOver } from './photo-kinds.js';
import type { Walk } from './walk.js';

/** The summary an index run ends with, and the progress it reports as it goes (Note [What a run counts] in indexer.ts). */
export class RunFigures {
  readonly summary: IndexSummary = { embedded: 0, unchanged: 0, copies: 0, moved: 0, removed: 0, failed: [], passedOver: nonePassedOver(), unreachable: [], otherLibraries: [], seconds: 0 };
  readonly progress = noProgress();
  /**
   * Note [Rate from the first photo]: the rate, and the time left from it, are measured from when
   * the photos start to be worked on, once the walk is over and the image model loaded: the seconds
   * or minutes of a walk and a load index no photo, and counted in they made the first estimates
   * of a run several times too long. Null until then.
   */
  private meter: RateMeter | null = null;
  private lastReport = 0;

  constructor(private readonly options: IndexOptions) {}

  /** Says the progress, at most every 250 ms unless `force`d. */
  report(force = false): void {
    const now = Date.now();
    if (!force && now - this.lastReport < 250) return;
    this.lastReport = now;
    const { meter, progress } = this;
    if (meter) {
      meter.record(progress.processed);
      progress.imagesPerSecond = meter.perSecond;
      progress.etaSeconds = progress.phase === 'indexing' ? meter.eta(progress.toProcess - progress.processed) : null;
    }
    this.options.onProgress?.({ ...progress });
  }

  /** The photos start to be worked on (Note [Rate from the first photo]). */
  startRate(meter: RateMeter): void {
    this.meter = meter;
    meter.record(this.progress.processed);
  }

  /** What the walk found, and what it could not index, are where the figures start; the photos are worked on next. */
  countWalk(walk: Walk): void {
    const { summary, progress } = this;
    summary.passedOver = progress.passedOver;
    summary.unchanged = walk.unchanged;
    summary.unreachable = walk.unreachable.map(({ path, message }) => ({ path, message }));
    summary.otherLibraries = walk.otherLibraries;
    for (const problem of walk.problems) summary.failed.push({ path: problem.path, reason: problem.reason, message: problem.message });
    progress.failed = walk.problems.length;
    progress.unreachable = walk.unreachable.length;
    progress.phase = 'indexing';
    // What the scan could not index is part of the run's total, and done (Note [What a run counts] in indexer.ts).
    progress.toProcess = walk.work.length + walk.problems.length;
    progress.processed = walk.problems.length;
    this.report(true);
  }
}
