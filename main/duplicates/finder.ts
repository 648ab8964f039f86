/**
 * Near-duplicate groups of a library, from the stored embeddings and the HNSW index: the engine's
 * API for the app's Duplicates view and the CLI's `duplicates`.
 *
 * Note [Duplicate search]: every image's nearest neighbours come from one batch search of the
 * HNSW index on all cores, with the stored vectors as queries (nothing is embedded again).
 * Near-duplicates are the closest of neighbours, which a narrow search finds almost as well as a
 * broad one: measured on 100k clustered 512-d vectors with planted copies at cosine 0.90 to 0.99,
 * a breadth of 8 found 98.7 to 99.5 % of the planted pairs directly (more join through other
 * members of their group) in three quarters of the CPU time a breadth of 16 took (99.7 to
 * 99.9 %), and the app's breadth of 128 for 100k would take several times longer still.
 * Byte-identical files share one image (see the images table) and always form a group, unless
 * they are one file reached by several paths (Note [One file, many paths] in same-file.ts). Such a
 * group is called byte-identical only where its image's whole-file hash is recorded (Note [Same
 * start, other content] in main/library/identity.ts); one of an image indexed before then has the
 * likeness of one embedding to itself, and its copies are compared before they move (Note [Exact
 * copies compared] in trash.ts).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { cameraName } from '../core/camera.js';
import { UserError, noEmbeddingsError, throwIfAborted } from '../core/errors.js';
import { stillAsRecorded } from '../core/file-stamp.js';
import type { Library } from '../library/library.js';
import type { ClipModel } from '../models/clip.js';
import type { DuplicatesStore, DuplicateFileRow } from '../storage/duplicates-store.js';
import { CALIBRATION_PHOTOS, calibrate, calibratedSimilarity, cosineCut, type DuplicateCalibration } from './calibration.js';
import { joinedThroughOthers, linkGroups, type ImageGroup, type NeighbourTable } from './grouping.js';
import { chooseKeep, measureSharpness } from './keep.js';
import { oneMemberPerFile } from './same-file.js';
import { folderListings, sidecarNames, type FolderNames } from './trash.js';
import { DEFAULT_DUPLICATE_THRESHOLD } from './threshold.js';

/** Neighbours asked of each image (itself included) and the search breadth (Note [Duplicate search]). */
const NEIGHBOURS = 8;
const EXPANSION = 8;
/** Queries per batch search: bounds the memory of the query matrix, and lets cancel in. */
const CHUNK = 8192;

export interface DuplicatePhoto {
  photoId: number;
  /** The content it showed when the groups were found, the only one the trash moves (Note [Never delete] in trash.ts). */
  contentHash: string;
  path: string;
  width: number;
  height: number;
  fileSize: number;
  /** The file's modification time when the groups were found (Note [Never delete] in trash.ts). */
  mtimeMs: number;
  takenAt: number | null;
  camera: string | null;
  lens: string | null;
  hasLocation: boolean;
  /** The library's other paths to this very file (symlinks, hard links), never members themselves (Note [One file, many paths]). */
  links?: string[];
  /** The names of its XMP sidecars when the groups were found (Note [Sidecars go along] in trash.ts); none where absent. */
  sidecars?: string[];
}

export interface DuplicateGroup {
  /** The copy to keep and why (Note [Which copy to keep]). */
  keep: string;
  reason: string;
  /** Every copy in the order it is shown (Note [Copies in order]). */
  paths: string[];
  photos: DuplicatePhoto[];
  /** The weakest link inside the group on the calibrated scale; null when all copies are byte-identical. */
  similarity: number | null;
  /** Copies joined to the keep only through others, by path: shown, not suggested for the trash (Note [Marked only beside the keep] in grouping.ts); none where absent. */
  joinedThroughOthers?: string[];
}

export interface DuplicateProgress {
  phase: 'calibrating' | 'searching' | 'choosing';
  done: number;
  total: number;
}

export interface DuplicateOptions {
  /** On the calibrated scale (Note [Duplicate threshold]); higher is stricter. */
  threshold?: number;
  signal?: AbortSignal;
  onProgress?: (progress: DuplicateProgress) => void;
}

export interface DuplicateReport {
  model: string;
  threshold: number;
  /** The raw cosine the threshold cuts at for this model. */
  cosineCut: number;
  calibration: DuplicateCalibration;
  /** Images searched. */
  images: number;
  groups: DuplicateGroup[];
  /** Seconds spent finding the groups, and choosing the copies to keep. */
  seconds: { grouping: number; choosing: number };
}

function photoOf(row: DuplicateFileRow): DuplicatePhoto {
  const camera = cameraName(row.cameraMake, row.cameraModel);
  return { photoId: row.photoId, contentHash: row.contentHash, path: row.path, width: row.width, height: row.height, fileSize: row.fileSize, mtimeMs: row.mtimeMs, takenAt: row.takenAt, camera, lens: row.lens, hasLocation: row.latitude !== null && row.longitude !== null };
}

/** `photo` with the names of its XMP sidecars in its folder, where it has any (Note [Sidecars go along] in trash.ts). */
async function withSidecars(photo: DuplicatePhoto, namesIn: (folder: string) => Promise<FolderNames>): Promise<DuplicatePhoto> {
  const sidecars = sidecarNames(photo.path, await namesIn(path.dirname(photo.path)));
  return sidecars.length ? { ...photo, sidecars } : photo;
}

/**
 * Note [Copies in order]: a large group draws only its first copies, so the ones to look at come
 * first: the copy to keep, then the copies suggested for the trash, then those that start
 * unmarked (copies joined to the keep only through others, Note [Marked only beside the keep] in
 * grouping.ts, and a file links lead to, Note [One file, many paths]); by path within each. By
 * path alone, a group of 71 copies once drew 12 unmarked ones and hid every marked one.
 */
function inOrder(keep: string, photos: readonly DuplicatePhoto[], apart: (photo: DuplicatePhoto) => boolean): string[] {
  const unmarked = (photo: DuplicatePhoto) => (apart(photo) || (photo.links?.length ?? 0) > 0 ? 1 : 0);
  const rest = photos.filter((photo) => photo.path !== keep).sort((a, b) => unmarked(a) - unmarked(b) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return [keep, ...rest.map((photo) => photo.path)];
}

export class DuplicateFinder {
  private readonly store: DuplicatesStore;

  constructor(
    readonly library: Library,
    readonly model: ClipModel,
  ) {
    this.store = library.storage.duplicates;
  }

  /** The model's stored calibration, or a new one from photos of the library (Note [Duplicate threshold]). */
  async calibration(options: Pick<DuplicateOptions, 'signal' | 'onProgress'> = {}): Promise<DuplicateCalibration> {
    const stored = this.store.calibration(this.model.id);
    const available = this.library.storage.embeddings.count(this.model.id);
    // A calibration from fewer photos than it wants is redone only once the sample can differ.
    if (stored && (stored.photos >= CALIBRATION_PHOTOS || (stored.embedded ?? stored.photos) === available)) return stored;
    if (available === 0) throw noEmbeddingsError(this.model.id);
    options.onProgress?.({ phase: 'calibrating', done: 0, total: 1 });
    const calibration = await calibrate(this.model, this.store.samplePhotos(this.model.id, CALIBRATION_PHOTOS * 2), { photos: CALIBRATION_PHOTOS, signal: options.signal });
    this.store.saveCalibration({ ...calibration, embedded: available });
    options.onProgress?.({ phase: 'calibrating', done: 1, total: 1 });
    return calibration;
  }

  /** Groups of near-duplicate images (ids), with the calibration used; no file is read. */
  async groupImages(options: DuplicateOptions = {}): Promise<{ groups: ImageGroup[]; calibration: DuplicateCalibration; cosineCut: number; images: number }> {
    const threshold = options.threshold ?? DEFAULT_DUPLICATE_THRESHOLD;
    if (!Number.isFinite(threshold) || threshold < -1 || threshold > 2) {
      throw new UserError('bad-input', `The duplicate threshold must be a number from -1 to 2 (default ${DEFAULT_DUPLICATE_THRESHOLD}; 1 is as alike as a typical edited copy, 0 as two shots of one scene).`);
    }
    const calibration = await this.calibration(options);
    const cut = cosineCut(calibration, threshold);
    const table = await this.neighbours(options);
    return { groups: this.group(table, cut), calibration, cosineCut: cut, images: table.imageIds.length };
  }

  /** Groups at a raw cosine `cut` (Note [Linking near-duplicates]), byte-identical copies included. */
  group(table: NeighbourTable, cut: number): ImageGroup[] {
    const groups = linkGroups(table, cut);
    const grouped = new Set(groups.flatMap((group) => group.imageIds));
    for (const imageId of this.store.sharedImages()) if (!grouped.has(imageId)) groups.push({ imageIds: [imageId], weakestLink: Number.POSITIVE_INFINITY });
    return groups;
  }

  /** Every embedded image's nearest neighbours, from one batch search (Note [Duplicate search]). */
  async neighbours(options: Pick<DuplicateOptions, 'signal' | 'onProgress'> = {}): Promise<NeighbourTable> {
    const model = this.model.id;
    const dim = this.model.dim;
    const total = this.library.storage.embeddings.count(model);
    const storedDim = this.library.storage.embeddings.dimension(model);
    if (total > 0 && storedDim !== dim) {
      throw new UserError('model-invalid', `The stored embeddings of ${model} have ${storedDim} dimensions but the model has ${dim}. Re-index the library with this model.`);
    }
    const index = await this.library.vectorIndex(model, dim);
    const imageIds = new Float64Array(total);
    const neighbours = new Float64Array(total * NEIGHBOURS).fill(-1);
    const similarities = new Float32Array(total * NEIGHBOURS);
    const chunk = new Float32Array(CHUNK * dim);
    const bytes = new Uint8Array(chunk.buffer);
    let done = 0;
    for (let after = 0; done < total; ) {
      const rows = this.store.embeddingBlobsAfter(model, after, Math.min(CHUNK, total - done));
      if (rows.length === 0) break;
      rows.forEach(([imageId, vector], row) => {
        imageIds[done + row] = imageId;
        bytes.set(vector, row * dim * 4);
      });
      const found = await index.searchBatch(chunk.subarray(0, rows.length * dim), NEIGHBOURS, EXPANSION);
      neighbours.set(found.imageIds, done * NEIGHBOURS);
      similarities.set(found.scores, done * NEIGHBOURS);
      done += rows.length;
      after = (rows[rows.length - 1] as [number, Buffer])[0];
      options.onProgress?.({ phase: 'searching', done, total });
      await yieldToEventLoop();
      throwIfAborted(options.signal);
    }
    return { imageIds: imageIds.subarray(0, done), k: NEIGHBOURS, neighbours, similarities };
  }

  /** Near-duplicate groups with the copy to keep in each (what `duplicates` lists). */
  async find(options: DuplicateOptions = {}): Promise<DuplicateReport> {
    const started = performance.now();
    const { groups: imageGroups, calibration, cosineCut: cut, images } = await this.groupImages(options);
    const grouping = (performance.now() - started) / 1000;
    const rows = new Map<number, DuplicateFileRow[]>();
    for (const row of this.store.files(imageGroups.flatMap((group) => group.imageIds))) {
      const list = rows.get(row.imageId);
      if (list) list.push(row);
      else rows.set(row.imageId, [row]);
    }
    const groups: DuplicateGroup[] = [];
    const namesIn = folderListings();
    for (const [i, group] of imageGroups.entries()) {
      if (i % 16 === 0) throwIfAborted(options.signal);
      const files = group.imageIds.flatMap((id) => rows.get(id) ?? []);
      if (files.length < 2) continue;
      const fileAt = new Map(files.map((file) => [file.path, file]));
      // Links to one file are one copy, shown as the file itself (Note [One file, many paths]).
      const members = await oneMemberPerFile(files.map(photoOf), { leaveOutGone: true });
      if (members.length < 2) continue;
      const photos = await Promise.all(members.map((photo) => withSidecars(photo, namesIn)));
      const { keep, reason } = await chooseKeep(photos, (candidate) => this.sharpness(fileAt.get(candidate.path) as DuplicateFileRow));
      const imageOf = (file: string) => (fileAt.get(file) as DuplicateFileRow).imageId;
      const apart = joinedThroughOthers(imageOf(keep), group.imageIds, this.library.storage.embeddings.vectorsOf(this.model.id, group.imageIds), cut);
      const paths = inOrder(keep, photos, (photo) => apart.has(imageOf(photo.path)));
      const similarity = Number.isFinite(group.weakestLink) ? calibratedSimilarity(calibration, group.weakestLink) : files.every((file) => file.wholeHash !== null) ? null : calibratedSimilarity(calibration, 1);
      groups.push({ keep, reason, paths, photos, similarity, joinedThroughOthers: paths.filter((file) => apart.has(imageOf(file))) });
      options.onProgress?.({ phase: 'choosing', done: i + 1, total: imageGroups.length });
    }
    return { model: this.model.id, threshold: options.threshold ?? DEFAULT_DUPLICATE_THRESHOLD, cosineCut: cut, calibration, images, groups, seconds: { grouping, choosing: (performance.now() - started) / 1000 - grouping } };
  }

  /**
   * Stored sharpness of a file's image, or measured from the file now; null when it cannot be
   * decoded. What is measured is stored for the image only while the file is still as its row
   * says (same size and modification time; a linked file as its target, Note [Symlinks] in
   * scan.ts): one edited meanwhile shows another content.
   */
  private async sharpness(file: DuplicateFileRow): Promise<number | null> {
    const stored = this.store.sharpness(file.imageId);
    if (stored !== undefined) return stored;
    const measured = await measureSharpness(file.path).catch(() => null);
    const now = await stat(file.path).catch(() => null);
    if (measured !== null && stillAsRecorded({ size: file.fileSize, mtimeMs: file.mtimeMs }, now)) this.store.saveSharpness(file.imageId, measured);
    return measured;
  }
}
