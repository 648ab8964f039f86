/**
 * Bringing the library index up to date: scan -> identify -> decode -> embed in batches -> write.
 *
 * Note [What a run does]: a file whose path, size and mtime are known is unchanged and costs one
 * stat. Otherwise its content hash decides: known content (a move, rename or copy) is linked to
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
 * path, size and mtime, or known there with the same content (a file touched). Progress counts alike, and what the scan could not
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
 * Note [Sharing the CPU]: with the image tower on a GPU, decoding (on the CPU) overlaps
 * inference. With the tower on the CPU they take turns instead: no new decode starts while
 * inference runs. Each then has every core to itself, and the pipeline reaches the shared-core
 * bound 1 / (1/model + decode_cpu/cores): overlapped, ONNX Runtime's threads compete with
 * decoding for the same cores, and each of its parallel operations waits for its slowest thread
 * (measured by `npm run bench -- index`, with a naive sequential pipeline).
 *
 * Note [Whole batches]: inference waits for a whole batch on every provider; only a run's last
 * batch may be smaller. A GPU provider prepares its kernels for each input shape the first time
 * it meets one (on the GPU machine, WebGPU and ViT-B/32: about 25 ms beyond the run itself), and
 * a run's time shrinks little with its batch (on an H100 earlier: 20 ms for one photo, 39 ms for
 * 32). Taking whatever was decoded, as the GPU path once did, gave batches of every size from 1
 * up: end to end reached 0.73 and 0.79 of decoding alone at batches of 32 and 64; with whole
 * batches, 0.80 and 0.82 (`npm run bench -- gpu`, 12-04). The GPU outruns decoding, so waiting
 * for a whole batch costs no throughput.
 */
import path from 'node:path';
import sharp from 'sharp';
import { isUserError } from '../core/errors.js';
import { isInside } from '../core/paths.js';
import { decodeSlots } from '../core/decode-slots.js';
import { BoundedQueue } from '../core/queue.js';
import { JobControl, type RateMeter } from '../jobs/job.js';
import type { ClipModel } from '../models/clip.js';
import type { EmbeddingStore } from '../storage/embedding-store.js';
import type { FailedFile, FolderRow, IndexedFile, LibraryStore, NewImage } from '../storage/library-store.js';
import type { VectorIndex } from '../storage/vector-index.js';
import { decodePhoto } from './decode.js';
import { DecodeJournal } from './decode-journal.js';
import { FolderPresence } from './folder-presence.js';
import { Failure, ModelFailure, failureFor, failureWords, isLibraryError, runFailure } from './failures.js';
import { EMPTY_FILE_TEXT, PHOTO_EXTENSIONS, REASON_TEXT, sniffFormat, type FailureReason } from './formats.js';
import { identifyFile } from './identity.js';
import type { IndexScope } from './scope.js';
import { noProgress } from './job-figures.js';
import { nonePassedOver, type PassedOver, type PassedOverKind } from './photo-kinds.js';
import { CHOSEN_MODEL } from './library.js';
import type { ThumbnailStore } from './thumbnails.js';
import { walkLibrary, type WorkItem } from './walk.js';

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
  /** Photos per model run (default: CPU_BATCH on the CPU, GPU_BATCH on a GPU). */
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

/** sharp's prebuilt libvips decodes AVIF but not HEVC-coded HEIC (patents); a system libvips may. */
const HEIC_DECODABLE = sharp.format.heif.input.fileSuffix?.includes('.heic') ?? false;

interface Decoded {
  file: Omit<IndexedFile, 'vector'>;
  tensor: Float32Array;
  contentHash: string;
  thumbnail: Buffer | null;
}

/**
 * Photos per model run unless asked otherwise. On a GPU, whole batches of 16, 32 and 64 reached
 * 0.73, 0.80 and 0.82 of decoding alone end to end (`npm run bench -- gpu`, 12-04); 64 also beat
 * 32 in the run before, by little. On the CPU, 16 a batch reaches the shared-core bound
 * (`npm run bench -- index`, Note [Sharing the CPU]).
 */
const CPU_BATCH = 16;
const GPU_BATCH = 64;

export async function indexLibrary(target: IndexTarget, folders: readonly FolderRow[], options: IndexOptions = {}): Promise<IndexSummary> {
  const started = Date.now();
  const { store, embeddings, model, vectors, thumbnails } = target;
  const control = options.control ?? new JobControl();
  // Decoding is the bottleneck of indexing on any machine with a GPU: keep every core busy.
  const concurrency = options.concurrency ?? decodeSlots();
  const modelId = model.id;
  const preprocessing = model.spec.image.preprocessing;

  const summary: IndexSummary = { embedded: 0, unchanged: 0, copies: 0, moved: 0, removed: 0, failed: [], passedOver: nonePassedOver(), unreachable: [], otherLibraries: [], seconds: 0 };
  const progress = noProgress();
  /**
   * Note [Rate from the first photo]: the rate, and the time left from it, are measured from when
   * the photos start to be worked on, once the walk is over and the image model loaded: the seconds
   * or minutes of a walk and a load index no photo, and counted in they made the first estimates
   * of a run several times too long. Null until then.
   */
  let meter: RateMeter | null = null;
  let lastReport = 0;
  const report = (force = false) => {
    const now = Date.now();
    if (!force && now - lastReport < 250) return;
    lastReport = now;
    if (meter) {
      meter.record(progress.processed);
      progress.imagesPerSecond = meter.perSecond;
      progress.etaSeconds = progress.phase === 'indexing' ? meter.eta(progress.toProcess - progress.processed) : null;
    }
    options.onProgress?.({ ...progress });
  };

  // Where the model came from, and that it is the library's choice, recorded first: a later run
  // (or search) finds it even if this one stops before it stores a photo (Note [The model chosen first] in library.ts).
  store.setMeta(`model_dir:${modelId}`, model.spec.dir);
  store.setMeta(CHOSEN_MODEL, modelId);
  // 1. Walk: what is on disk, and what of it needs work. Until a whole walk's run ends, what it has
  // not reached is counted nowhere (LibraryStatus.unfinishedRun); a part walk leaves the mark as it
  // was, and one that misses a known file becomes a whole walk (walk.ts).
  const walkContext = {
    store,
    embeddings,
    modelId,
    dataDir: target.dataDir,
    checkpoint: () => control.checkpoint(),
    retryFailed: options.retryFailed === true,
    onFound: () => {
      progress.found++;
      report();
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
  summary.passedOver = progress.passedOver;
  const { present, unwalked, work, problems: scanProblems } = walk;
  summary.unchanged = walk.unchanged;
  summary.unreachable = walk.unreachable.map(({ path, message }) => ({ path, message }));
  summary.otherLibraries = walk.otherLibraries;
  for (const problem of scanProblems) summary.failed.push({ path: problem.path, reason: problem.reason, message: problem.message });
  progress.failed = scanProblems.length;
  progress.unreachable = walk.unreachable.length;
  progress.phase = 'indexing';
  // What the scan could not index is part of the run's total, and done (Note [What a run counts]).
  progress.toProcess = work.length + scanProblems.length;
  progress.processed = scanProblems.length;
  report(true);

  // 2. Identify and decode (producers) -> embed in batches (consumer) -> write in transactions.
  // A failure of the disk or the model stops the run (Note [A run that cannot go on]).
  // A pause during the walk holds here too: loading the image model takes seconds of CPU and
  // hundreds of MB, which a person pauses to keep for something else.
  await control.checkpoint();
  const sharesCpu = work.length > 0 && (await model.loadImageTower()) === 'cpu';
  // The photos start to be worked on now (Note [Rate from the first photo]).
  meter = control.rateMeter();
  meter.record(progress.processed);
  const batchSize = options.batchSize ?? (sharesCpu ? CPU_BATCH : GPU_BATCH);
  // Set while the model runs on the CPU: no new decode starts meanwhile (Note [Sharing the CPU]).
  let inferring: Promise<unknown> | null = null;
  const queue = new BoundedQueue<Decoded>(batchSize * 2);
  // Set from the callbacks below; the cast keeps TypeScript from narrowing it to null here.
  let fatal = null as { error: unknown } | null;
  const stop = (error: unknown) => {
    fatal ??= { error };
    queue.abort(fatal.error);
  };
  const pendingIndexed: IndexedFile[] = [];
  // A folder out of reach is listed with the failures too, with why (Note [A folder out of reach] in walk.ts).
  const pendingFailed: FailedFile[] = [...scanProblems, ...walk.unreachable];
  const linkedToExisting: Array<{ imageId: number }> = [];
  /** Contents embedded in this run: another file of one is a copy (Note [What a run counts]). */
  const embeddedContents = new Set<string>();
  /** Contents whose image this run creates: a known path that now shows one takes over what its image carried (Note [Edited in place]). */
  const createdContents = new Set<string>();
  const replaced = (item: WorkItem, contentHash: string) => (item.kind === 'new' && createdContents.has(contentHash) ? item.previousImageId : null);
  /**
   * Contents on their way from a decode to a batch to be written, each with the other files of it
   * met meanwhile: those share its embedding when it comes, and are not decoded again.
   */
  const followers = new Map<string, WorkItem[]>();
  /** Contents embedded and waiting in the next batch to be written: a file of one met now shares it too. */
  const unwritten = new Map<string, IndexedFile>();
  let stored = 0;
  let storageFailed = false;
  let lastFlush = Date.now();
  const flush = () => {
    if (storageFailed || (pendingIndexed.length === 0 && pendingFailed.length === 0)) return;
    const indexed = pendingIndexed.splice(0);
    try {
      vectors.add(store.writeBatch(modelId, indexed, pendingFailed.splice(0)));
      // Written: a file of these contents met from now on finds its image stored.
      unwritten.clear();
    } catch (error) {
      storageFailed = true;
      stop(error);
      throw error;
    }
    stored += indexed.length;
    progress.indexed = stored;
    lastFlush = Date.now();
    if (indexed.length > 0) options.onStored?.();
  };
  /** What is done is stored before a pause, and said: a report held back as too soon after the last stayed the figures shown for as long as the pause lasted. */
  const storeForPause = () => {
    flush();
    report(true);
  };
  const maybeFlush = () => {
    if (pendingIndexed.length + pendingFailed.length >= (options.writeBatch ?? 64) || Date.now() - lastFlush > 1000) flush();
  };
  const fail = (item: WorkItem, failure: Failure) => {
    pendingFailed.push({ path: item.path, folderId: item.folderId, size: item.size, mtimeMs: item.mtimeMs, reason: failure.reason, message: failure.message });
    summary.failed.push({ path: item.path, reason: failure.reason, ...failureWords({ path: item.path, reason: failure.reason, message: failure.message }) });
    progress.failed++;
    progress.processed++;
  };

  /**
   * Whether `item` failed for no fault of its own: its library folder went away (kept, Note [A
   * drive gone mid-run] in folder-presence.ts), or it was deleted or moved away since the walk
   * found it (forgotten, Note [Unreachable folders]).
   */
  const notItsFault = async (item: WorkItem): Promise<boolean> => {
    if (await presence.isAway(item.folderId)) {
      progress.processed++;
      return true;
    }
    if (!(await presence.isGone(item.path, item.folderId))) return false;
    present.get(item.folderId)?.delete(item.path);
    progress.processed++;
    return true;
  };

  /** Contents that stopped a process decoding them alone: a copy met in this run is not decoded either. */
  const stoppingContents = new Set<string>();
  const decode = async (item: WorkItem, image: { existingId: number } | { created: Pick<NewImage, 'contentHash' | 'format'> }, contentHash: string, hasThumbnail: boolean) => {
    if (journal.suspicion(item) === 'stopped-alone' || stoppingContents.has(contentHash)) {
      stoppingContents.add(contentHash);
      throw new Failure('stops-decoder', `${path.basename(item.path)} ${REASON_TEXT['stops-decoder']}.`);
    }
    followers.set(contentHash, []);
    try {
      const decoded = await journal.decode(item, () => decodePhoto(item.path, preprocessing, { withThumbnail: !hasThumbnail }));
      if ('created' in image) createdContents.add(contentHash);
      const file = { path: item.path, folderId: item.folderId, size: item.size, mtimeMs: item.mtimeMs, replaces: replaced(item, contentHash) };
      const imageRef =
        'existingId' in image
          ? image
          : { created: { ...image.created, width: decoded.width, height: decoded.height, thumbnail: null, ...decoded.metadata } };
      await queue.push({ file: { ...file, image: imageRef }, tensor: decoded.tensor, contentHash, thumbnail: decoded.thumbnail });
    } catch (error) {
      // Its copies go back to the work: this file may have vanished, or may fail on its own.
      work.push(...(followers.get(contentHash) ?? []));
      followers.delete(contentHash);
      throw error;
    }
  };

  /** Stores `copy` as another file of the content `embedded` shows, embedded in this run and not decoded again. */
  const shareEmbedding = (copy: WorkItem, embedded: IndexedFile, contentHash: string) => {
    pendingIndexed.push({ path: copy.path, folderId: copy.folderId, size: copy.size, mtimeMs: copy.mtimeMs, image: embedded.image, vector: embedded.vector, replaces: replaced(copy, contentHash) });
    summary.copies++;
    progress.processed++;
  };

  const handle = async (item: WorkItem) => {
    const { contentHash, head } = await identifyFile(item.path);
    const copyOf = followers.get(contentHash);
    if (copyOf) {
      copyOf.push(item);
      return;
    }
    const embeddedCopy = unwritten.get(contentHash);
    if (embeddedCopy) {
      shareEmbedding(item, embeddedCopy, contentHash);
      maybeFlush();
      return;
    }
    if (item.kind === 'reembed') {
      await decode(item, { existingId: item.imageId }, contentHash, store.imageByHash(contentHash)?.thumbnail != null);
      return;
    }
    const format = sniffFormat(head);
    if (!format) {
      // An empty file is most often a copy or download that never finished: said so.
      const what = head.length === 0 ? EMPTY_FILE_TEXT : `${REASON_TEXT['not-an-image']}.`;
      if (PHOTO_EXTENSIONS.has(path.extname(item.path).toLowerCase())) throw new Failure('not-an-image', `${path.basename(item.path)} ${what}`);
      // Not a photo and not named like one: not part of the library, nothing to report. The walk
      // leaves such files out (Note [What a run counts]); this one was rewritten since.
      present.get(item.folderId)?.delete(item.path);
      progress.processed++;
      return;
    }
    if (format === 'heic' && !HEIC_DECODABLE) {
      throw new Failure('unsupported', `${path.basename(item.path)} is a HEIC photo, which this build cannot decode (it needs a system libvips with HEVC support).`);
    }
    const existing = store.imageByHash(contentHash);
    if (existing && embeddings.has(modelId, existing.id)) {
      pendingIndexed.push({ path: item.path, folderId: item.folderId, size: item.size, mtimeMs: item.mtimeMs, image: { existingId: existing.id }, vector: null, replaces: replaced(item, contentHash) });
      // A file touched (its time changed, not its content) is no copy.
      if (existing.id === item.previousImageId) summary.unchanged++;
      else linkedToExisting.push({ imageId: existing.id });
      progress.processed++;
      maybeFlush();
      return;
    }
    const image = existing ? { existingId: existing.id } : { created: { contentHash, format } };
    await decode(item, image, contentHash, existing?.thumbnail != null);
  };

  /** Identifies, decodes or fails one photo, or leaves it to another's decode. */
  const workOn = async (item: WorkItem) => {
    // Its folder left the library meanwhile: hours of decoding for photos the run would not keep.
    if (target.removedFolders?.has(item.folderId)) {
      progress.processed++;
      return;
    }
    // As the consumer's: copies of photos already indexed are stored here, not there.
    if (control.isPaused) storeForPause();
    await control.checkpoint();
    while (inferring) await inferring;
    try {
      await handle(item);
    } catch (error) {
      // The run is over (the queue rejected the push): this photo is not at fault.
      if (fatal) return;
      if (isUserError(error) && error.code === 'cancelled') throw error;
      // The library's own failure stops every producer and the consumer at once, not this one alone.
      if (isLibraryError(error)) {
        stop(error);
        throw error;
      }
      // A photo's own defect, found once it was read, says nothing of its folder.
      if (!(error instanceof Failure) && (await notItsFault(item))) return;
      const failure = failureFor(item.path, error);
      fail(item, failure);
      if (failure.reason === 'stops-decoder') {
        // Stored before the journal lets it go: a process ended meanwhile would decode it again.
        flush();
        journal.settle(item);
      } else maybeFlush();
    }
    report();
  };
  let next = 0;
  const producer = async () => {
    while (next < work.length && !fatal) {
      // Claim the item before awaiting: the other producers run between awaits.
      await workOn(work[next++] as WorkItem);
    }
  };
  // Photos a process ended while decoding go first, each alone (Note [A photo that stops the process] in decode-journal.ts).
  const suspects = journal.anyLeft ? work.filter((item) => journal.suspicion(item) !== null).length : 0;
  if (suspects > 0) work.sort((a, b) => Number(journal.suspicion(a) === null) - Number(journal.suspicion(b) === null));
  const embed = async (tensors: Float32Array[]): Promise<Float32Array[]> => {
    try {
      const vectors = await model.embedTensors(tensors);
      if (vectors.length !== tensors.length) throw new Error(`it returned ${vectors.length} embeddings for ${tensors.length} photos`);
      const wrong = vectors.find((vector) => vector.length !== model.dim);
      if (wrong) throw new Error(`it returned ${wrong.length}-dimensional embeddings where ${model.dim} dimensions were expected`);
      return vectors;
    } catch (error) {
      throw new ModelFailure(model.id, error);
    }
  };
  const consumer = async () => {
    for (;;) {
      // A pause makes what is done durable, then waits; a cancel stops here.
      if (control.isPaused) storeForPause();
      await control.checkpoint();
      const batch = await queue.take(batchSize, batchSize);
      if (batch.length === 0) return;
      const running = embed(batch.map((item) => item.tensor));
      if (sharesCpu) inferring = running.catch(() => {}).finally(() => (inferring = null));
      const embeddings = await running;
      for (const [i, item] of batch.entries()) {
        const indexed: IndexedFile = { ...item.file, vector: embeddings[i] as Float32Array };
        if (item.thumbnail && 'created' in indexed.image) {
          indexed.image = { created: { ...indexed.image.created, thumbnail: await thumbnails.write(item.contentHash, item.thumbnail) } };
        }
        pendingIndexed.push(indexed);
        if (embeddedContents.has(item.contentHash)) {
          summary.copies++;
        } else {
          embeddedContents.add(item.contentHash);
          summary.embedded++;
          progress.embedded++;
        }
        progress.processed++;
        for (const copy of followers.get(item.contentHash) ?? []) shareEmbedding(copy, indexed, item.contentHash);
        followers.delete(item.contentHash);
        unwritten.set(item.contentHash, indexed);
      }
      maybeFlush();
      report();
    }
  };

  const consuming = consumer().catch(stop);
  try {
    while (next < suspects && !fatal) await workOn(work[next++] as WorkItem);
  } catch (error) {
    stop(error);
  }
  // Every producer has stopped before the run ends, so none writes after it.
  const produced = await Promise.allSettled(Array.from({ length: Math.max(1, concurrency) }, producer));
  for (const result of produced) if (result.status === 'rejected') stop(result.reason);
  queue.close();
  await consuming;
  // What finished before a failure is written too, unless writing is what failed.
  try {
    flush();
  } catch {
    // Recorded in `fatal` by flush.
  }
  // A run that stops (cancelled, failed) says what it wrote.
  if (fatal) report(true);
  if (fatal) throw runFailure(fatal.error, stored);

  // A drive gone during the walk, or after its folder's last photo, is found here (Note [A drive gone mid-run]).
  const saidAtWalk = new Set(walk.unreachable.map((folder) => folder.folderId));
  // A folder that left the library during the run is no folder gone.
  for (const folder of walk.walked.keys()) if (!saidAtWalk.has(folder.id) && !target.removedFolders?.has(folder.id)) await presence.isAway(folder.id);
  /** A library folder gone during the run: nothing in it is forgotten, and the run says so, as of one out of reach at the start. */
  const keepWhatWentAway = () => {
    for (const [folderId, root] of presence.away) {
      if (saidAtWalk.has(folderId) || target.removedFolders?.has(folderId)) continue;
      unwalked.set(folderId, [...(unwalked.get(folderId) ?? []), root]);
      const message = `The folder ${root} went away while it was being indexed (a drive unplugged or unmounted?); its photos are kept. Index again once it is back.`;
      summary.unreachable.push({ path: root, message });
      pendingFailed.push({ path: root, folderId, size: 0, mtimeMs: 0, reason: 'unreadable', message });
    }
    progress.unreachable = summary.unreachable.length;
    flush();
  };

  // 3. Forget what vanished (not where the walk could not go), then persist the vector index.
  progress.phase = 'finishing';
  report(true);
  try {
    keepWhatWentAway();
    // A file gone from one path whose content turned up at another was moved, not removed.
    const lostImages = new Map<number, number>();
    for (const [folder, within] of walk.walked) {
      const problems = new Set([...scanProblems, ...walk.unreachable].filter((problem) => problem.folderId === folder.id).map((problem) => problem.path));
      const { removedFiles, lostImageIds } = store.removeMissing(folder.id, present.get(folder.id) ?? new Set(), { problems, unwalked: unwalked.get(folder.id), within, recovered: walk.recovered.get(folder.id) });
      summary.removed += removedFiles;
      for (const id of lostImageIds) lostImages.set(id, (lostImages.get(id) ?? 0) + 1);
    }
    // The images left without a file leave search now, their rows and thumbnails once the run ends (Note [Removed a slice at a time] in library.ts).
    vectors.remove(store.withoutFile(lostImages.keys()));
    for (const link of linkedToExisting) {
      const lost = lostImages.get(link.imageId) ?? 0;
      if (lost === 0) {
        summary.copies++;
        continue;
      }
      lostImages.set(link.imageId, lost - 1);
      summary.moved++;
      summary.removed--;
    }
    await vectors.saveIfDue();
    // The images no file shows go after the run, needing no vector (Note [Removed a slice at a time] in library.ts).
    if (store.meta('serving_model') !== modelId && embeddings.missingShown(modelId) === 0) store.setMeta('serving_model', modelId);
  } catch (error) {
    // The disk can fill up here too (Note [A run that cannot go on]).
    throw runFailure(error, stored);
  }
  if (whole) {
    store.markIndexRun('finished');
    // What the walk could not reach (a drive unplugged: its folders are among the unwalked) keeps its suspects for the run that reaches it.
    const unreached = [...unwalked.values()].flat();
    journal.forgetUnmet((file) => unreached.some((root) => isInside(file, root)));
  }
  summary.seconds = (Date.now() - started) / 1000;
  progress.removed = summary.removed;
  report(true);
  return summary;
}
