/**
 * The figures of an index job over its passes (Note [A job of several passes]), apart from the
 * indexer so that the engine, which keeps them, loads no image decoder to have them.
 */
import type { IndexProgress, IndexSummary } from './indexer.js';
import { nonePassedOver, type PassedOverKind } from './photo-kinds.js';

/** The progress of a run that has not begun. */
export function noProgress(): IndexProgress {
  return { phase: 'scanning', found: 0, processed: 0, toProcess: 0, embedded: 0, failed: 0, indexed: 0, removed: 0, passedOver: nonePassedOver(), unreachable: 0, imagesPerSecond: 0, etaSeconds: null };
}

/** The figures of an index job's progress that add up over its passes (Note [A job of several passes]). */
const SUMMED_OVER_PASSES = ['processed', 'toProcess', 'embedded', 'indexed', 'removed'] as const;

/** The figures of an index job's summary that add up over its passes, beyond its progress's. */
const SUMMARY_SUMMED_OVER_PASSES = ['copies', 'moved', 'seconds'] as const;

type Failed = IndexSummary['failed'][number];

/**
 * Note [A job of several passes]: an index job asked for again while it runs goes once more over
 * what was asked meanwhile (engine.ts), and each pass, a run of its own, counts from zero. The
 * job reports each pass's progress on top of the passes before it, so that what it says last
 * (and what the window says of it once it is done) is the whole job's: the photos it indexed,
 * embedded and forgot, and the files it could not index. Such a file counts once, and only while
 * its failure stands: one met half-copied by a pass and indexed by the next was indexed, and one
 * a retry failed again is still one. `found`, the rate and the time left stay the pass's own: the
 * next walk meets most of the same files again. For that reason a file of a kind Lumen does not
 * index (Note [Nothing skipped silently] in scan.ts) is counted by its path, once however many
 * walks meet it. The job's summary, which the CLI prints and its JSON gives, is the whole job's
 * alike: copies, moves and seconds add up, the failures are those that stand (each with its
 * latest reason), and `unchanged` is the most any pass found, as the walks meet the same
 * unchanged files again.
 */
export class IndexJobFigures {
  private readonly earlier: Record<(typeof SUMMED_OVER_PASSES)[number], number> = { processed: 0, toProcess: 0, embedded: 0, indexed: 0, removed: 0 };
  private readonly summaryEarlier: Record<(typeof SUMMARY_SUMMED_OVER_PASSES)[number], number> = { copies: 0, moved: 0, seconds: 0 };
  private mostUnchanged = 0;
  /** Files the passes done could not index, whose failure stands, with their latest failure. */
  private readonly failedEarlier = new Map<string, Failed>();
  /** Files of kinds Lumen does not index that the passes met, and how many of each kind. */
  private readonly passedOverFiles = new Set<string>();
  private passedOver = nonePassedOver();
  /** The latest progress of the pass under way. */
  private pass = noProgress();
  /** What the latest pass done could not reach, and the other libraries it left out: each pass walks them again. */
  private latestReach: Pick<IndexSummary, 'unreachable' | 'otherLibraries'> = { unreachable: [], otherLibraries: [] };

  /** A pass's progress, as the job's. */
  ofJob(progress: IndexProgress): IndexProgress {
    this.pass = progress;
    return this.withEarlier(progress, this.failedEarlier.size + progress.failed);
  }

  /** Counts a file of a kind Lumen does not index that a pass met, once for the whole job. */
  passedOverFile(file: string, kind: PassedOverKind): void {
    if (this.passedOverFiles.has(file)) return;
    this.passedOverFiles.add(file);
    this.passedOver = { ...this.passedOver, [kind]: this.passedOver[kind] + 1 };
  }

  /** Takes in a pass that finished, given the files the library lists as failed now; returns the job's progress. */
  passDone(summary: IndexSummary, failingNow: ReadonlySet<string>): IndexProgress {
    for (const failure of summary.failed) this.failedEarlier.set(failure.path, failure);
    for (const file of this.failedEarlier.keys()) if (!failingNow.has(file)) this.failedEarlier.delete(file);
    const job = this.withEarlier(this.pass, this.failedEarlier.size);
    for (const figure of SUMMED_OVER_PASSES) this.earlier[figure] = job[figure];
    for (const figure of SUMMARY_SUMMED_OVER_PASSES) this.summaryEarlier[figure] += summary[figure];
    this.mostUnchanged = Math.max(this.mostUnchanged, summary.unchanged);
    this.latestReach = { unreachable: summary.unreachable, otherLibraries: summary.otherLibraries };
    this.pass = noProgress();
    return job;
  }

  /** What the passes done did, as one run's summary. */
  get summary(): IndexSummary {
    const { embedded, removed } = this.earlier;
    return { embedded, unchanged: this.mostUnchanged, removed, failed: [...this.failedEarlier.values()], passedOver: this.passedOver, ...this.latestReach, ...this.summaryEarlier };
  }

  /** Whether the passes done stored new photos or moved ones: what tagging follows in the app. */
  get photosChanged(): boolean {
    return this.earlier.embedded + this.summaryEarlier.moved > 0;
  }

  private withEarlier(progress: IndexProgress, failed: number): IndexProgress {
    const job = { ...progress, failed, passedOver: this.passedOver };
    for (const figure of SUMMED_OVER_PASSES) job[figure] += this.earlier[figure];
    return job;
  }
}
