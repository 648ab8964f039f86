/**
 * Writing each photo's tags into its XMP sidecar (see Note [Sidecar merge] in xmp.ts), as a job.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { UserError, codeOf } from '../core/errors.js';
import { whyUnreadable } from '../core/photo-file.js';
import { oneMemberPerFile } from '../duplicates/same-file.js';
import { folderNames, sharingStem, type FolderNames } from '../duplicates/trash.js';
import { RateMeter, type JobControl } from '../jobs/job.js';
import type { PhotoRef } from '../storage/photo-store.js';
import type { Storage } from '../storage/storage.js';
import type { TagProgress } from './tagger.js';
import { FolderNotWritable, SIDECAR_STYLES, sidecarPath, stopsExport, writeSidecar, type SidecarOutcome, type SidecarStyle } from './xmp.js';

export interface XmpExportOptions {
  style?: SidecarStyle;
  /** Only these photos (default: all). */
  photoIds?: readonly number[] | undefined;
  /** With every byte-identical copy of those photos: the app shows a picture's copies as one photo. */
  copies?: boolean;
  control?: JobControl;
  onProgress?: (progress: TagProgress) => void;
}

/**
 * Note [Sidecars by style]: the style asked for is not always the style written: the default
 * style merges into a photo's own `IMG_1.xmp` (Note [Whose sidecar]). So the summary counts the
 * sidecars written by the style of each file, and `style` stays what was asked (scripts read it);
 * what is reported never says `IMG_1.jpg.xmp` of a file that is `IMG_1.xmp`.
 */
export interface XmpExportSummary {
  /** The style asked for (Note [Sidecars by style]). */
  style: SidecarStyle;
  written: number;
  /** The sidecars of `written`, by the style of the file each one is. */
  writtenAs: Record<SidecarStyle, number>;
  /** Sidecars already holding the photo's tags, left as they were. */
  unchanged: number;
  /** Photos with no tags and no sidecar: none was made for them (not counted as `unchanged`). */
  withoutTags: number;
  /** Photos whose sidecar was not written, with why; `outOfReach` for a photo no longer where it was indexed, which leaves the export incomplete (as index runs are: Note [Unreachable folders] in library/indexer.ts). */
  skipped: Array<{ path: string; reason: string; outOfReach?: true }>;
}

const DEFAULT_STYLE: SidecarStyle = 'jpg.xmp';

/**
 * What an export writes, in a few characters: the same for the same request, whatever the order
 * of its photos (Note [Exports in turn] in engine.ts).
 */
export function exportRequestKey(options: Pick<XmpExportOptions, 'style' | 'photoIds' | 'copies'>): string {
  const style = options.style ?? DEFAULT_STYLE;
  if (!options.photoIds) return `${style}, all photos`;
  const ids = [...new Set(options.photoIds)].sort((a, b) => a - b);
  const digest = createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 12);
  return `${style}, ${ids.length} photos (${digest})${options.copies ? ' with their copies' : ''}`;
}

/**
 * Note [Disks stop an export]: a sidecar the disk cannot take, full or read-only, is not that
 * photo's defect, and every photo after it would fail alike: the export stops there with one
 * message and what it wrote, where it used to list each photo as skipped and end as done. So
 * does a folder Lumen has no permission to create a file in, which would otherwise be listed
 * photo by photo in a system error naming a temporary file.
 */
function stopped(error: unknown, folder: string, written: number): UserError {
  const before = `${written} sidecar${written === 1 ? '' : 's'} written before it`;
  if (error instanceof FolderNotWritable) {
    return new UserError(
      'read-only',
      `Writing XMP sidecars stopped: Lumen has no permission to write in ${folder} (${before}). Allow it to write there (the folder's permissions, or on a Mac, Privacy & Security in System Settings), or export the photos of other folders.`,
      { cause: error.cause },
    );
  }
  if (codeOf(error) === 'EROFS') {
    return new UserError('read-only', `Writing XMP sidecars stopped: ${folder} is on a read-only disk (${before}). Make it writable, or export the photos of other folders.`, { cause: error });
  }
  return new UserError('disk-full', `Writing XMP sidecars stopped: the disk holding ${folder} is full (${before}). Free some space and export again.`, { cause: error });
}

/** A sidecar file, and the style its name has. */
interface Sidecar {
  file: string;
  style: SidecarStyle;
}

/** What an export did with one photo: `written` names the style of the file written (Note [Sidecars by style]). */
type PhotoOutcome = Exclude<SidecarOutcome, 'written'> | { written: SidecarStyle } | { skipped: string; outOfReach: true };

/**
 * Note [Whose sidecar]: `IMG_1.xmp` belongs to every file named IMG_1, and Lightroom keeps a raw
 * file's keywords and develop settings there: beside a raw `IMG_1.CR2` (which Lumen does not
 * index), it is the raw file's, not `IMG_1.jpg`'s. So it is written for a photo only when no
 * other file of the folder has the photo's stem (the rule sidecars are moved to the trash by,
 * Note [Sidecars go along] in trash.ts); otherwise the `xmp` style skips the photo and says why.
 * The default style writes `IMG_1.jpg.xmp`, but where that does not exist and `IMG_1.xmp` does
 * and is the photo's alone (digiKam, Capture One and others name sidecars so), it merges into
 * that one: a second sidecar holding only Lumen's keywords would be the one read by the apps
 * that prefer `IMG_1.jpg.xmp`, which would then miss the person's ratings and keywords. The
 * summary counts such a file as the `xmp` style it is (Note [Sidecars by style]).
 */
async function sidecarFor(photo: string, style: SidecarStyle, namesIn: (folder: string) => Promise<FolderNames>): Promise<Sidecar | { skipped: string }> {
  const own: Sidecar = { file: sidecarPath(photo, 'jpg.xmp'), style: 'jpg.xmp' };
  const byStem: Sidecar = { file: sidecarPath(photo, 'xmp'), style: 'xmp' };
  if (style === 'jpg.xmp' && (existsSync(own.file) || !existsSync(byStem.file))) return own;
  let others: string[];
  try {
    others = sharingStem(photo, await namesIn(path.dirname(photo)));
  } catch (error) {
    return { skipped: `cannot list ${path.dirname(photo)} to tell whose ${path.basename(byStem.file)} is: ${whyUnreadable(path.dirname(photo), error)}` };
  }
  if (others.length === 0) return byStem;
  if (style === 'jpg.xmp') return own;
  return { skipped: `${path.basename(byStem.file)} is the sidecar of ${others.join(' and ')} too, so Lumen leaves it alone; use the jpg.xmp sidecar style` };
}

/**
 * `photos` less the links to a file among them: one file, one sidecar, beside the file itself,
 * not again beside each link to it (Note [One file, many paths] in main/duplicates/same-file.ts).
 * Only paths that show one content can be one file, so only those are looked at on disk.
 */
async function oneSidecarPerFile(photos: readonly PhotoRef[]): Promise<PhotoRef[]> {
  const byImage = new Map<number, PhotoRef[]>();
  for (const photo of photos) {
    const same = byImage.get(photo.imageId);
    if (same) same.push(photo);
    else byImage.set(photo.imageId, [photo]);
  }
  const files = await Promise.all([...byImage.values()].map((same) => (same.length === 1 ? same : oneMemberPerFile(same))));
  return files.flat();
}

/**
 * Writes the shown tags of every photo (or of `photoIds`) into sidecars. Photos whose sidecars
 * would collide (`a.jpg` and `a.png`, or `A.png`, both want `a.xmp`), or would be another file's
 * too (Note [Whose sidecar]), are skipped with the reason.
 */
export async function exportXmp(storage: Storage, options: XmpExportOptions = {}): Promise<XmpExportSummary> {
  const style = options.style ?? DEFAULT_STYLE;
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
  const photos = await oneSidecarPerFile(everyPhoto.filter((photo) => !chosen || (images ? images.has(photo.imageId) : chosen.has(photo.photoId))));
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
  const listings = new Map<string, Promise<FolderNames>>();
  const namesIn = (folder: string) => {
    let listing = listings.get(folder);
    if (!listing) listings.set(folder, (listing = readdir(folder).then(folderNames)));
    return listing;
  };
  const summary: XmpExportSummary = { style, written: 0, writtenAs: { 'jpg.xmp': 0, xmp: 0 }, unchanged: 0, withoutTags: 0, skipped: [] };
  /** Writes one photo's sidecar, or says why not. */
  const exportPhoto = async (photo: PhotoRef): Promise<PhotoOutcome> => {
    const sharing = bySidecar.get(sidecarKey(photo)) ?? [];
    if (sharing.length > 1) return { skipped: `${sharing.map((p) => path.basename(p.path)).join(' and ')} would share ${path.basename(sidecarPath(photo.path, style))}; use the jpg.xmp sidecar style` };
    if (!existsSync(photo.path)) return { skipped: 'the photo is no longer there; index the library again', outOfReach: true };
    const target = await sidecarFor(photo.path, style, namesIn);
    if ('skipped' in target) return target;
    try {
      const outcome = await writeSidecar(target.file, tagsByPhoto.get(photo.photoId) ?? []);
      return outcome === 'written' ? { written: target.style } : outcome;
    } catch (error) {
      throw stopsExport(error) ? stopped(error, path.dirname(target.file), summary.written) : error;
    }
  };
  const meter = options.control?.rateMeter() ?? new RateMeter();
  meter.record(0);
  for (const [i, photo] of photos.entries()) {
    if (i % 64 === 0) await options.control?.checkpoint();
    const outcome = await exportPhoto(photo);
    if (outcome === 'unchanged') summary.unchanged++;
    else if (outcome === 'without tags') summary.withoutTags++;
    else if ('written' in outcome) {
      summary.written++;
      summary.writtenAs[outcome.written]++;
    } else summary.skipped.push({ path: photo.path, reason: outcome.skipped, ...('outOfReach' in outcome ? { outOfReach: true as const } : {}) });
    meter.record(i + 1);
    options.onProgress?.({ phase: 'exporting', done: i + 1, total: photos.length, perSecond: meter.perSecond, etaSeconds: meter.eta(photos.length - i - 1) });
  }
  return summary;
}
