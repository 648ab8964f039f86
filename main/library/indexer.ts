/**
 * Bringing the library index up to date: scan -> identify -> decode -> embed in batches -> write.
 *
 * Note [What a run does]: a file whose path, size and mtime are known is unchanged and costs one
 * stat. Otherwise its content hash decides: known content (a move, rename or copy) is linked to
 * the stored image and its embedding, never re-embedded; new content is decoded once and
 * embedded. Files that vanished are forgotten at the end, and images no file shows any more leave
 * the database and the vector index. A file that failed is not retried until it changes.
 *
 * Note [Resume]: results are written in batched transactions as they come, so a crash or a
 * cancel keeps everything finished so far and the next run picks up the rest; nothing is ever
 * written twice (paths and content hashes are unique keys).
 *
 * Note [Unreachable folders]: removal only applies to folders that were walked completely. An
 * unplugged drive or a folder that became unreadable keeps its photos rather than losing them.
 */
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { UserError, isUserError, messageOf } from '../core/errors.js';
import { BoundedQueue } from '../core/queue.js';
import { JobControl, RateMeter } from '../jobs/job.js';
import type { ClipModel } from '../models/clip.js';
import type { EmbeddingStore } from '../storage/embedding-store.js';
import type { FailedFile, FolderRow, IndexedFile, LibraryStore, NewImage } from '../storage/library-store.js';
import type { VectorIndex } from '../storage/vector-index.js';
import { decodePhoto } from './decode.js';
import { PHOTO_EXTENSIONS, REASON_TEXT, classifyDecodeError, sniffFormat, type FailureReason } from './formats.js';
import { identifyFile } from './identity.js';
import { scanFolder } from './scan.js';
import type { ThumbnailStore } from './thumbnails.js';

export interface IndexProgress {
  phase: 'scanning' | 'indexing' | 'finishing';
  found: number;
  processed: number;
  toProcess: number;
  embedded: number;
  failed: number;
  imagesPerSecond: number;
  etaSeconds: number | null;
}

export interface IndexSummary {
  embedded: number;
  unchanged: number;
  moved: number;
  removed: number;
  failed: Array<{ path: string; reason: FailureReason; message: string }>;
  seconds: number;
}

export interface IndexOptions {
  control?: JobControl;
  onProgress?: (progress: IndexProgress) => void;
  batchSize?: number;
  /** Files identified and decoded at once (sharp decodes on libuv's thread pool). */
  concurrency?: number;
  /** Rows per write transaction. */
  writeBatch?: number;
  /** Tries files that failed before even when they did not change. */
  retryFailed?: boolean | undefined;
}

export interface IndexTarget {
  store: LibraryStore;
  embeddings: EmbeddingStore;
  model: ClipModel;
  vectors: VectorIndex;
  thumbnails: ThumbnailStore;
}

/** Never photos, and costly to open: not even sniffed. Camera RAW files are left to a later version. */
const NOT_PHOTOS = new Set([
  '.mp4', '.mov', '.m4v', '.avi', '.mkv', '.webm', '.3gp', '.mts', '.m2ts', '.wmv', '.mpg', '.mpeg',
  '.mp3', '.m4a', '.wav', '.aac', '.flac', '.ogg', '.xmp', '.aae', '.json', '.txt', '.md', '.pdf', '.doc', '.docx',
  '.xls', '.xlsx', '.zip', '.gz', '.7z', '.rar', '.psd', '.cr2', '.cr3', '.nef', '.arw', '.dng', '.orf', '.rw2', '.raf', '.srw', '.pef',
  '.db', '.ini', '.lnk', '.exe', '.dll', '.iso', '.dmg',
]);

/** sharp's prebuilt libvips decodes AVIF but not HEVC-coded HEIC (patents); a system libvips may. */
const HEIC_DECODABLE = sharp.format.heif.input.fileSuffix?.includes('.heic') ?? false;

type WorkItem = { kind: 'new'; path: string; folderId: number; size: number; mtimeMs: number } | { kind: 'reembed'; path: string; folderId: number; size: number; mtimeMs: number; imageId: number };

interface Decoded {
  file: Omit<IndexedFile, 'vector'>;
  tensor: Float32Array;
  contentHash: string;
  thumbnail: Buffer | null;
}

class Failure extends Error {
  constructor(
    readonly reason: FailureReason,
    message: string,
  ) {
    super(message);
  }
}

function failureFor(file: string, error: unknown): Failure {
  if (error instanceof Failure) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EPERM' || code === 'EISDIR' || code === 'EIO') {
    return new Failure('unreadable', `${path.basename(file)} could not be read (${code}).`);
  }
  const reason = classifyDecodeError(error);
  return new Failure(reason, `${path.basename(file)} ${REASON_TEXT[reason]}: ${messageOf(error)}`);
}

export async function indexLibrary(target: IndexTarget, folders: readonly FolderRow[], options: IndexOptions = {}): Promise<IndexSummary> {
  const started = Date.now();
  const { store, embeddings, model, vectors, thumbnails } = target;
  const control = options.control ?? new JobControl();
  const batchSize = options.batchSize ?? 16;
  // Decoding is the bottleneck of indexing on any machine with a GPU: keep every core busy.
  const concurrency = options.concurrency ?? Math.max(4, os.availableParallelism());
  const modelId = model.id;
  const preprocessing = model.spec.image.preprocessing;

  const summary: IndexSummary = { embedded: 0, unchanged: 0, moved: 0, removed: 0, failed: [], seconds: 0 };
  const progress: IndexProgress = { phase: 'scanning', found: 0, processed: 0, toProcess: 0, embedded: 0, failed: 0, imagesPerSecond: 0, etaSeconds: null };
  const meter = new RateMeter();
  let lastReport = 0;
  const report = (force = false) => {
    const now = Date.now();
    if (!force && now - lastReport < 250) return;
    lastReport = now;
    meter.record(progress.processed, now);
    progress.imagesPerSecond = meter.perSecond;
    progress.etaSeconds = progress.phase === 'indexing' ? meter.eta(progress.toProcess - progress.processed) : null;
    options.onProgress?.({ ...progress });
  };

  // Where the model came from, recorded first: a later run (or search) finds it even if this one stops.
  store.setMeta(`model_dir:${modelId}`, model.spec.dir);

  // 1. Scan: what is on disk, and what of it needs work.
  const present = new Map<number, Set<string>>();
  const incompleteFolders = new Set<number>();
  const work: WorkItem[] = [];
  // Known state comes from SQLite in one query per folder, so a re-scan costs one stat per file.
  const embedded = embeddings.imageIds(modelId);
  for (const folder of folders) {
    const seen = new Set<string>();
    const knownFiles = store.knownFiles(folder.id);
    const knownFailures = options.retryFailed ? new Map<string, { size: number; mtimeMs: number }>() : store.knownFailures(folder.id);
    present.set(folder.id, seen);
    const scan = scanFolder(folder.path, {
      excludes: folder.excludes,
      signal: control.signal,
      onProblem: (problem) => {
        incompleteFolders.add(folder.id);
        summary.failed.push({ path: problem.path, reason: 'unreadable', message: problem.message });
      },
    });
    for await (const file of scan) {
      progress.found++;
      const extension = path.extname(file.path).toLowerCase();
      if (NOT_PHOTOS.has(extension)) continue;
      seen.add(file.path);
      const known = knownFiles.get(file.path);
      if (known && known.size === file.size && known.mtimeMs === file.mtimeMs) {
        if (embedded.has(known.imageId)) summary.unchanged++;
        else work.push({ kind: 'reembed', folderId: folder.id, ...file, imageId: known.imageId });
        continue;
      }
      const failed = knownFailures.get(file.path);
      if (failed && failed.size === file.size && failed.mtimeMs === file.mtimeMs) continue;
      work.push({ kind: 'new', path: file.path, folderId: folder.id, size: file.size, mtimeMs: file.mtimeMs });
      report();
    }
  }
  progress.phase = 'indexing';
  progress.toProcess = work.length;
  report(true);

  // 2. Identify and decode (producers) -> embed in batches (consumer) -> write in transactions.
  const pendingIndexed: IndexedFile[] = [];
  const pendingFailed: FailedFile[] = [];
  const linkedToExisting: Array<{ imageId: number }> = [];
  let lastFlush = Date.now();
  const flush = () => {
    if (pendingIndexed.length === 0 && pendingFailed.length === 0) return;
    const written = store.writeBatch(modelId, pendingIndexed.splice(0), pendingFailed.splice(0));
    vectors.add(written);
    lastFlush = Date.now();
  };
  const maybeFlush = () => {
    if (pendingIndexed.length + pendingFailed.length >= (options.writeBatch ?? 64) || Date.now() - lastFlush > 1000) flush();
  };
  const fail = (item: WorkItem, failure: Failure) => {
    pendingFailed.push({ path: item.path, folderId: item.folderId, size: item.size, mtimeMs: item.mtimeMs, reason: failure.reason, message: failure.message });
    summary.failed.push({ path: item.path, reason: failure.reason, message: failure.message });
    progress.failed++;
    progress.processed++;
  };

  const queue = new BoundedQueue<Decoded>(batchSize * 2);
  const decode = async (item: WorkItem, image: { existingId: number } | { created: Pick<NewImage, 'contentHash' | 'format'> }, contentHash: string, hasThumbnail: boolean) => {
    const decoded = await decodePhoto(item.path, preprocessing, { withThumbnail: !hasThumbnail });
    const file = { path: item.path, folderId: item.folderId, size: item.size, mtimeMs: item.mtimeMs };
    const imageRef =
      'existingId' in image
        ? image
        : { created: { ...image.created, width: decoded.width, height: decoded.height, thumbnail: null, ...decoded.metadata } };
    await queue.push({ file: { ...file, image: imageRef }, tensor: decoded.tensor, contentHash, thumbnail: decoded.thumbnail });
  };

  const handle = async (item: WorkItem) => {
    if (item.kind === 'reembed') {
      const { contentHash } = await identifyFile(item.path, item.size);
      await decode(item, { existingId: item.imageId }, contentHash, store.imageByHash(contentHash)?.thumbnail != null);
      return;
    }
    const { contentHash, head } = await identifyFile(item.path, item.size);
    const format = sniffFormat(head);
    if (!format) {
      if (PHOTO_EXTENSIONS.has(path.extname(item.path).toLowerCase())) throw new Failure('not-an-image', `${path.basename(item.path)} ${REASON_TEXT['not-an-image']}.`);
      // Not a photo and not named like one: not part of the library, nothing to report.
      present.get(item.folderId)?.delete(item.path);
      progress.processed++;
      return;
    }
    if (format === 'heic' && !HEIC_DECODABLE) {
      throw new Failure('unsupported', `${path.basename(item.path)} is a HEIC photo, which this build cannot decode (it needs a system libvips with HEVC support).`);
    }
    const existing = store.imageByHash(contentHash);
    if (existing && embeddings.has(modelId, existing.id)) {
      pendingIndexed.push({ path: item.path, folderId: item.folderId, size: item.size, mtimeMs: item.mtimeMs, image: { existingId: existing.id }, vector: null });
      linkedToExisting.push({ imageId: existing.id });
      progress.processed++;
      maybeFlush();
      return;
    }
    const image = existing ? { existingId: existing.id } : { created: { contentHash, format } };
    await decode(item, image, contentHash, existing?.thumbnail != null);
  };

  let next = 0;
  const producer = async () => {
    while (next < work.length) {
      // Claim the item before awaiting: the other producers run between awaits.
      const item = work[next++] as WorkItem;
      await control.checkpoint();
      try {
        await handle(item);
      } catch (error) {
        if (isUserError(error) && error.code === 'cancelled') throw error;
        fail(item, failureFor(item.path, error));
        maybeFlush();
      }
      report();
    }
  };
  const consumer = async () => {
    for (;;) {
      // A pause makes what is done durable, then waits; a cancel stops here.
      if (control.isPaused) flush();
      await control.checkpoint();
      const batch = await queue.take(batchSize);
      if (batch.length === 0) return;
      const embeddings = await model.embedTensors(batch.map((item) => item.tensor));
      for (const [i, item] of batch.entries()) {
        const indexed: IndexedFile = { ...item.file, vector: embeddings[i] as Float32Array };
        if (item.thumbnail && 'created' in indexed.image) {
          indexed.image = { created: { ...indexed.image.created, thumbnail: await thumbnails.write(item.contentHash, item.thumbnail) } };
        }
        pendingIndexed.push(indexed);
        summary.embedded++;
        progress.embedded++;
        progress.processed++;
      }
      maybeFlush();
      report();
    }
  };

  const consuming = consumer();
  // Awaited below; marked handled now, since it can fail (a cancel) while the producers still run.
  consuming.catch(() => {});
  try {
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, producer));
  } finally {
    queue.close();
    await consuming.catch((error: unknown) => {
      throw isUserError(error) ? error : new UserError('model-invalid', `Embedding failed: ${messageOf(error)}`);
    }).finally(flush);
  }

  // 3. Forget what vanished (only where the walk was complete), then persist the vector index.
  progress.phase = 'finishing';
  report(true);
  // A file gone from one path whose content turned up at another was moved, not removed.
  const lostImages = new Map<number, number>();
  for (const folder of folders) {
    if (incompleteFolders.has(folder.id)) continue;
    const { removedFiles, removedImages, lostImageIds } = store.removeMissing(folder.id, present.get(folder.id) ?? new Set());
    summary.removed += removedFiles;
    for (const id of lostImageIds) lostImages.set(id, (lostImages.get(id) ?? 0) + 1);
    vectors.remove(removedImages.filter((image) => image.models.includes(modelId)).map((image) => image.id));
    await Promise.all(removedImages.map((image) => thumbnails.remove(image.thumbnail)));
  }
  for (const link of linkedToExisting) {
    const lost = lostImages.get(link.imageId) ?? 0;
    if (lost === 0) {
      summary.unchanged++;
      continue;
    }
    lostImages.set(link.imageId, lost - 1);
    summary.moved++;
    summary.removed--;
  }
  await vectors.save();
  if (embeddings.missing(modelId) === 0) store.setMeta('serving_model', modelId);
  summary.seconds = (Date.now() - started) / 1000;
  report(true);
  return summary;
}
