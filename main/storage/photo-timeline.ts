/**
 * The library grid's order: every file, newest first, as columns.
 *
 * Note [Timeline follows writes]: the app asks for the whole timeline whenever the library
 * changes: after each index run, each batch the folder watcher picks up, and every few seconds
 * while indexing adds photos (Note [Photos as they index] in engine/library-changes.ts). Sorting
 * it in SQL takes 220-280 ms of the engine's only thread at 100k files (ten times that at 1M), and
 * a search arriving meanwhile waits. So the connection that writes keeps the timeline once read,
 * and notes the files its writes touched from the log the facets follow too (Note [Facets follow
 * writes]). When the timeline is next asked for, those files' rows are read by id, sorted, and
 * put in place of their old ones: runs of rows copied between them. Names, not paths, are kept:
 * about 60 MB at 1M files.
 */
import path from 'node:path';
import { PHOTO_DATE } from './clock-dates.js';
import { scanUnmapped, type Db } from './database.js';
import type { FacetChanges, FilterMatch } from './photo-facets.js';

/** Files in the grid's order, one column per field. */
export interface TimelineColumns {
  photoIds: Int32Array;
  imageIds: Int32Array;
  /** Each file's library folder. */
  folderIds: Int32Array;
  widths: Int32Array;
  heights: Int32Array;
  /** Capture time, else the file's modification time (ms). */
  takenAt: Float64Array;
  /** File names (the last part of each path). */
  names: string[];
}

type TimelineRow = [photoId: number, imageId: number, folderId: number, filePath: string, width: number, height: number, takenAt: number];

const TIMELINE_ROWS = `SELECT f.id, f.image_id, f.folder_id, f.path, i.width, i.height, ${PHOTO_DATE} AS takenAt
  FROM files f JOIN images i ON i.id = f.image_id`;
// Newest first; ties broken by id so the order is stable between calls.
const NEWEST_FIRST = 'ORDER BY takenAt DESC, f.id DESC';

/** Files the timeline takes again one by one, besides a quarter of it (as the facets do). */
const FOLLOW_AT_MOST = 100;

function emptyColumns(size: number): TimelineColumns {
  return { photoIds: new Int32Array(size), imageIds: new Int32Array(size), folderIds: new Int32Array(size), widths: new Int32Array(size), heights: new Int32Array(size), takenAt: new Float64Array(size), names: new Array<string>(size) };
}

/** Writes `row` at position `at`. */
function put(columns: TimelineColumns, at: number, [photoId, imageId, folderId, filePath, width, height, takenAt]: TimelineRow): void {
  columns.photoIds[at] = photoId;
  columns.imageIds[at] = imageId;
  columns.folderIds[at] = folderId;
  columns.widths[at] = width;
  columns.heights[at] = height;
  columns.takenAt[at] = takenAt;
  columns.names[at] = path.basename(filePath);
}

function columnsOf(rows: TimelineRow[]): TimelineColumns {
  const columns = emptyColumns(rows.length);
  rows.forEach((row, at) => put(columns, at, row));
  return columns;
}

/** Copies rows [start, end) of `from` to `to` at row `at`. */
function copyRows(from: TimelineColumns, start: number, end: number, to: TimelineColumns, at: number): void {
  to.photoIds.set(from.photoIds.subarray(start, end), at);
  to.imageIds.set(from.imageIds.subarray(start, end), at);
  to.folderIds.set(from.folderIds.subarray(start, end), at);
  to.widths.set(from.widths.subarray(start, end), at);
  to.heights.set(from.heights.subarray(start, end), at);
  to.takenAt.set(from.takenAt.subarray(start, end), at);
  for (let row = start; row < end; row++) to.names[at + row - start] = from.names[row] as string;
}

/** The first `count` rows of `columns`. */
function firstRows(columns: TimelineColumns, count: number): TimelineColumns {
  const first = emptyColumns(Math.min(count, columns.photoIds.length));
  copyRows(columns, 0, first.photoIds.length, first, 0);
  return first;
}

/** The columns' rows at `rows`, in that order. */
function pick(columns: TimelineColumns, rows: readonly number[]): TimelineColumns {
  const picked = emptyColumns(rows.length);
  rows.forEach((row, at) => {
    picked.photoIds[at] = columns.photoIds[row] as number;
    picked.imageIds[at] = columns.imageIds[row] as number;
    picked.folderIds[at] = columns.folderIds[row] as number;
    picked.widths[at] = columns.widths[row] as number;
    picked.heights[at] = columns.heights[row] as number;
    picked.takenAt[at] = columns.takenAt[row] as number;
    picked.names[at] = columns.names[row] as string;
  });
  return picked;
}

/** The files that passed the filter of `matching` (Note [Files pass, not images] in photo-facets.ts), in the order of `columns`. */
export function narrowed(columns: Readonly<TimelineColumns>, matching: FilterMatch): TimelineColumns {
  const rows: number[] = [];
  for (let row = 0; row < columns.photoIds.length; row++) if (matching.hasFile(columns.photoIds[row] as number)) rows.push(row);
  return pick(columns, rows);
}

/** The files `photoIds` names (unknown ones left out), newest first. */
export function timelineOfFiles(db: Db, photoIds: readonly number[]): TimelineColumns {
  return columnsOf(db.prepare(`${TIMELINE_ROWS} WHERE f.id IN (SELECT value FROM json_each(?)) ${NEWEST_FIRST}`).raw().all(JSON.stringify(photoIds)) as TimelineRow[]);
}

/** The newest `count` files, read alone (Note [First screen first] in the renderer's library state). */
export function newestFiles(db: Db, count: number): TimelineColumns {
  return columnsOf(db.prepare(`${TIMELINE_ROWS} ${NEWEST_FIRST} LIMIT ?`).raw().all(count) as TimelineRow[]);
}

/** Every file, newest first, kept up to date (Note [Timeline follows writes]). */
export class PhotoTimeline {
  /** Files written since the columns were brought up to date. */
  private readonly touched = new Set<number>();

  private constructor(
    private readonly db: Db,
    private kept: TimelineColumns,
  ) {}

  /** Every file, a row at a time into the columns (Note [Facets streamed] in photo-facets.ts: at 1M files, an array of rows took 400 MB for a moment). */
  static read(db: Db): PhotoTimeline {
    return scanUnmapped(db, () => {
      // In one transaction with the rows, so an upper bound: files without an image are left out.
      const capacity = db.prepare('SELECT count(*) FROM files').pluck().get() as number;
      const columns = emptyColumns(capacity);
      let count = 0;
      for (const row of db.prepare(`${TIMELINE_ROWS} ${NEWEST_FIRST}`).raw().iterate() as IterableIterator<TimelineRow>) put(columns, count++, row);
      return new PhotoTimeline(db, count === capacity ? columns : firstRows(columns, count));
    });
  }

  /** Every file, up to date; never changed in place (new columns take their place). */
  get columns(): Readonly<TimelineColumns> {
    this.catchUp();
    return this.kept;
  }

  /** The newest `count` files. */
  newest(count: number): TimelineColumns {
    return firstRows(this.columns, count);
  }

  /**
   * Notes the files of `changes`, taken again when the columns are next asked for; false when
   * there are too many to take one by one, and the timeline must be read again.
   */
  follow(changes: FacetChanges): boolean {
    for (const photoId of [...changes.fileIds, ...changes.removedIds]) this.touched.add(photoId);
    return this.followsAtMost >= 0;
  }

  /** How many more touched files this timeline would take one by one (negative: too many already). */
  get followsAtMost(): number {
    return FOLLOW_AT_MOST + Math.floor(this.kept.photoIds.length / 4) - this.touched.size;
  }

  /** The touched files' old rows dropped, and their rows as they are now put in order among the rest. */
  private catchUp(): void {
    if (this.touched.size === 0) return;
    const fresh = timelineOfFiles(this.db, [...this.touched]);
    const old = this.kept;
    // A lookup by id: a set's lookups cost more than the rest of the pass together.
    let highest = 0;
    for (const photoId of this.touched) highest = Math.max(highest, photoId);
    const touched = new Uint8Array(highest + 1);
    for (const photoId of this.touched) touched[photoId] = 1;
    const dropped: number[] = [];
    for (let row = 0; row < old.photoIds.length; row++) if (touched[old.photoIds[row] as number] === 1) dropped.push(row);
    const merged = emptyColumns(old.photoIds.length - dropped.length + fresh.photoIds.length);
    let [from, to, nextDropped] = [0, 0, 0];
    /** Copies the old rows before `end` that stay. */
    const keepUntil = (end: number) => {
      while (from < end) {
        const stop = Math.min(end, dropped[nextDropped] ?? end);
        copyRows(old, from, stop, merged, to);
        to += stop - from;
        from = stop;
        if (from === dropped[nextDropped]) [from, nextDropped] = [from + 1, nextDropped + 1];
      }
    };
    for (let row = 0; row < fresh.photoIds.length; row++) {
      keepUntil(this.placeOf(fresh.takenAt[row] as number, fresh.photoIds[row] as number));
      copyRows(fresh, row, row + 1, merged, to++);
    }
    keepUntil(old.photoIds.length);
    this.kept = merged;
    this.touched.clear();
  }

  /** The first old row older than a file taken at `takenAt` with id `photoId` (a binary search: the rows are in that order). */
  private placeOf(takenAt: number, photoId: number): number {
    const { takenAt: dates, photoIds } = this.kept;
    let [low, high] = [0, dates.length];
    while (low < high) {
      const middle = (low + high) >> 1;
      const date = dates[middle] as number;
      if (date > takenAt || (date === takenAt && (photoIds[middle] as number) > photoId)) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
