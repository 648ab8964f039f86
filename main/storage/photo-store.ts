/**
 * Reading photos (files and the images they show) for search, the library grid and the viewer:
 * filters, pages of results, dates for sorting, photo references and image files by id.
 */
import type { Db } from './database.js';

/** What a search or a listing may be narrowed to; every field optional, all must hold. */
export interface PhotoFilters {
  /** Capture date range, ms since the epoch (file time when a photo has no capture date). */
  takenAfter?: number | undefined;
  takenBefore?: number | undefined;
  /** Only photos under this folder (a path). */
  folder?: string | undefined;
  /** Only photos of this library folder. */
  folderId?: number | undefined;
  /** Matches camera make or model, ignoring case. */
  camera?: string | undefined;
  formats?: string[] | undefined;
  hasLocation?: boolean | undefined;
}

/** One photo as results and the grid show it. */
export interface PhotoRow {
  photoId: number;
  imageId: number;
  path: string;
  folderId: number;
  /** Capture time, else the file's modification time (ms). */
  takenAt: number;
  width: number;
  height: number;
  format: string;
  cameraMake: string | null;
  cameraModel: string | null;
  latitude: number | null;
  longitude: number | null;
}

export interface PhotoDetailsRow extends PhotoRow {
  size: number;
  lens: string | null;
  /** Capture time from the photo's metadata only. */
  capturedAt: number | null;
}

export interface PhotoRef {
  photoId: number;
  imageId: number;
  path: string;
}

export interface PhotoImageRow {
  path: string;
  contentHash: string;
  thumbnail: string | null;
}

interface FilterSql {
  where: string;
  params: unknown[];
}

const ROW_COLUMNS = `f.id AS photoId, i.id AS imageId, f.path, f.folder_id AS folderId, COALESCE(i.taken_at, f.mtime_ms) AS takenAt,
  i.width, i.height, i.format, i.camera_make AS cameraMake, i.camera_model AS cameraModel, i.latitude, i.longitude`;

function filterSql(filters: PhotoFilters | undefined): FilterSql {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (filters?.takenAfter !== undefined) {
    clauses.push('COALESCE(i.taken_at, f.mtime_ms) >= ?');
    params.push(filters.takenAfter);
  }
  if (filters?.takenBefore !== undefined) {
    clauses.push('COALESCE(i.taken_at, f.mtime_ms) <= ?');
    params.push(filters.takenBefore);
  }
  if (filters?.folder) {
    const folder = filters.folder.replace(/[\\/]+$/, '');
    clauses.push("(f.path = ? OR substr(f.path, 1, length(?) + 1) IN (? || '/', ? || '\\'))");
    params.push(folder, folder, folder, folder);
  }
  if (filters?.folderId !== undefined) {
    clauses.push('f.folder_id = ?');
    params.push(filters.folderId);
  }
  if (filters?.camera) {
    clauses.push("(lower(COALESCE(i.camera_make, '') || ' ' || COALESCE(i.camera_model, '')) LIKE ?)");
    params.push(`%${filters.camera.toLowerCase()}%`);
  }
  if (filters?.formats?.length) {
    clauses.push(`i.format IN (${filters.formats.map(() => '?').join(', ')})`);
    params.push(...filters.formats);
  }
  if (filters?.hasLocation !== undefined) clauses.push(filters.hasLocation ? 'i.latitude IS NOT NULL' : 'i.latitude IS NULL');
  return { where: clauses.length ? clauses.join(' AND ') : '1', params };
}

export function hasFilters(filters: PhotoFilters | undefined): boolean {
  return filterSql(filters).where !== '1';
}

export class PhotoStore {
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      byId: db.prepare('SELECT id AS photoId, image_id AS imageId, path FROM files WHERE id = ?'),
      byPath: db.prepare('SELECT id AS photoId, image_id AS imageId, path FROM files WHERE path = ?'),
      ofImage: db.prepare('SELECT id AS photoId, image_id AS imageId, path FROM files WHERE image_id = ? ORDER BY path'),
      all: db.prepare('SELECT id AS photoId, image_id AS imageId, path FROM files ORDER BY path'),
      image: db.prepare('SELECT f.path, i.content_hash AS contentHash, i.thumbnail FROM files f JOIN images i ON i.id = f.image_id WHERE f.id = ?'),
      details: db.prepare(`SELECT ${ROW_COLUMNS}, f.size, i.lens, i.taken_at AS capturedAt FROM files f JOIN images i ON i.id = f.image_id WHERE f.id = ?`),
      rowsOf: db.prepare(`SELECT ${ROW_COLUMNS} FROM files f JOIN images i ON i.id = f.image_id WHERE f.id IN (SELECT value FROM json_each(?))`),
      // Newest first; one row per file, ties broken by id so the order is stable between calls.
      timeline: db.prepare(
        `SELECT f.id AS photoId, f.image_id AS imageId, f.path, i.width, i.height, COALESCE(i.taken_at, f.mtime_ms) AS takenAt
         FROM files f JOIN images i ON i.id = f.image_id ORDER BY takenAt DESC, f.id DESC`,
      ),
    };
  }

  photoById(photoId: number): PhotoRef | undefined {
    return this.s.byId.get(photoId) as PhotoRef | undefined;
  }

  photoByPath(filePath: string): PhotoRef | undefined {
    return this.s.byPath.get(filePath) as PhotoRef | undefined;
  }

  photosOfImage(imageId: number): PhotoRef[] {
    return this.s.ofImage.all(imageId) as PhotoRef[];
  }

  allPhotos(): PhotoRef[] {
    return this.s.all.all() as PhotoRef[];
  }

  imageFiles(photoId: number): PhotoImageRow | undefined {
    return this.s.image.get(photoId) as PhotoImageRow | undefined;
  }

  details(photoId: number): PhotoDetailsRow | undefined {
    return this.s.details.get(photoId) as PhotoDetailsRow | undefined;
  }

  /** Rows of the given photos, in the order asked (unknown ids left out). */
  rows(photoIds: readonly number[]): PhotoRow[] {
    const byId = new Map((this.s.rowsOf.all(JSON.stringify(photoIds)) as PhotoRow[]).map((row) => [row.photoId, row]));
    return photoIds.flatMap((id) => byId.get(id) ?? []);
  }

  /** Every photo, newest first: the library grid's order. */
  timeline(): Array<{ photoId: number; imageId: number; path: string; width: number; height: number; takenAt: number }> {
    return this.s.timeline.all() as Array<{ photoId: number; imageId: number; path: string; width: number; height: number; takenAt: number }>;
  }

  /** Ids of the images with at least one file that passes `filters`. */
  matchingImageIds(filters: PhotoFilters): Set<number> {
    const filter = filterSql(filters);
    return new Set(this.db.prepare(`SELECT DISTINCT i.id FROM images i JOIN files f ON f.image_id = i.id WHERE ${filter.where}`).pluck().all(...filter.params) as number[]);
  }

  /** The earliest date of each image among its files that pass `filters` (images without one are left out). */
  datesOf(imageIds: readonly number[], filters: PhotoFilters | undefined): Map<number, number> {
    const filter = filterSql(filters);
    const dates = new Map<number, number>();
    for (let start = 0; start < imageIds.length; start += 500) {
      const ids = imageIds.slice(start, start + 500);
      const rows = this.db
        .prepare(
          `SELECT i.id, MIN(COALESCE(i.taken_at, f.mtime_ms)) AS takenAt FROM images i JOIN files f ON f.image_id = i.id
           WHERE i.id IN (${ids.map(() => '?').join(', ')}) AND ${filter.where} GROUP BY i.id`,
        )
        .all(...ids, ...filter.params) as Array<{ id: number; takenAt: number }>;
      for (const row of rows) dates.set(row.id, row.takenAt);
    }
    return dates;
  }

  /** For each image, in order, the first of its files that passes `filters` (images without one are left out). */
  representatives(imageIds: readonly number[], filters: PhotoFilters | undefined): PhotoRow[] {
    const filter = filterSql(filters);
    const statement = this.db.prepare(`SELECT ${ROW_COLUMNS} FROM files f JOIN images i ON i.id = f.image_id WHERE i.id = ? AND ${filter.where} ORDER BY f.id LIMIT 1`);
    return imageIds.flatMap((imageId) => (statement.get(imageId, ...filter.params) as PhotoRow | undefined) ?? []);
  }
}
