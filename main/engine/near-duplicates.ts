/**
 * Near-duplicates as the engine offers them: a find as a job, the groups found last, and the
 * copies of those groups moved to the trash. Composed once by the Engine (`engine.duplicates`),
 * whose library, models and jobs it works with.
 */
import { DEFAULT_DUPLICATE_THRESHOLD } from '../duplicates/threshold.js';
import type { DuplicateProgress, DuplicateReport, TrashResult, TrashSelection } from '../duplicates/index.js';
import { LastFind } from '../duplicates/last-find.js';
import { handOvers, selectCopies, trashSelection, type LibraryNow } from '../duplicates/trash.js';
import { throwIfAborted } from '../core/errors.js';
import type { Job } from '../jobs/job.js';
import type { AnyJob, JobRegistry, Running } from '../jobs/registry.js';
import type { Library } from '../library/library.js';
import type { ClipModel } from '../models/clip.js';

/** What a find and a move need of the engine. */
export interface DuplicatesHost {
  readonly jobs: JobRegistry;
  /** Runs `work` as the library's writer saying what it does, a backup after it when due. */
  writing<R>(doing: string, work: () => Promise<R>): Promise<R>;
  hasLibrary(): boolean;
  library(): Library;
  /** The library, claimed for writing (Note [One writer] in storage/writer-lock.ts). */
  writable(doing: string): Library;
  searchModel(): Promise<ClipModel>;
  /** A re-scan of the whole library, as the index job (joined where one runs). */
  rescan(): Running<unknown>;
}

export class NearDuplicates {
  /** The groups found last (Note [Copies named by id]), kept to show again (Note [Last duplicates kept]). */
  private lastFound: LastFind | null = null;
  /** Finds a change of models stopped, each with the end of that change (Note [One find at a time]). */
  private readonly stoppedForModels = new WeakMap<AnyJob, Promise<unknown>>();

  constructor(private readonly host: DuplicatesHost) {}

  /** The finds running now: asked for before they are stopped for a change of models (`restartAfter`). */
  running(): AnyJob[] {
    const { jobs } = this.host;
    return jobs.list().flatMap((job) => (job.kind === 'duplicates' ? [jobs.get(job.id)] : []));
  }

  /**
   * Has `finds`, stopped as the models change, start again at their thresholds once `modelsGone`
   * resolves, their callers answered with the new groups (Note [Models changed under work] in
   * engine.ts). Called in the turn they are stopped in, before they can end.
   */
  restartAfter(finds: readonly AnyJob[], modelsGone: Promise<unknown>): void {
    for (const find of finds) this.stoppedForModels.set(find, modelsGone);
  }

  /**
   * Near-duplicate groups of the library on the model searches use, as a job; kept for `trash`.
   *
   * Note [One find at a time]: copies to move are named in the groups found last (Note [Copies
   * named by id]), so those must be the groups of the find asked last, at the threshold it asked
   * for. A find at the threshold of the one running joins it. One at another threshold (a window
   * reloaded during a find, then asked again) stops the running one, whose caller is answered
   * `cancelled`, and runs as a job of its own, its subject the threshold: joined, it would answer
   * with groups at the other threshold; run beside it, the one to end last would set the groups.
   * A find a change of models stopped starts again at its threshold, and its callers get the new
   * groups (Note [Models changed under work]).
   */
  find(options: { threshold?: number | undefined } = {}): Running<DuplicateReport> {
    const { jobs } = this.host;
    const threshold = options.threshold ?? DEFAULT_DUPLICATE_THRESHOLD;
    const subject = String(threshold);
    for (const other of jobs.list()) if (other.kind === 'duplicates' && other.subject !== subject) jobs.get(other.id).cancel();
    const running = jobs.start(
      'duplicates',
      (job: Job<DuplicateProgress>) =>
        // It stores what it measures once: the model's calibration, each photo's sharpness.
        this.host.writing('finding near-duplicates in', async () => {
          // Loaded on first use, with libvips (Note [Cold start] in main/cli/index.ts).
          const { DuplicateFinder } = await import('../duplicates/finder.js');
          const finder = new DuplicateFinder(this.host.library(), await this.host.searchModel());
          const report = await finder.find({ threshold, signal: job.signal, onProgress: (progress) => job.report(progress) });
          // Stopped as it ended, it leaves the groups to the find asked after it.
          throwIfAborted(job.signal);
          this.lastFound = new LastFind(report, this.host.library().storage.photos.allPhotos());
          return report;
        }),
      subject,
    );
    const done = running.done.catch(async (error: unknown) => {
      const modelsChanged = this.stoppedForModels.get(running.job);
      if (!modelsChanged) throw error;
      await modelsChanged;
      return this.find({ threshold }).done;
    });
    // As the registry's own: a caller that only starts a find need not await it.
    done.catch(() => {});
    return { job: running.job, done };
  }

  /**
   * The files of photos of the groups found last, with their groups (Note [Copies named by id]).
   * The person confirmed moving them: what they said of them is remembered first (Note [What a
   * moved copy leaves] in main/duplicates/trash.ts).
   */
  selection(photoIds: readonly number[]): TrashSelection {
    const store = this.host.writable('changing').storage.duplicates;
    const selection = selectCopies(this.lastFound?.report.groups ?? [], photoIds, this.libraryNow());
    store.rememberBeforeTrash(selection.chosen);
    return selection;
  }

  /**
   * After copies of the groups found last went to the trash (none, when every chosen one stayed):
   * hands what the person said of them to the copies their groups keep, re-scans so the library
   * forgets them, and drops what was remembered of the copies still there (Note [What a moved copy
   * leaves]). Resolves once the re-scan is done, so that a find after it lists no moved file; or
   * once it is paused (by the person, or stuck on a full disk): the groups found last leave the
   * moved copies out already, and the re-scan forgets them when it goes on, which may be days.
   * Chosen copies found to differ from the copy kept (`differing`) are read again by that re-scan
   * (Note [Exact copies compared] in main/duplicates/trash.ts).
   */
  async forgetMoved(moved: readonly string[], differing: readonly string[] = []): Promise<void> {
    // Asked for when the re-scan is done, that may last long: the library open then is the one to change.
    const dropRemembered = () => this.host.writable('changing').storage.duplicates.dropRememberedOfPresent();
    if (moved.length === 0 && differing.length === 0) return dropRemembered();
    const storage = this.host.writable('changing').storage;
    storage.library.readAgain(differing);
    storage.duplicates.handOver(handOvers(this.lastFound?.report.groups ?? [], moved, this.libraryNow()));
    this.lastFound?.movedToTrash(moved);
    const rescan = this.host.rescan();
    // Not before the re-scan has forgotten the moved copies: they are still in the library until then.
    const forgotten = rescan.done.then(dropRemembered);
    forgotten.catch(() => {});
    await Promise.race([forgotten, rescan.job.untilPaused()]);
  }

  /**
   * Moves confirmed copies (photos of the groups found last) with `moveToTrash`, never deleting
   * (Note [Never delete]), then lets the library forget them (`forgetMoved`).
   */
  async trash(photoIds: readonly number[], moveToTrash: (file: string) => Promise<void>, signal?: AbortSignal): Promise<TrashResult> {
    const result = await trashSelection(this.selection(photoIds), moveToTrash, signal);
    await this.forgetMoved(result.trashed, result.differing);
    return result;
  }

  /**
   * The groups found last, while the library is still the one they were found in, less the copies
   * moved to the trash since (Note [Last duplicates kept] in main/duplicates/last-find.ts); null
   * before a find, or once the library changed otherwise.
   */
  last(): LastFind | null {
    const last = this.lastFound;
    if (!last || !this.host.hasLibrary()) return null;
    return last.describes(this.host.library().storage.photos.allPhotos()) ? last : null;
  }

  /** The library as moving near-duplicates reads it now (Note [Only the library's files] in trash.ts). */
  private libraryNow(): LibraryNow {
    const storage = this.host.library().storage;
    return { pathOf: (photoId) => storage.photos.photoById(photoId)?.path, pathsShowing: (content) => storage.duplicates.pathsShowing(content) };
  }
}
