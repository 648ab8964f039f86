/**
 * Bringing the library index up to date: scan -> identify -> decode -> embed in batches -> write.
 *
 * Note [What a run does]: a file whose path, size, mtime and ctime are known is unchanged and
 * costs one stat (Note [Change time] in walk.ts). Otherwise its content decides (its key: Note [Same start, other content] in identity.ts): known content (a move, rename or copy) is linked to
 * the stored image and its embedding, never re-embedded; new content is decoded once and
 * embedded. Files that vanished are forgotten at the end, and images no file shows any more leave
 * the database and the vector index. A file that failed for its own defect is not retried until it
 * changes; any other failure is retried on the next run (Note [Failures that last] in formats.ts).
 * What the walk could not index (bad names, pipes) is recorded as a failure too, so the
 * library's count of failed files and its list include it.
 *
 * Note [What a run counts]: the summary counts files, each once, but `embedded` counts
 * contents: a content embedded by this run counts once however many files show it. The other
 * files showing it, and new files showing a content stored before, are `copies` (byte-identical
 * copies share one image and its embedding), unless that content left another path in the same
 * run (`moved`). A file met while a copy of it is on its way to be embedded, or embedded and not
 * written yet, shares that copy's embedding and is never decoded itself; one met later finds the
 * copy stored; the figures are the same either way. `unchanged` is only for files known at their
 * path, size, mtime and ctime, or known there with the same content (a file touched). Progress counts alike, and what the scan could not
 * index is part of its total (`toProcess`) and done (`processed`) from the start, so embedded +
 * failed never exceed the total, and the last progress agrees with the summary. The total holds
 * only files that may be photos, so that it is what the library ends with (files deleted
 * meanwhile aside): a new or changed file not named like a photo is sniffed by the walk
 * (walk.ts), and one whose first bytes are no image's (the `metadata.desktop` among
 * /usr/share/wallpapers) is left out as a `notes.txt` is. Counted, it made a total one more than
 * the photos indexed, and every re-scan of a library with nothing new said "1 of 1".
 *
 * Note [Edited in place]: a photo edited in another app (rotated, rated, its date fixed) is new
 * content at a known path, so a new image, and the image it showed before is forgotten once no
 * file shows it. What a person said of the photo goes with the path: the new image takes over
 * the old one's verdicts on tags and its places in albums (main/storage/library-store.ts),
 * whichever file of the new content the run met first (an identical export, say). A path that
 * now shows a content the library had before the run takes that content's own instead. The
 * old image, kept by another copy of it, keeps its own too: an album holding it then holds both.
 *
 * Note [Resume]: results are written in batched transactions as they come, so a crash or a
 * cancel keeps everything finished so far and the next run picks up the rest; nothing is ever
 * written twice (paths and content hashes are unique keys).
 *
 * Note [Unreachable folders]: removal only applies to what was walked. An unplugged drive, a
 * folder that became unreadable, or a link that now leads nowhere keeps the photos at and under
 * it rather than losing them; the rest of its library folder is brought up to date as usual. A
 * file that vanishes during the run, from a folder still there (or with its folders, from one
 * still there), is forgotten like one gone before it, not listed as failed; one that can no
 * longer be reached (a folder made unreadable) is listed as failed and kept; one whose library
 * folder went away meanwhile is kept, and the run says so (Note [A drive gone mid-run] in
 * folder-presence.ts).
 *
 * The run reads top-down in `indexLibrary`: the walk, then the photos identified (their keys in
 * content-keys.ts), decoded and embedded (the pipeline, with Notes [Sharing the CPU] and [Whole
 * batches], is in index-pipeline.ts) and stored as they come (pending-writes.ts), then what went
 * away and what vanished, then the summary (counted as it goes in run-figures.ts).
 */
import path from 'node:path';
import sharp from 'sharp';
import { isUserError } from '../core/errors.js';
import { decodeSlots } from '../core/decode-slots.js';
import { isInside } from '../core/paths.js';
import { JobControl } from '../jobs/job.js';
import type { ClipModel } from '../models/clip.js';
import type { EmbeddingStore } from '../storage/embedding-store.js';
import type { FolderRow, IndexedFile, LibraryStore, NewImage } from '../storage/library-store.js';
import type { VectorIndex } from '../storage/vector-index.js';
import { ContentKeys } from './content-keys.js';
import { decodePhoto } from './decode.js';
import { DecodeJournal } from './decode-journal.js';
import { FolderPresence } from './folder-presence.js';
import { Failure, failureFor, failureWords, isLibraryError, runFailure } from './failures.js';
import { EMPTY_FILE_TEXT, PHOTO_EXTENSIONS, REASON_TEXT, sniffFormat, type FailureReason } from './formats.js';
import { identifyFile } from './identity.js';
import { IndexPipeline } from './index-pipeline.js';
import { modelPlace } from './model-place.js';
import { PendingWrites } from './pending-writes.js';
import type { IndexScope } from './scope.js';
import { nonePassedOver, type PassedOver, type PassedOverKind } from './photo-kinds.js';
import { CHOSEN_MODEL } from './library.js';
import { RunFigures } from './run-figures.js';
import type { ThumbnailStore } from './thumbnails.js';
import { NOT_STATTED, walkLibrary, type Walk, type WorkItem } from './walk.js';

export interface IndexProgress {
  phase: 'scanning' | 'indexing' | 'finishing';
  found: number;
  processed: number;
  toProcess: number;
  embedded: number;
  failed: number;
  /** Files written to the library so far, copies included: the photos a run indexed. */
  indexed: number;
  /** Files the library forgot (deleted, or excluded since), moved ones not counted: known once the run finishes. */
  removed: number;
  /** Files of kinds Lumen does not index that the walk passed over, per kind (Note [Nothing skipped silently] in scan.ts). */
  passedOver: PassedOver;
  /** Library folders the walk could not open at all: no files, so not among `failed` (Note [A folder out of reach] in walk.ts). */
  unreachable: number;
  imagesPerSecond: number;
  etaSeconds: number | null;
}

export interface IndexSummary {
  /** Contents embedded, each once however many files show it (Note [What a run counts]). */
  embedded: number;
  unchanged: number;
  /** Files showing a content embedded by this run through another file, or stored before (Note [What a run counts]). */
  copies: number;
  moved: number;
  removed: number;
  /** `message` is the sentence a person reads, `detail` the decoder's own words (Note [Decoder's words apart]). */
  failed: Array<{ path: string; reason: FailureReason; message: string; detail?: string }>;
  /** As IndexProgress's. */
  passedOver: PassedOver;
  /** Library folders that could not be opened, in words: no files, but the run is not all done (Note [A folder out of reach] in walk.ts). */
  unreachable: Array<{ path: string; message: string }>;
  /** Other libraries' data folders the walk left out (Note [Other libraries] in data-folder.ts). */
  otherLibraries: string[];
  seconds: number;
}

export interface IndexOptions {
  control?: JobControl;
  onProgress?: (progress: IndexProgress) => void;
  /** Photos were stored: they are in the library from now on (Note [Photos as they index] in engine/library-changes.ts). */
  onStored?: () => void;
  /** Each file of a kind Lumen does not index that the walk passed over, so that a job of several passes counts it once (Note [A job of several passes]). */
  onPassedOver?: (file: string, kind: PassedOverKind) => void;
  /** Photos per model run (default: CPU_BATCH on the CPU, GPU_BATCH on a GPU, in index-pipeline.ts). */
  batchSize?: number;
  /** Files identified and decoded at once (sharp decodes on libuv's thread pool). */
  concurrency?: number;
  /** Rows per write transaction. */
  writeBatch?: number;
  /** Tries files that failed before even when they did not change. */
  retryFailed?: boolean | undefined;
  /** Walks only these folders under the library's (Note [Re-scan where it changed]); everything when absent. */
  within?: IndexScope | undefined;
}

export interface IndexTarget {
  store: LibraryStore;
  embeddings: EmbeddingStore;
  model: ClipModel;
  vectors: VectorIndex;
  thumbnails: ThumbnailStore;
  /** Lumen's own data folder: never walked, even inside a photo folder (its thumbnails are no photos). */
  dataDir: string;
  /** Library folders removed since the run started: their photos are left (Note [Images kept for a run] in library.ts). */
  removedFolders?: ReadonlyMap<number, readonly number[]>;
}

/** What the library stores of a file as the walk found it: a re-scan compares the next walk's with it (Note [Change time] in walk.ts). */
function fileAsFound({ path: filePath, folderId, size, mtimeMs, ctimeMs }: WorkItem): Pick<IndexedFile, 'path' | 'folderId' | 'size' | 'mtimeMs' | 'ctimeMs'> {
  return { path: filePath, folderId, size, mtimeMs, ctimeMs };
}

/** sharp's prebuilt libvips decodes AVIF but not HEVC-coded HEIC (patents); a system libvips may. */
const HEIC_DECODABLE = sharp.format.heif.input.fileSuffix?.includes('.heic') ?? false;

/** Brings the index of `folders` up to date (Note [What a run does]); a run cancelled, or one that cannot go on, throws, saying what it stored. */
export async function indexLibrary(target: IndexTarget, folders: readonly FolderRow[], options: IndexOptions = {}): Promise<IndexSummary> {
  const started = Date.now();
  const { store, model } = target;
  const control = options.control ?? new JobControl();
  const figures = new RunFigures(options);
  // Where the model came from, and that it is the library's choice, recorded first: a later run
  // (or search) finds it even if this one stops before it stores a photo (Note [The model chosen first] in library.ts).
  store.setMeta(`model_dir:${model.id}`, modelPlace(target.dataDir, model.spec.dir));
  store.setMeta(CHOSEN_MODEL, model.id);
  const walked = await walkForRun(target, folders, options, control, figures);

  // 2. Identify and decode (producers) -> embed in batches (consumer) -> write in transactions.
  // A failure of the disk or the model stops the run (Note [A run that cannot go on]).
  // A pause during the walk holds here too: loading the image model takes seconds of CPU and
  // hundreds of MB, which a person pauses to keep for something else.
  await control.checkpoint();
  const sharesCpu = walked.walk.work.length > 0 && (await model.loadImageTower()) === 'cpu';
  // The photos start to be worked on now (Note [Rate from the first photo] in run-figures.ts).
  figures.startRate(control.rateMeter());
  const run = new IndexRun(target, options, control, figures, walked, sharesCpu);
  await run.decodeAndEmbed();

  // Kept, not forgotten: what went away during the run (Note [Unreachable folders]).
  await run.lookForFoldersGone();
  // 3. Forget what vanished (not where the walk could not go), then persist the vector index.
  await run.forgetWhatVanished();
  return run.finish(started);
}

/** What the walk leaves the rest of the run. */
interface WalkOfRun {
  walk: Walk;
  /** The walk went over the whole library: the run's end marks it indexed. */
  whole: boolean;
  presence: FolderPresence;
  journal: DecodeJournal;
}

/**
 * 1. Walk: what is on disk, and what of it needs work. Until a whole walk's run ends, what it has
 * not reached is counted nowhere (LibraryStatus.unfinishedRun); a part walk leaves the mark as it
 * was, and one that misses a known file becomes a whole walk (walk.ts).
 */
async function walkForRun(target: IndexTarget, folders: readonly FolderRow[], options: IndexOptions, control: JobControl, figures: RunFigures): Promise<WalkOfRun> {
  const { store } = target;
  const { progress } = figures;
  const walkContext = {
    store,
    embeddings: target.embeddings,
    modelId: target.model.id,
    dataDir: target.dataDir,
    checkpoint: () => control.checkpoint(),
    retryFailed: options.retryFailed === true,
    onFound: () => {
      progress.found++;
      figures.report();
    },
    // A new object each time: the progress reported before keeps its own figures.
    onPassedOver: (file: string, kind: PassedOverKind) => {
      progress.passedOver = { ...progress.passedOver, [kind]: progress.passedOver[kind] + 1 };
      options.onPassedOver?.(file, kind);
    },
  };
  if (!options.within) store.markIndexRun('unfinished');
  // Noted before the walk: a drive can go during it (Note [A drive gone mid-run] in folder-presence.ts).
  const presence = await FolderPresence.of(folders);
  const journal = DecodeJournal.open(target.dataDir);
  let walk = await walkLibrary(walkContext, folders, options.within);
  const whole = !options.within || walk.missedKnown;
  if (options.within && walk.missedKnown) {
    store.markIndexRun('unfinished');
    progress.found = 0;
    progress.passedOver = nonePassedOver();
    walk = await walkLibrary(walkContext, folders, undefined);
  }
  figures.countWalk(walk);
  return { walk, whole, presence, journal };
}

/**
 * An index run once its walk is over and the image model loaded: the photos to work on go
 * through the pipeline (index-pipeline.ts), what comes of them is stored as it comes, then what
 * went away is kept and what vanished forgotten.
 */
class IndexRun {
  private readonly walk: Walk;
  private readonly whole: boolean;
  private readonly presence: FolderPresence;
  private readonly journal: DecodeJournal;
  private readonly pipeline: IndexPipeline;
  private readonly writes: PendingWrites;
  /** Library folders the walk could not open: the run said so already. */
  private readonly saidAtWalk: Set<number>;
  /** New files showing a content stored before: copies, or moves once the run knows what vanished. */
  private readonly linkedToExisting: Array<{ imageId: number }> = [];
  /** Contents embedded in this run: another file of one is a copy (Note [What a run counts]). */
  private readonly embeddedContents = new Set<string>();
  /** Contents whose image this run creates: a known path that now shows one takes over what its image carried (Note [Edited in place]). */
  private readonly createdContents = new Set<string>();
  /**
   * Contents on their way from a decode to a batch to be written, each with the other files of it
   * met meanwhile: those share its embedding when it comes, and are not decoded again.
   */
  private readonly followers = new Map<string, WorkItem[]>();
  /** Contents that stopped a process decoding them alone: a copy met in this run is not decoded either. */
  private readonly stoppingContents = new Set<string>();
  /** The keys of the contents met, this run's own among them (Note [Same start, other content] in identity.ts). */
  private readonly contentKeys: ContentKeys;

  constructor(
    private readonly target: IndexTarget,
    private readonly options: IndexOptions,
    private readonly control: JobControl,
    private readonly figures: RunFigures,
    { walk, whole, presence, journal }: WalkOfRun,
    sharesCpu: boolean,
  ) {
    this.walk = walk;
    this.whole = whole;
    this.presence = presence;
    this.journal = journal;
    this.pipeline = new IndexPipeline(target.model, walk.work, sharesCpu, options.batchSize);
    // A folder out of reach is listed with the failures too, with why (Note [A folder out of reach] in walk.ts).
    this.writes = new PendingWrites(target, options, figures.progress, [...walk.problems, ...walk.unreachable], (error) => this.pipeline.stop(error));
    this.saidAtWalk = new Set(walk.unreachable.map((folder) => folder.folderId));
    this.contentKeys = new ContentKeys(target.store);
  }

  /** 2. Every photo of the work identified, decoded, embedded and stored; throws, once what is done is stored, if the run stopped. */
  async decodeAndEmbed(): Promise<void> {
    const { work } = this.walk;
    const { journal } = this;
    // Photos a process ended while decoding go first, each alone (Note [A photo that stops the process] in decode-journal.ts).
    const suspects = journal.anyLeft ? work.filter((item) => journal.suspicion(item) !== null).length : 0;
    if (suspects > 0) work.sort((a, b) => Number(journal.suspicion(a) === null) - Number(journal.suspicion(b) === null));
    await this.pipeline.run({
      suspects,
      // Decoding is the bottleneck of indexing on any machine with a GPU: keep every core busy.
      producers: this.options.concurrency ?? decodeSlots(),
      workOn: (item) => this.workOn(item),
      consume: () => this.embedBatches(),
    });
    // What finished before a failure is written too, unless writing is what failed.
    try {
      this.writes.flush();
    } catch {
      // Recorded in the pipeline's `stoppedBy` by flush.
    }
    // A run that stops (cancelled, failed) says what it wrote.
    const { stoppedBy } = this.pipeline;
    if (stoppedBy) {
      this.figures.report(true);
      throw runFailure(stoppedBy.error, this.writes.stored);
    }
  }

  /** A producer's work: identifies, decodes or fails one photo, or leaves it to another's decode. */
  private async workOn(item: WorkItem): Promise<void> {
    // Its folder left the library meanwhile: hours of decoding for photos the run would not keep.
    if (this.target.removedFolders?.has(item.folderId)) {
      this.figures.progress.processed++;
      return;
    }
    // As the consumer's: copies of photos already indexed are stored here, not there.
    await this.pausePoint();
    while (this.pipeline.inferring) await this.pipeline.inferring;
    try {
      await this.indexByContent(item);
    } catch (error) {
      // The run is over (the queue rejected the push): this photo is not at fault.
      if (this.pipeline.stoppedBy) return;
      if (isUserError(error) && error.code === 'cancelled') throw error;
      // The library's own failure stops every producer and the consumer at once, not this one alone.
      if (isLibraryError(error)) {
        this.pipeline.stop(error);
        throw error;
      }
      // A photo's own defect, found once it was read, says nothing of its folder.
      if (!(error instanceof Failure) && (await this.notItsFault(item))) return;
      const failure = failureFor(item.path, error);
      this.recordFailure(item, failure);
      if (failure.reason === 'stops-decoder') {
        // Stored before the journal lets it go: a process ended meanwhile would decode it again.
        this.writes.flush();
        this.journal.settle(item);
      } else this.writes.flushIfDue();
    }
    this.figures.report();
  }

  /**
   * A pause makes what is done durable, then waits; a cancel stops here. What is done is stored
   * before a pause, and said: a report held back as too soon after the last stayed the figures
   * shown for as long as the pause lasted.
   */
  private pausePoint(): Promise<void> {
    if (this.control.isPaused) {
      this.writes.flush();
      this.figures.report(true);
    }
    return this.control.checkpoint();
  }

  /**
   * What `item`'s content calls for: it joins a copy on its way to the model, shares the embedding
   * of one not written yet, is linked to the image stored for it, or is decoded.
   */
  private async indexByContent(item: WorkItem): Promise<void> {
    const { store, embeddings } = this.target;
    // An unchanged file to embed again is its image's; only a new or changed one is read whole.
    const identity = await identifyFile(item.path, { whole: item.kind === 'new' });
    const { head, wholeHash } = identity;
    const contentHash = item.kind === 'reembed' ? (store.contentOfImage(item.imageId) ?? identity.contentHash) : await this.contentKeys.keyOf(item, identity);
    const copyOf = this.followers.get(contentHash);
    if (copyOf) {
      copyOf.push(item);
      return;
    }
    const embeddedCopy = this.writes.unwritten.get(contentHash);
    if (embeddedCopy) {
      this.shareEmbedding(item, embeddedCopy, contentHash);
      this.writes.flushIfDue();
      return;
    }
    if (item.kind === 'reembed') {
      await this.decode(item, { existingId: item.imageId }, contentHash, store.imageByHash(contentHash)?.thumbnail != null);
      return;
    }
    const format = sniffFormat(head);
    if (!format) {
      // An empty file is most often a copy or download that never finished: said so.
      const what = head.length === 0 ? EMPTY_FILE_TEXT : `${REASON_TEXT['not-an-image']}.`;
      if (PHOTO_EXTENSIONS.has(path.extname(item.path).toLowerCase())) throw new Failure('not-an-image', `${path.basename(item.path)} ${what}`);
      // Not a photo and not named like one: not part of the library, nothing to report. The walk
      // leaves such files out (Note [What a run counts]); this one was rewritten since.
      this.walk.present.get(item.folderId)?.delete(item.path);
      this.figures.progress.processed++;
      return;
    }
    if (format === 'heic' && !HEIC_DECODABLE) {
      throw new Failure('unsupported', `${path.basename(item.path)} is a HEIC photo, which this build cannot decode (it needs a system libvips with HEVC support).`);
    }
    const existing = store.imageByHash(contentHash);
    if (existing && embeddings.has(this.target.model.id, existing.id)) {
      this.writes.indexed.push({ ...fileAsFound(item), image: { existingId: existing.id }, vector: null, replaces: this.imageReplaced(item, contentHash) });
      // A file touched (its time changed, not its content) is no copy.
      if (existing.id === item.previousImageId) this.figures.summary.unchanged++;
      else this.linkedToExisting.push({ imageId: existing.id });
      this.figures.progress.processed++;
      this.writes.flushIfDue();
      return;
    }
    const image = existing ? { existingId: existing.id } : { created: { contentHash, format, wholeHash } };
    await this.decode(item, image, contentHash, existing?.thumbnail != null);
  }

  /** Decodes `item` and hands it to the model; the other files of its content met meanwhile wait for its embedding (`followers`). */
  private async decode(item: WorkItem, image: { existingId: number } | { created: Pick<NewImage, 'contentHash' | 'format' | 'wholeHash'> }, contentHash: string, hasThumbnail: boolean): Promise<void> {
    if (this.journal.suspicion(item) === 'stopped-alone' || this.stoppingContents.has(contentHash)) {
      this.stoppingContents.add(contentHash);
      throw new Failure('stops-decoder', `${path.basename(item.path)} ${REASON_TEXT['stops-decoder']}.`);
    }
    this.followers.set(contentHash, []);
    if ('created' in image && image.created.wholeHash) this.contentKeys.remember(contentHash, image.created.wholeHash);
    try {
      const decoded = await this.journal.decode(item, () => decodePhoto(item.path, this.target.model.spec.image.preprocessing, { withThumbnail: !hasThumbnail }));
      if ('created' in image) this.createdContents.add(contentHash);
      const file = { ...fileAsFound(item), replaces: this.imageReplaced(item, contentHash) };
      const imageRef =
        'existingId' in image
          ? image
          : { created: { ...image.created, width: decoded.width, height: decoded.height, thumbnail: null, ...decoded.metadata } };
      await this.pipeline.push({ file: { ...file, image: imageRef }, tensor: decoded.tensor, contentHash, thumbnail: decoded.thumbnail });
    } catch (error) {
      // Its copies go back to the work: this file may have vanished, or may fail on its own.
      this.pipeline.requeue(this.followers.get(contentHash) ?? []);
      this.followers.delete(contentHash);
      this.contentKeys.forget(contentHash);
      throw error;
    }
  }

  /** The consumer: embeds whole batches as they are decoded, and keeps each photo for the next write with the copies of it met meanwhile. */
  private async embedBatches(): Promise<void> {
    const { summary, progress } = this.figures;
    for (;;) {
      // A pause makes what is done durable, then waits; a cancel stops here.
      await this.pausePoint();
      const batch = await this.pipeline.takeBatch();
      if (batch.length === 0) return;
      const vectors = await this.pipeline.embed(batch);
      for (const [i, item] of batch.entries()) {
        const indexed: IndexedFile = { ...item.file, vector: vectors[i] as Float32Array };
        if (item.thumbnail && 'created' in indexed.image) {
          indexed.image = { created: { ...indexed.image.created, thumbnail: await this.target.thumbnails.write(item.contentHash, item.thumbnail) } };
        }
        this.writes.indexed.push(indexed);
        if (this.embeddedContents.has(item.contentHash)) {
          summary.copies++;
        } else {
          this.embeddedContents.add(item.contentHash);
          summary.embedded++;
          progress.embedded++;
        }
        progress.processed++;
        for (const copy of this.followers.get(item.contentHash) ?? []) this.shareEmbedding(copy, indexed, item.contentHash);
        this.followers.delete(item.contentHash);
        this.writes.unwritten.set(item.contentHash, indexed);
      }
      this.writes.flushIfDue();
      this.figures.report();
    }
  }

  /** Stores `copy` as another file of the content `embedded` shows, embedded in this run and not decoded again. */
  private shareEmbedding(copy: WorkItem, embedded: IndexedFile, contentHash: string): void {
    this.writes.indexed.push({ ...fileAsFound(copy), image: embedded.image, vector: embedded.vector, replaces: this.imageReplaced(copy, contentHash) });
    this.figures.summary.copies++;
    this.figures.progress.processed++;
  }

  /** The image a new file at a known path takes over from, when its content is one this run creates (Note [Edited in place]). */
  private imageReplaced(item: WorkItem, contentHash: string): number | null {
    return item.kind === 'new' && this.createdContents.has(contentHash) ? item.previousImageId : null;
  }

  private recordFailure(item: WorkItem, failure: Failure): void {
    this.writes.failed.push({ ...fileAsFound(item), reason: failure.reason, message: failure.message });
    this.figures.summary.failed.push({ path: item.path, reason: failure.reason, ...failureWords({ path: item.path, reason: failure.reason, message: failure.message }) });
    this.figures.progress.failed++;
    this.figures.progress.processed++;
  }

  /**
   * Whether `item` failed for no fault of its own: its library folder went away (kept, Note [A
   * drive gone mid-run] in folder-presence.ts), or it was deleted or moved away since the walk
   * found it (forgotten, Note [Unreachable folders]).
   */
  private async notItsFault(item: WorkItem): Promise<boolean> {
    if (await this.presence.isAway(item.folderId)) {
      this.figures.progress.processed++;
      return true;
    }
    if (!(await this.presence.isGone(item.path, item.folderId))) return false;
    this.walk.present.get(item.folderId)?.delete(item.path);
    this.figures.progress.processed++;
    return true;
  }

  /** A drive gone during the walk, or after its folder's last photo, is found here (Note [A drive gone mid-run]). */
  async lookForFoldersGone(): Promise<void> {
    // A folder that left the library during the run is no folder gone.
    for (const folder of this.walk.walked.keys()) if (!this.saidAtWalk.has(folder.id) && !this.target.removedFolders?.has(folder.id)) await this.presence.isAway(folder.id);
  }

  /** 3. What went away is kept, what vanished forgotten; then the vector index is persisted. */
  async forgetWhatVanished(): Promise<void> {
    const { store, embeddings, vectors } = this.target;
    const modelId = this.target.model.id;
    this.figures.progress.phase = 'finishing';
    this.figures.report(true);
    try {
      this.keepWhatWentAway();
      const lostImages = this.removeMissing();
      // The images left without a file leave search now, their rows and thumbnails once the run ends (Note [Removed a slice at a time] in library.ts).
      vectors.remove(store.withoutFile(lostImages.keys()));
      this.countMoves(lostImages);
      await vectors.saveIfDue();
      // The images no file shows go after the run, needing no vector (Note [Removed a slice at a time] in library.ts).
      if (store.meta('serving_model') !== modelId && embeddings.missingShown(modelId) === 0) store.setMeta('serving_model', modelId);
    } catch (error) {
      // The disk can fill up here too (Note [A run that cannot go on]).
      throw runFailure(error, this.writes.stored);
    }
  }

  /** A library folder gone during the run: nothing in it is forgotten, and the run says so, as of one out of reach at the start. */
  private keepWhatWentAway(): void {
    const { summary, progress } = this.figures;
    const { unwalked } = this.walk;
    for (const [folderId, root] of this.presence.away) {
      if (this.saidAtWalk.has(folderId) || this.target.removedFolders?.has(folderId)) continue;
      unwalked.set(folderId, [...(unwalked.get(folderId) ?? []), root]);
      const message = `The folder ${root} went away while it was being indexed (a drive unplugged or unmounted?); its photos are kept. Index again once it is back.`;
      summary.unreachable.push({ path: root, message });
      this.writes.failed.push({ path: root, folderId, ...NOT_STATTED, reason: 'unreadable', message });
    }
    progress.unreachable = summary.unreachable.length;
    this.writes.flush();
  }

  /**
   * Forgets the files of each walked folder that are no more; the images that lost files, with how
   * many each lost. The person's verdicts and album places of those left without a file are kept
   * by content, for when the file comes back (Note [Work kept for photos that return] in main/storage/kept-work.ts).
   */
  private removeMissing(): Map<number, number> {
    const { walked, problems: scanProblems, unreachable, present, unwalked, recovered } = this.walk;
    const lostImages = new Map<number, number>();
    for (const [folder, within] of walked) {
      const problems = new Set([...scanProblems, ...unreachable].filter((problem) => problem.folderId === folder.id).map((problem) => problem.path));
      const { removedFiles, lostImageIds } = this.target.store.removeMissing(folder.id, present.get(folder.id) ?? new Set(), { problems, unwalked: unwalked.get(folder.id), within, recovered: recovered.get(folder.id) });
      this.figures.summary.removed += removedFiles;
      for (const id of lostImageIds) lostImages.set(id, (lostImages.get(id) ?? 0) + 1);
    }
    return lostImages;
  }

  /** A file gone from one path whose content turned up at another was moved, not removed. */
  private countMoves(lostImages: Map<number, number>): void {
    const { summary } = this.figures;
    for (const link of this.linkedToExisting) {
      const lost = lostImages.get(link.imageId) ?? 0;
      if (lost === 0) {
        summary.copies++;
        continue;
      }
      lostImages.set(link.imageId, lost - 1);
      summary.moved++;
      summary.removed--;
    }
  }

  /** The run is done: a whole walk's marks the library indexed. */
  finish(started: number): IndexSummary {
    const { summary, progress } = this.figures;
    if (this.whole) {
      this.target.store.markIndexRun('finished');
      // What the walk could not reach (a drive unplugged: its folders are among the unwalked) keeps its suspects for the run that reaches it.
      const unreached = [...this.walk.unwalked.values()].flat();
      this.journal.forgetUnmet((file) => unreached.some((root) => isInside(file, root)));
    }
    summary.seconds = (Date.now() - started) / 1000;
    progress.removed = summary.removed;
    this.figures.report(true);
    return summary;
  }
}
