/**
 * The figures of an index job over its passes (Note [A job of several passes]), apart from the
 * indexer so that the engine, which keeps them, loads no image decoder to have them.
 */
import type { IndexProgress, IndexSummary } from './indexer.js';

/** The progress of a run that has not begun. */
export function noProgress(): IndexProgress {
  return { phase: 'scanning', found: 0, processed: 0, toProcess: 0, embedded: 0, failed: 0, indexed: 0, removed: 0, imagesPerSecond: 0, etaSeconds: null };
}

/** The figures of an index job that add up over its passes (Note [A job of several passes]). */
const SUMMED_OVER_PASSES = ['processed', 'toProcess', 'embedded', 'indexed', 'removed'] as const;

/**
 * Note [A job of several passes]: an index job asked for again while it runs goes once more over
 * what was asked meanwhile (engine.ts), and each pass, a run of its own, counts from zero. The
 * job reports each pass's progress on top of the passes before it, so that what it says last
 * (and what the window says of it once it is done) is the whole job's: the photos it indexed,
 * embedded and forgot, and the files it could not index. Such a file counts once, and only while
 * its failure stands: one met half-copied by a pass and indexed by the next was indexed, and one
 * a retry failed again is still one. `found`, the rate and the time left stay the pass's own: the
 * next walk meets most of the same files again.
 */
export class IndexJobFigures {
  private readonly earlier: Record<(typeof SUMMED_OVER_PASSES)[number], number> = { processed: 0, toProcess: 0, embedded: 0, indexed: 0, removed: 0 };
  private movedEarlier = 0;
  /** Files the passes done could not index, whose failure stands. */
  private readonly failedEarlier = new Set<string>();
  /** The latest progress of the pass under way. */
  private pass = noProgress();

  /** A pass's progress, as the job's. */
  ofJob(progress: IndexProgress): IndexProgress {
    this.pass = progress;
    return this.withEarlier(progress, this.failedEarlier.size + progress.failed);
  }

  /** Takes in a pass that finished, given the files the library lists as failed now; returns the job's progress. */
  passDone(summary: IndexSummary, failingNow: ReadonlySet<string>): IndexProgress {
    for (const failure of summary.failed) this.failedEarlier.add(failure.path);
    for (const file of this.failedEarlier) if (!failingNow.has(file)) this.failedEarlier.delete(file);
    const job = this.withEarlier(this.pass, this.failedEarlier.size);
    for (const figure of SUMMED_OVER_PASSES) this.earlier[figure] = job[figure];
    this.movedEarlier += summary.moved;
    this.pass = noProgress();
    return job;
  }

  /** Whether the passes done stored new photos or moved ones: what tagging follows in the app. */
  get photosChanged(): boolean {
    return this.earlier.embedded + this.movedEarlier > 0;
  }

  private withEarlier(progress: IndexProgress, failed: number): IndexProgress {
    const job = { ...progress, failed };
    for (const figure of SUMMED_OVER_PASSES) job[figure] += this.earlier[figure];
    return job;
  }
}
