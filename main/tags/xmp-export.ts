/**
 * Writing each photo's tags into its XMP sidecar (see Note [Sidecar merge] in xmp.ts), as a job.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UserError, codeOf } from '../core/errors.js';
import { RateMeter, type JobControl } from '../jobs/job.js';
import type { PhotoRef } from '../storage/photo-store.js';
import type { Storage } from '../storage/storage.js';
import type { TagProgress } from './tagger.js';
import { SIDECAR_STYLES, sidecarPath, stopsExport, writeSidecar, type SidecarOutcome, type SidecarStyle } from './xmp.js';

export interface XmpExportOptions {
  style?: SidecarStyle;
  /** Only these photos (default: all). */
  photoIds?: readonly number[] | undefined;
  /** With every byte-identical copy of those photos: the app shows a picture's copies as one photo. */
  copies?: boolean;
  control?: JobControl;
  onProgress?: (progress: TagProgress) => void;
}

export interface XmpExportSummary {
  style: SidecarStyle;
  written: number;
  unchanged: number;
  skipped: Array<{ path: string; reason: string }>;
}

/**
 * Note [Disks stop an export]: a sidecar the disk cannot take, full or read-only, is not that
 * photo's defect, and every photo after it would fail alike: the export stops there with one
 * message and what it wrote, where it used to list each photo as skipped and end as done.
 */
function stopped(error: unknown, folder: string, written: number): UserError {
  const before = `${written} sidecar${written === 1 ? '' : 's'} written before it`;
  if (codeOf(error) === 'EROFS') {
    return new UserError('read-only', `Writing XMP sidecars stopped: ${folder} is on a read-only disk (${before}). Make it writable, or export the photos of other folders.`, { cause: error });
  }
  return new UserError('disk-full', `Writing XMP sidecars stopped: the disk holding ${folder} is full (${before}). Free some space and export again.`, { cause: error });
}

/**
 * Writes the shown tags of every photo (or of `photoIds`) into sidecars. Photos whose sidecars
 * would collide (`a.jpg` and `a.png`, or `A.png`, both want `a.xmp`) are skipped with the reason.
 */
export async function exportXmp(storage: Storage, options: XmpExportOptions = {}): Promise<XmpExportSummary> {
  const style = options.style ?? 'jpg.xmp';
  if (!SIDECAR_STYLES.includes(style)) throw new UserError('bad-input', `Unknown sidecar style "${style}". Choose ${SIDECAR_STYLES.join(' or ')}.`);
  const chosen = options.photoIds ? new Set(options.photoIds) : null;
  const tagsByPhoto = new Map<number, string[]>();
  for (const row of storage.tags.photosWithTags()) {
    let list = tagsByPhoto.get(row.photoId);
    if (!list) tagsByPhoto.set(row.photoId, (list = []));
    list.push(row.tag);
  }
  const everyPhoto = storage.photos.allPhotos();
  const images = chosen && options.copies ? new Set(everyPhoto.filter((photo) => chosen.has(photo.photoId)).map((photo) => photo.imageId)) : null;
  const photos = everyPhoto.filter((photo) => !chosen || (images ? images.has(photo.imageId) : chosen.has(photo.photoId)));
  // Names that differ only in case are one file on the disks of macOS and Windows, and on
  // exFAT or NTFS drives anywhere: `IMG_1.jpg` and `img_1.png` would share `IMG_1.xmp` there.
  const sidecarKey = (photo: PhotoRef) => sidecarPath(photo.path, style).toLowerCase();
  const bySidecar = new Map<string, PhotoRef[]>();
  for (const photo of everyPhoto) {
    const key = sidecarKey(photo);
    const sharing = bySidecar.get(key);
    if (sharing) sharing.push(photo);
    else bySidecar.set(key, [photo]);
  }
  const summary: XmpExportSummary = { style, written: 0, unchanged: 0, skipped: [] };
  const meter = options.control?.rateMeter() ?? new RateMeter();
  meter.record(0);
  for (const [i, photo] of photos.entries()) {
    if (i % 64 === 0) await options.control?.checkpoint();
    const sidecar = sidecarPath(photo.path, style);
    const sharing = bySidecar.get(sidecarKey(photo)) ?? [];
    if (sharing.length > 1) {
      summary.skipped.push({ path: photo.path, reason: `${sharing.map((p) => path.basename(p.path)).join(' and ')} would share ${path.basename(sidecar)}; use the jpg.xmp sidecar style` });
    } else if (!existsSync(photo.path)) {
      summary.skipped.push({ path: photo.path, reason: 'the photo is no longer there; index the library again' });
    } else {
      let outcome: SidecarOutcome;
      try {
        outcome = await writeSidecar(sidecar, tagsByPhoto.get(photo.photoId) ?? []);
      } catch (error) {
        throw stopsExport(error) ? stopped(error, path.dirname(sidecar), summary.written) : error;
      }
      if (outcome === 'written') summary.written++;
      else if (outcome === 'unchanged') summary.unchanged++;
      else summary.skipped.push({ path: photo.path, reason: outcome.skipped });
    }
    meter.record(i + 1);
    options.onProgress?.({ phase: 'exporting', done: i + 1, total: photos.length, perSecond: meter.perSecond, etaSeconds: meter.eta(photos.length - i - 1) });
  }
  return summary;
}
