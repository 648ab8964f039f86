/** Photos and search pages as the contract shapes them for the app (ids, names, no thumbnails' paths). */
import path from 'node:path';
import type { DuplicatesInfo, FolderChoice, LibraryTimeline, PhotoDetails, PhotoInfo, SearchPageInfo } from '../../preload/contract.js';
import type { DuplicatePhoto, DuplicateReport } from '../duplicates/finder.js';
import type { SearchPage } from '../search/search.js';
import { type PhotoDetailsRow, type PhotoFilters, type PhotoRow } from '../storage/photo-store.js';
import type { Storage } from '../storage/storage.js';
import { cameraName } from '../core/camera.js';
import { UserError } from '../core/errors.js';
import { folderKey, isWithin, parentOf, withoutSeparator } from '../core/folder-key.js';

export function photoInfo(row: PhotoRow): PhotoInfo {
  return { id: row.photoId, name: path.basename(row.path), folderId: row.folderId, takenAt: row.takenAt, width: row.width, height: row.height, format: row.format, version: row.imageId };
}

export function pageInfo(page: SearchPage): SearchPageInfo {
  return { ...page, results: page.results.map((hit) => ({ ...photoInfo(hit), score: hit.score })) };
}

/** Width over height as the grid lays a photo out (1 when its size is unknown). */
export function aspectRatio(width: number, height: number): number {
  return height > 0 ? Math.round((width / height) * 1000) / 1000 : 1;
}

/**
 * Every photo (that passes `filters`), newest first, as columns: compact enough to lay out 100k
 * photos at once; with `first`, the newest `first` of them, read alone when nothing is filtered.
 */
export function timeline(storage: Storage, filters: PhotoFilters = {}, first?: number): LibraryTimeline {
  const matching = storage.photos.matching(filters);
  const columns = matching ? storage.photos.timelineOf(matching) : storage.photos.timeline(first);
  const total = matching || first === undefined ? columns.photoIds.length : storage.photos.fileCount();
  const shown = Math.min(columns.photoIds.length, first ?? Number.POSITIVE_INFINITY);
  // Plain arrays for the wire, filled by index: Array.from over a typed array takes several times longer.
  const ids = new Array<number>(shown);
  const ratios = new Array<number>(shown);
  const takenAt = new Array<number>(shown);
  // Note [Photo versions] in app/photo-route.ts: a photo's version is its image.
  const versions = new Array<number>(shown);
  for (let row = 0; row < shown; row++) {
    ids[row] = columns.photoIds[row] as number;
    ratios[row] = aspectRatio(columns.widths[row] as number, columns.heights[row] as number);
    takenAt[row] = columns.takenAt[row] as number;
    versions[row] = columns.imageIds[row] as number;
  }
  // A copy: the names may be the ones the store keeps.
  return { total, ids, ratios, takenAt, names: columns.names.slice(0, shown), versions };
}

export function photoDetails(storage: Storage, photoId: number): PhotoDetails {
  const row: PhotoDetailsRow | undefined = storage.photos.details(photoId);
  if (!row) throw new UserError('not-found', `There is no photo #${photoId} in the library.`);
  const camera = cameraName(row.cameraMake, row.cameraModel);
  const location = row.latitude !== null && row.longitude !== null ? { latitude: row.latitude, longitude: row.longitude } : null;
  return { ...photoInfo(row), path: row.path, size: row.size, capturedAt: row.capturedAt, camera, lens: row.lens, location };
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
 * The library folders (`roots`) and every folder below them that holds photos or folders of
 * photos, with how many photos each holds, its subfolders' included. A folder is counted under
 * the innermost library folder it is in (one may lie inside another through a link).
 */
export function folderChoices(roots: readonly string[], storage: Storage): FolderChoice[] {
  // Folders as parentOf gives them: a root without its separator ('/' is '', 'E:\\' is 'E:').
  const own = new Map(roots.map((root) => [withoutSeparator(root), root]));
  const innermostFirst = [...own.keys()].sort((a, b) => b.length - a.length);
  const counts = new Map<string, { root: string; photos: number }>([...own.keys()].map((root) => [root, { root, photos: 0 }]));
  for (const [directory, photos] of storage.photos.photosPerDirectory()) {
    const root = innermostFirst.find((candidate) => isWithin(directory, candidate));
    if (root === undefined) continue;
    for (let dir = directory; ; dir = parentOf(dir)) {
      const known = counts.get(dir);
      if (known) known.photos += photos;
      else counts.set(dir, { root, photos });
      if (dir === root) break;
    }
  }
  return [...counts]
    .sort(([a], [b]) => folderOrder(a, b))
    .map(([dir, { root, photos }]) => ({
      key: folderKey(dir),
      path: own.get(dir) ?? dir,
      depth: dir === root ? 0 : segments(dir.slice(root.length + 1)).length,
      photos,
    }));
}

/** Near-duplicate groups as the app lists them: photos by id, the one to keep first. */
export function duplicatesInfo(report: DuplicateReport): DuplicatesInfo {
  const groups = report.groups.map((group) => {
    const byPath = new Map(group.photos.map((photo) => [photo.path, photo]));
    const photos = group.paths.map((file) => byPath.get(file) as DuplicatePhoto);
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
      })),
    };
  });
  return { model: report.model, threshold: report.threshold, images: report.images, groups };
}
