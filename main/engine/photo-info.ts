/** Photos and search pages as the contract shapes them for the app (ids, names, no thumbnails' paths). */
import path from 'node:path';
import type { CameraChoice, DuplicatesInfo, FolderChoice, FormatChoice, LastDuplicatesInfo, LibraryTimeline, PhotoDetails, PhotoInfo, SearchPageInfo } from '../../preload/contract.js';
import type { DuplicatePhoto, DuplicateReport } from '../duplicates/finder.js';
import type { LastFind } from '../duplicates/last-find.js';
import { PHOTO_FORMATS } from '../search/options.js';
import type { SearchPage } from '../search/search.js';
import { type PhotoDetailsRow, type PhotoFilters, type PhotoRow } from '../storage/photo-store.js';
import type { Storage } from '../storage/storage.js';
import type { FilterMatch } from '../storage/photo-facets.js';
import type { TimelineColumns } from '../storage/photo-timeline.js';
import { cameraName } from '../core/camera.js';
import { noPhotoText, UserError } from '../core/errors.js';
import { folderKey, isWithin, parentOf, withoutSeparator } from '../core/folder-key.js';

export function photoInfo(row: PhotoRow): PhotoInfo {
  return { id: row.photoId, name: path.basename(row.path), folderId: row.folderId, takenAt: row.takenAt, width: row.width, height: row.height, format: row.format, version: row.imageId };
}

export function pageInfo({ cutShort, ...page }: SearchPage): SearchPageInfo {
  return { ...page, results: page.results.map((hit) => ({ ...photoInfo(hit), score: hit.score })), ...(cutShort.length ? { cutShort } : {}) };
}

/** Width over height as the grid lays a photo out (1 when its size is unknown). */
export function aspectRatio(width: number, height: number): number {
  return height > 0 ? Math.round((width / height) * 1000) / 1000 : 1;
}

/**
 * Note [One tile a picture]: byte-identical files (a folder copied twice, links to one file) are one
 * image, and search, tags and albums show an image once, by its first file (the lowest id: the
 * store's representativeOf). The library grid did show every file: 245 tiles in the wallpapers'
 * folders, eight alike in a row, where search counted 102 photos. So the grid shows each image
 * once too, by the first of its files that passes the filters, and counts images; the viewer names
 * the other files (PhotoDetails.copies). Two passes over the columns, no sort: 1-2 ms at 100k.
 */
function firstFileOfEachImage(columns: Readonly<TimelineColumns>): number[] {
  let lastImage = 0;
  for (const imageId of columns.imageIds) lastImage = Math.max(lastImage, imageId);
  const firstFile = new Int32Array(lastImage + 1).fill(0x7fffffff);
  columns.imageIds.forEach((imageId, row) => {
    firstFile[imageId] = Math.min(firstFile[imageId] as number, columns.photoIds[row] as number);
  });
  return rowsWhere(columns, (imageId, photoId) => firstFile[imageId] === photoId);
}

/** The rows of the newest files alone that are their images' first files in the whole library: the first rows of the whole grid's. */
function firstFilesAmongNewest(storage: Storage, columns: Readonly<TimelineColumns>): number[] {
  const firstFiles = storage.photos.firstFilesOf([...columns.imageIds]);
  return rowsWhere(columns, (imageId, photoId) => firstFiles.get(imageId) === photoId);
}

/** Every image's tile (that passes `matching`), from the whole timeline. */
function everyImage(storage: Storage, matching: FilterMatch | null): { columns: Readonly<TimelineColumns>; rows: number[] } {
  const columns = matching ? storage.photos.timelineOf(matching) : storage.photos.timeline();
  return { columns, rows: firstFileOfEachImage(columns) };
}

/**
 * The newest `count` images' tiles, from as few of the newest files as hold them; where copies
 * crowd the newest files (a folder of old photos copied today), from the whole timeline, read once.
 */
function newestImages(storage: Storage, count: number): { columns: Readonly<TimelineColumns>; rows: number[] } {
  for (let files = count; files <= count * 16; files *= 4) {
    const columns = storage.photos.timeline(files);
    const rows = firstFilesAmongNewest(storage, columns);
    if (rows.length >= count || columns.photoIds.length < files) return { columns, rows };
  }
  return everyImage(storage, null);
}

function rowsWhere(columns: Readonly<TimelineColumns>, keep: (imageId: number, photoId: number) => boolean): number[] {
  const rows: number[] = [];
  columns.imageIds.forEach((imageId, row) => {
    if (keep(imageId, columns.photoIds[row] as number)) rows.push(row);
  });
  return rows;
}

/**
 * Every photo (that passes `filters`), newest first, as columns: compact enough to lay out 100k
 * photos at once; with `first`, the newest `first` of them, read alone when nothing is filtered.
 * A photo is an image, shown by one of its files (Note [One tile a picture]).
 */
export function timeline(storage: Storage, filters: PhotoFilters = {}, first?: number): LibraryTimeline {
  const matching = storage.photos.matching(filters);
  // A filter is checked on every photo anyway; only the unfiltered first screen reads the newest alone.
  const readsAll = matching !== null || first === undefined;
  const { columns, rows } = readsAll ? everyImage(storage, matching) : newestImages(storage, first);
  const total = readsAll ? rows.length : storage.photos.imageCount();
  const shown = Math.min(rows.length, first ?? Number.POSITIVE_INFINITY);
  // Plain arrays for the wire, filled by index: Array.from over a typed array takes several times longer.
  const ids = new Array<number>(shown);
  const ratios = new Array<number>(shown);
  const takenAt = new Array<number>(shown);
  const names = new Array<string>(shown);
  const folderIds = new Array<number>(shown);
  // Note [Photo versions] in app/photo-route.ts: a photo's version is its image.
  const versions = new Array<number>(shown);
  for (let at = 0; at < shown; at++) {
    const row = rows[at] as number;
    ids[at] = columns.photoIds[row] as number;
    ratios[at] = aspectRatio(columns.widths[row] as number, columns.heights[row] as number);
    takenAt[at] = columns.takenAt[row] as number;
    names[at] = columns.names[row] as string;
    folderIds[at] = columns.folderIds[row] as number;
    versions[at] = columns.imageIds[row] as number;
  }
  return { total, ids, ratios, takenAt, names, folderIds, versions };
}

export function photoDetails(storage: Storage, photoId: number): PhotoDetails {
  const row: PhotoDetailsRow | undefined = storage.photos.details(photoId);
  if (!row) throw new UserError('not-found', `${noPhotoText(photoId)}.`);
  const camera = cameraName(row.cameraMake, row.cameraModel);
  const location = row.latitude !== null && row.longitude !== null ? { latitude: row.latitude, longitude: row.longitude } : null;
  // The same picture's other files, which the grid and results do not show apart (Note [One tile a picture]).
  const copies = storage.photos.photosOfImage(row.imageId).flatMap((copy) => (copy.photoId === photoId ? [] : [copy.path]));
  return { ...photoInfo(row), path: row.path, size: row.size, capturedAt: row.capturedAt, camera, lens: row.lens, location, copies };
}

const segments = (folder: string) => folder.split(/[\\/]/);

/** Each folder before its subfolders, and folders side by side by name. */
function folderOrder(a: string, b: string): number {
  const [left, right] = [segments(a), segments(b)];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const order = (left[i] as string).localeCompare(right[i] as string);
    if (order !== 0) return order;
  }
  return left.length - right.length;
}

/**
 * The library folders (`roots`) and the folders below them worth choosing (Note [Folders worth
 * choosing]), with how many photos each holds, its subfolders' included. A folder is counted
 * under the innermost library folder it is in (one may lie inside another through a link).
 *
 * Note [Folders worth choosing]: a folder that holds nothing but one folder narrows to the same
 * photos as that folder, so the two are one choice, listed as the upper one: KDE's wallpapers
 * (`Altai/contents/images/*.png`, a screenshot in `contents`) made three choices of every
 * wallpaper, 100 for two library folders. The upper one is the folder a person knows by name
 * (`Altai`, not `images`). Library folders are always listed. Which photos a folder narrows to
 * is every photo below it by path (photo-facets' `under`), a library folder inside it included.
 */
export function folderChoices(roots: readonly string[], storage: Storage): FolderChoice[] {
  // Folders as parentOf gives them: a root without its separator ('/' is '', 'E:\\' is 'E:').
  const own = new Map(roots.map((root) => [withoutSeparator(root), root]));
  const innermostFirst = [...own.keys()].sort((a, b) => b.length - a.length);
  const counts = new Map<string, { root: string; photos: number }>([...own.keys()].map((root) => [root, { root, photos: 0 }]));
  // The photos each folder narrows to, by path, up to the top of the drive.
  const below = new Map<string, number>();
  for (const [directory, photos] of storage.photos.photosPerDirectory()) {
    const root = innermostFirst.find((candidate) => isWithin(directory, candidate));
    if (root === undefined) continue;
    for (let dir = directory; ; dir = parentOf(dir)) {
      const known = counts.get(dir);
      if (known) known.photos += photos;
      else counts.set(dir, { root, photos });
      if (dir === root) break;
    }
    for (let dir = directory; ; dir = parentOf(dir)) {
      below.set(dir, (below.get(dir) ?? 0) + photos);
      if (dir === '') break;
    }
  }
  const listed = (dir: string) => own.has(dir) || below.get(dir) !== below.get(parentOf(dir));
  // A folder not listed is its listed ancestor's choice: a filter naming it still has one.
  const alike = new Map<string, string[]>();
  for (const dir of counts.keys()) {
    if (listed(dir)) continue;
    let upper = parentOf(dir);
    while (!listed(upper)) upper = parentOf(upper);
    alike.set(upper, [...(alike.get(upper) ?? []), folderKey(dir)]);
  }
  return [...counts]
    .filter(([dir]) => listed(dir))
    .sort(([a], [b]) => folderOrder(a, b))
    .map(([dir, { root, photos }]) => ({
      key: folderKey(dir),
      alike: alike.get(dir) ?? [],
      path: own.get(dir) ?? dir,
      depth: dir === root ? 0 : segments(dir.slice(root.length + 1)).length,
      photos,
    }));
}

/**
 * The cameras the library's photos were taken with, as the viewer names them, for the Camera
 * filter to offer: the most photos first. Makes and models that name one camera alike (a model
 * with and without its maker) are one choice.
 */
export function cameraChoices(storage: Storage): CameraChoice[] {
  const photosOf = new Map<string, number>();
  for (const { make, model, photos } of storage.photos.photosPerCamera()) {
    const name = cameraName(make, model);
    if (name !== null) photosOf.set(name, (photosOf.get(name) ?? 0) + photos);
  }
  return [...photosOf].map(([name, photos]) => ({ name, photos })).sort((a, b) => b.photos - a.photos || a.name.localeCompare(b.name));
}

/** The file types the library's photos are in, with how many photos each, in the search's order of formats. */
export function formatChoices(storage: Storage): FormatChoice[] {
  const photosOf = storage.photos.photosPerFormat();
  return PHOTO_FORMATS.filter((format) => photosOf.has(format)).map((format) => ({ format, photos: photosOf.get(format) as number }));
}

/** Near-duplicate groups as the app lists them: photos by id, the one to keep first. */
export function duplicatesInfo(report: DuplicateReport): DuplicatesInfo {
  const groups = report.groups.map((group) => {
    const byPath = new Map(group.photos.map((photo) => [photo.path, photo]));
    const photos = group.paths.map((file) => byPath.get(file) as DuplicatePhoto);
    const apart = new Set(group.joinedThroughOthers);
    return {
      keep: (photos[0] as DuplicatePhoto).photoId,
      reason: group.reason,
      similarity: group.similarity,
      photos: photos.map((photo) => ({
        id: photo.photoId,
        name: path.basename(photo.path),
        path: photo.path,
        width: photo.width,
        height: photo.height,
        size: photo.fileSize,
        capturedAt: photo.takenAt,
        camera: photo.camera,
        hasLocation: photo.hasLocation,
        links: photo.links ?? [],
        ...(photo.sidecars && { sidecars: photo.sidecars }),
        ...(apart.has(photo.path) && { joinedThroughOthers: true as const }),
      })),
    };
  });
  return { model: report.model, threshold: report.threshold, images: report.images, groups };
}

/**
 * The groups found last as a window shows them after moves to the trash (Note [Last duplicates
 * kept] in main/duplicates/last-find.ts): without the copies moved, each group still naming the
 * copy suggested to keep (a window says when that one went), and no group down to one copy.
 */
export function lastDuplicatesInfo(last: LastFind): LastDuplicatesInfo {
  const found = duplicatesInfo(last.report);
  const groups = found.groups
    .map((group) => ({ ...group, photos: group.photos.filter((photo) => !last.movedPaths.has(photo.path)) }))
    .filter((group) => group.photos.length > 1);
  const movedToTrash = found.groups.flatMap((group) => group.photos).filter((photo) => last.movedPaths.has(photo.path)).length;
  return { ...found, groups, foundAt: last.foundAt, movedToTrash };
}
