/**
 * Reading photos (files and the images they show) for search, the library grid and the viewer:
 * filters, pages of results, dates for sorting, photo references and image files by id.
 */
import path from 'node:path';
import { LruCache } from '../core/lru.js';
import { PHOTO_DATE } from './clock-dates.js';
import type { Db } from './database.js';
import { CAMERA_PARTS_SEPARATOR, PhotoFacets, takeFacetChanges, watchFacetChanges, type FilterMatch, type ImageIdSet, type PhotoFilters } from './photo-facets.js';

export type { PhotoFilters };
import { PhotoTimeline, narrowed, newestFiles, timelineOfFiles, type TimelineColumns } from './photo-timeline.js';

export type { FilterMatch, ImageIdSet, TimelineColumns };

/**
 * Note [Folders in SQL]: the folder a file is in, grouped by SQLite rather than by reading every
 * path into JavaScript (at 100k photos that took 0.4 s of the engine's thread): its path with
 * every character that is not a separator stripped from the right, `rtrim(path, <the path less
 * its separators>)`, which leaves the folder with its trailing separator. The separators are the
 * platform's, as `path.dirname` has them: `/`, and on Windows `\` too (elsewhere a file's name
 * may hold a `\`).
 */
export function folderOfPath(column: string, platform: NodeJS.Platform = process.platform): string {
  const others = platform === 'win32' ? `replace(replace(${column}, '/', ''), '\\', '')` : `replace(${column}, '/', '')`;
  return `rtrim(${column}, ${others})`;
}

/**
 * A folder as the storage names it, with its trailing separator (Note [Folders in SQL]), as a
 * path: the folder of any file in it, so a root keeps its separator as `path.dirname` keeps it.
 */
export function folderPath(folder: string): string {
  return path.dirname(`${folder}_`);
}

/** One photo as results and the grid show it. */
export interface PhotoRow {
  photoId: number;
  imageId: number;
  path: string;
  folderId: number;
  /** Capture time, else the file's modification time, as clock readings (Note [Dates as the clock showed] in library/decode.ts). */
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

const ROW_COLUMNS = `f.id AS photoId, i.id AS imageId, f.path, f.folder_id AS folderId, ${PHOTO_DATE} AS takenAt,
  i.width, i.height, i.format, i.camera_make AS cameraMake, i.camera_model AS cameraModel, i.latitude, i.longitude`;

/**
 * Note [Filtered timeline]: the library's timeline with a filter set is the kept timeline (Note
 * [Timeline follows writes]) narrowed, when there is one. When there is none yet, sorting the
 * whole timeline in SQL takes 210-570 ms at 100k files, so a filter that leaves part of the
 * library is found in the facets snapshot instead, kept current by Note [Facets follow writes],
 * and only its rows are read: 2-60 ms at 100k for filters that leave 0.4-25 % of it (narrowed
 * from the kept timeline: 0.2-3 ms). Reading a row by id costs a few times what reading it in
 * the sorted scan does, so this is for filters that leave up to FILTERED_TIMELINE_SHARE of the
 * files; beyond, the whole timeline is read, kept and narrowed.
 */
const FILTERED_TIMELINE_SHARE = 0.3;

/** What a connection keeps of the library, and the point in its writes it is current at. */
interface Kept {
  /** `PRAGMA data_version`: moves with every commit through another connection. */
  version: number;
  /** `total_changes()`: moves with every write through this one. */
  changes: number;
  facets: PhotoFacets | null;
  timeline: PhotoTimeline | null;
}

export function hasFilters(filters: PhotoFilters | undefined): boolean {
  return Object.values(filters ?? {}).some((value) => value !== undefined && value !== '' && !(Array.isArray(value) && value.length === 0));
}

export class PhotoStore {
  private readonly s;
  private kept: Kept | null = null;
  /** A connection that can write logs what its writes touch (Note [Facets follow writes]). */
  private readonly followsWrites: boolean;
  /** The latest filters' results on this snapshot (Note [Filter results kept]). */
  private readonly matched = new LruCache<string, FilterMatch | null>(4);

  constructor(private readonly db: Db) {
    this.s = {
      dataVersion: db.prepare('PRAGMA data_version').pluck(),
      totalChanges: db.prepare('SELECT total_changes()').pluck(),
      byId: db.prepare('SELECT id AS photoId, image_id AS imageId, path FROM files WHERE id = ?'),
      byPath: db.prepare('SELECT id AS photoId, image_id AS imageId, path FROM files WHERE path = ?'),
      ofImage: db.prepare('SELECT id AS photoId, image_id AS imageId, path FROM files WHERE image_id = ? ORDER BY path'),
      all: db.prepare('SELECT id AS photoId, image_id AS imageId, path FROM files ORDER BY path'),
      perFolder: db.prepare(`SELECT ${folderOfPath('path')} AS folder, COUNT(DISTINCT image_id) AS photos, COUNT(*) AS files FROM files GROUP BY folder`),
      // The folder is a prefix of its files' paths: the path index finds them, and the folder test leaves out its subfolders' files.
      inFolder: db.prepare(`SELECT id AS photoId, image_id AS imageId, path FROM files
        WHERE path > @folder AND path < @beyond AND ${folderOfPath('path')} = @folder ORDER BY path`),
      image: db.prepare('SELECT f.path, i.content_hash AS contentHash, i.thumbnail FROM files f JOIN images i ON i.id = f.image_id WHERE f.id = ?'),
      details: db.prepare(`SELECT ${ROW_COLUMNS}, f.size, i.lens, i.taken_at AS capturedAt FROM files f JOIN images i ON i.id = f.image_id WHERE f.id = ?`),
      filesOfImages: db.prepare(`SELECT ${ROW_COLUMNS} FROM files f JOIN images i ON i.id = f.image_id WHERE f.image_id IN (SELECT value FROM json_each(?)) ORDER BY f.id`),
      rowsOf: db.prepare(`SELECT ${ROW_COLUMNS} FROM files f JOIN images i ON i.id = f.image_id WHERE f.id IN (SELECT value FROM json_each(?))`),
      imageCount: db.prepare('SELECT COUNT(DISTINCT image_id) FROM files').pluck(),
      firstFiles: db.prepare('SELECT image_id, MIN(id) FROM files WHERE image_id IN (SELECT value FROM json_each(?)) GROUP BY image_id').raw(),
    };
    this.followsWrites = !db.readonly;
    if (this.followsWrites) watchFacetChanges(db);
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

  /**
   * How many photos (pictures: identical copies are one, Note [Folder albums count pictures]) and
   * files each folder holds directly, the folder with its trailing separator (Note [Folders in SQL]).
   */
  photosPerFolder(): Array<{ folder: string; photos: number; files: number }> {
    return this.s.perFolder.all() as Array<{ folder: string; photos: number; files: number }>;
  }

  /**
   * How many photos each folder holds directly, by its path without a trailing separator (a
   * root's is '' or `E:`): read from the facets kept in memory (Note [Filter facets]), where
   * `photosPerFolder` groups every row in SQL (100-200 ms at 100k photos).
   */
  photosPerDirectory(): Map<string, number> {
    return this.facets().filesPerDirectory();
  }

  /** How many photos (images, each once) are of each file type, by the search's format names. */
  photosPerFormat(): Map<string, number> {
    return this.facets().imagesPerFormat();
  }

  /** How many photos (images) each camera's make and model took, from the facets kept in memory (Note [Filter facets]). */
  photosPerCamera(): Array<{ make: string | null; model: string | null; photos: number }> {
    return [...this.facets().imagesPerCamera()].map(([camera, photos]) => {
      const [make = '', model = ''] = camera.split(CAMERA_PARTS_SEPARATOR);
      return { make: make || null, model: model || null, photos };
    });
  }

  /**
   * The first `limit` (all without it) photos directly in `folder` by path, the folder given with
   * its trailing separator as photosPerFolder gives it: each picture once, by its first file there.
   *
   * Note [Folder albums count pictures]: byte-identical files are one photo in the library grid
   * and search (Note [One tile a picture] in engine/photo-info.ts), but a folder's album counted
   * and showed every file: the wallpapers' `Autumn/contents/images`, one file and eleven links to
   * it, read "12 photos", with twelve tiles alike. So a folder's album is its pictures, each by its
   * first file in the folder by path (a picture in two folders is in both albums, by its own file
   * in each; the lowest id overall, as the grid shows it, may be in the other folder). Read in path
   * order, copies skipped, so a card's four samples stop early rather than group the whole folder.
   */
  photosInFolder(folder: string, limit = Number.POSITIVE_INFINITY): PhotoRef[] {
    // Every path that starts with `folder` sorts below `folder` with its last character (its separator) one higher.
    const beyond = folder.slice(0, -1) + String.fromCharCode(folder.charCodeAt(folder.length - 1) + 1);
    const photos: PhotoRef[] = [];
    const seen = new Set<number>();
    if (limit <= 0) return photos;
    for (const photo of this.s.inFolder.iterate({ folder, beyond }) as Iterable<PhotoRef>) {
      if (seen.has(photo.imageId)) continue;
      seen.add(photo.imageId);
      if (photos.push(photo) >= limit) break;
    }
    return photos;
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

  /**
   * Every file, newest first: the library grid's order, kept (Note [Timeline follows writes]).
   * With `first`, the newest `first` only, read alone unless the whole is kept: at launch, the
   * grid's first screen must not wait for the whole (Note [First screen first] in the renderer).
   * Not to be changed: the kept columns themselves.
   */
  timeline(first?: number): Readonly<TimelineColumns> {
    if (this.db.inTransaction) return PhotoTimeline.read(this.db).columns;
    const kept = this.current();
    if (!kept.timeline && first !== undefined) return newestFiles(this.db, first);
    kept.timeline ??= PhotoTimeline.read(this.db);
    return first === undefined ? kept.timeline.columns : kept.timeline.newest(first);
  }

  /**
   * The files that passed the filter of `matching` (not their images' other files: Note [Files pass,
   * not images]), newest first as `timeline` orders them (Note [Filtered timeline]).
   */
  timelineOf(matching: FilterMatch, atMostShare = FILTERED_TIMELINE_SHARE): TimelineColumns {
    const kept = this.db.inTransaction ? null : this.current();
    const facets = kept?.timeline ? null : this.facets();
    if (!facets || matching.files > facets.files * atMostShare) return narrowed(this.timeline(), matching);
    const photoIds: number[] = [];
    for (let row = 0; row < facets.files; row++) {
      const photoId = facets.photoId[row] as number;
      if (matching.hasFile(photoId)) photoIds.push(photoId);
    }
    return timelineOfFiles(this.db, photoIds);
  }

  /** The first file (the lowest id: as search shows an image) of each of `imageIds`, by image. */
  firstFilesOf(imageIds: readonly number[]): Map<number, number> {
    return new Map(this.s.firstFiles.all(JSON.stringify(imageIds)) as Array<[imageId: number, photoId: number]>);
  }

  /** How many pictures the files show: byte-identical files are one (Note [One tile a picture] in engine/photo-info.ts). */
  imageCount(): number {
    return this.s.imageCount.get() as number;
  }

  /**
   * What is kept (the facets, the timeline), brought up to date when the database changed since:
   * this connection's writes are followed (Notes [Facets follow writes], [Timeline follows
   * writes]); after a commit through another, what was kept is dropped, read again when asked for.
   * Never inside a transaction: what it wrote may yet be rolled back, and total_changes() would
   * not go back.
   */
  private current(): Kept {
    const version = this.s.dataVersion.get() as number;
    const kept = this.kept;
    if (kept && kept.version === version && kept.changes === this.s.totalChanges.get()) return kept;
    // Nothing kept until it is current: a failure halfway (the log is taken by then) must not
    // leave anything that looks current.
    this.kept = null;
    const usable = kept !== null && kept.version === version ? kept : null;
    const atMost = Math.max(usable?.facets?.followsAtMost ?? 0, usable?.timeline?.followsAtMost ?? 0);
    const changes = this.followsWrites ? takeFacetChanges(this.db, atMost) : null;
    const facets = changes && usable?.facets?.update(changes) ? usable.facets : null;
    const timeline = changes && usable?.timeline?.follow(changes) ? usable.timeline : null;
    const untouched = changes !== null && changes.fileIds.length === 0 && changes.removedIds.length === 0 && !changes.tags;
    if (!facets || !untouched) this.matched.clear();
    // Read after the log was cleared, which counts as a change too.
    this.kept = { version, changes: this.s.totalChanges.get() as number, facets, timeline };
    return this.kept;
  }

  /**
   * Where the library's data stands: moves with every write through this connection and every
   * commit through another (Note [Later pages] in search/later-pages.ts). What is kept is
   * brought up to date first, so that reading it next does not move the stamp.
   */
  changeStamp(): string {
    if (!this.db.inTransaction) this.current();
    return `${this.s.dataVersion.get() as number}:${this.s.totalChanges.get() as number}`;
  }

  /** The facets of every file (Note [Filter facets]), up to date. */
  private facets(): PhotoFacets {
    if (this.db.inTransaction) return PhotoFacets.read(this.db);
    const kept = this.current();
    kept.facets ??= PhotoFacets.read(this.db);
    return kept.facets;
  }

  /**
   * The images with at least one file that passes `filters`, and those files (null: no filter,
   * every image).
   *
   * Note [Filter results kept]: a person who sets a filter then types runs the same filter for
   * every keystroke's page and for its count, and a pass over the snapshot takes 1-1.6 ms at
   * 100k files (ten times that at 1M). So the last few results are kept, and dropped whenever a
   * write changes what the snapshot holds (`facets`); never inside a transaction, whose writes
   * the snapshot does not follow.
   */
  matching(filters: PhotoFilters | undefined): FilterMatch | null {
    if (!hasFilters(filters)) return null;
    const facets = this.facets();
    const key = JSON.stringify(filters);
    const kept = !this.db.inTransaction;
    if (kept && this.matched.has(key)) return this.matched.get(key) ?? null;
    const test = facets.fileTest(filters ?? {});
    const matching = test ? facets.matching(test) : null;
    if (kept) this.matched.set(key, matching);
    return matching;
  }

  /** Ids of the images with at least one file that passes `filters`. */
  matchingImageIds(filters: PhotoFilters): Set<number> {
    const matching = this.matching(filters);
    const facets = this.facets();
    return new Set([...facets.imageId].filter((id) => matching?.has(id) ?? true));
  }

  /** The earliest date of each image among its files that pass `filters` (images without one are left out). */
  datesOf(imageIds: readonly number[], filters: PhotoFilters | undefined): Map<number, number> {
    const facets = this.facets();
    const test = facets.fileTest(filters ?? {});
    const dates = new Map<number, number>();
    for (const imageId of imageIds) {
      let earliest = Number.POSITIVE_INFINITY;
      for (const row of facets.filesOf(imageId)) if (!test || test(row)) earliest = Math.min(earliest, facets.takenAt[row] as number);
      if (earliest !== Number.POSITIVE_INFINITY) dates.set(imageId, earliest);
    }
    return dates;
  }

  /** For each image, in order, the first of its files that passes `filters` (images without one are left out). */
  representatives(imageIds: readonly number[], filters: PhotoFilters | undefined): PhotoRow[] {
    if (!hasFilters(filters)) {
      // Unfiltered (the first search after launch): one indexed query, no snapshot to read.
      const first = new Map<number, PhotoRow>();
      for (const row of this.s.filesOfImages.all(JSON.stringify(imageIds)) as PhotoRow[]) if (!first.has(row.imageId)) first.set(row.imageId, row);
      return imageIds.flatMap((id) => first.get(id) ?? []);
    }
    const facets = this.facets();
    const test = facets.fileTest(filters ?? {});
    const photoIds = imageIds.flatMap((imageId) => {
      const row = facets.filesOf(imageId).find((candidate) => !test || test(candidate));
      return row === undefined ? [] : [facets.photoId[row] as number];
    });
    return this.rows(photoIds);
  }
}
