/**
 * Search filters evaluated in memory.
 *
 * Note [Filter facets]: a filter is checked against a columnar snapshot of what every file can
 * be filtered by (library folder, directory, date, type, camera, location), read in one query,
 * plus the images of each tag a filter names (read through the folded-name index of image_tags).
 * Directories, cameras and types are interned, so "camera contains fuji" or "under this folder"
 * is decided once per distinct value, and a filter then costs one pass over typed arrays: well
 * under a millisecond at 100k photos, where a SQL query had to hand every matching row to
 * JavaScript (tens of milliseconds for a broad filter) and a camera LIKE read every row. After a
 * write, the next filtered call brings the snapshot up to date (PhotoStore's `facets`, Note
 * [Facets follow writes]).
 *
 * Note [Facets streamed]: the snapshot is read a row at a time into its typed columns, never as
 * one array of rows (at 1M files that array took 400 MB of heap for a moment), and with SQLite's
 * memory map switched off for the scan: read through the map, the scanned pages stayed in the
 * process's resident memory (another 400 MB at 1M files, `npm run bench -- memory`).
 *
 * Note [Facets follow writes]: reading the snapshot takes 170 ms at 100k files (1.7 s at 1M), and
 * while indexing runs every batch writes to the database: every filtered search paid for a new
 * snapshot. So the connection that writes logs which files its writes touch (temporary triggers,
 * `watchFacetChanges`), and the snapshot takes just those rows again (`update`): changed in place,
 * or added after the last. A file removed, a new one below the last id, a log of more than a
 * quarter of the library, or a commit through another connection (`data_version`) reads it whole.
 * Writes to tags only drop the tags' bitmaps, read again per tag.
 *
 * Note [Case folded in JavaScript]: a camera filter ("has these words") and a tag filter ("this tag,
 * any case") ignore case as JavaScript's toLowerCase folds it (`folded`), in every script, on the
 * name stored and on the text asked alike; the CLI's check that a tag exists (emptyBecause in
 * cli/library.ts) folds the same way. SQLite's lower() folds ASCII letters only: with it on one
 * side, a camera `ÉLAN` or a tag `Äpfel` would never be found by `élan` or `äpfel`. So camera
 * names are folded as a filter compares them, once per distinct name; and a tag's images are read
 * through the index on lower(tag) (image_tags_shown) by the names it holds that fold to the one
 * asked, found by a walk over its distinct names, one seek each (about 1 ms for 300 names on 800k
 * rows), once per tag asked and snapshot: no column of names folded in JavaScript to migrate to.
 * As lower() leaves every letter but ASCII's as it was and toLowerCase folds ASCII the same way,
 * a name folds in JavaScript to what the name it was lowered from does.
 */
import { folderKey, isWithin, parentOf, withoutSeparator } from '../core/folder-key.js';
import { indexInSorted } from '../core/sorted.js';
import { PHOTO_DATE } from './clock-dates.js';
import { scanUnmapped, type Db } from './database.js';

/** Images that pass a filter. */
export interface ImageIdSet {
  readonly size: number;
  has(imageId: number): boolean;
}

/**
 * The images that pass a filter, and which of their files do.
 *
 * Note [Files pass, not images]: some filters hold for a file and not for its copies: the folder
 * it is in, and its date when its photo has none of its own (its file time, Note [Filter facets]).
 * Search shows an image once, by a file of it that passes (PhotoStore's `representatives`); the
 * library grid shows files, so it shows (and counts) those that pass and not the image's other
 * copies: filtered to /Trips, a copy in /Backup is not shown.
 */
export interface FilterMatch extends ImageIdSet {
  /** How many files pass. */
  readonly files: number;
  hasFile(photoId: number): boolean;
}

export interface PhotoFilters {
  /** Capture date range, ms of clock readings encoded as UTC (Note [Dates as the clock showed] in library/decode.ts; file time when a photo has no capture date). */
  takenAfter?: number | undefined;
  takenBefore?: number | undefined;
  /** Only photos under this folder (a path). */
  folder?: string | undefined;
  /** Only photos under the folder with this key (core/folder-key.ts), subfolders included. */
  within?: string | undefined;
  /** Each word is in the camera's make and model, ignoring case (Note [Camera words] in photo-facets.ts). */
  camera?: string | undefined;
  formats?: string[] | undefined;
  hasLocation?: boolean | undefined;
  /** Only photos showing this tag (any case): given by the tagger or confirmed, not rejected. */
  tag?: string | undefined;
}

class FilterBitmaps implements FilterMatch {
  constructor(
    private readonly images: Uint8Array,
    readonly size: number,
    private readonly photos: Uint8Array,
    readonly files: number,
  ) {}

  has(imageId: number): boolean {
    return this.images[imageId] === 1;
  }

  hasFile(photoId: number): boolean {
    return this.photos[photoId] === 1;
  }
}

/** A name as the camera and tag filters compare it, ignoring case (Note [Case folded in JavaScript]). */
function folded(name: string): string {
  return name.toLowerCase();
}

/**
 * Note [Camera words]: a camera filter lets through a camera whose make and model have each word
 * typed, in any order, not the text as one piece: the viewer names a camera by both
 * (core/camera.ts), "OLYMPUS IMAGING CORP. E-M1", and `olympus e-m1` must find it.
 */
function cameraTest(text: string): (name: string) => boolean {
  const words = folded(text).split(/\s+/).filter(Boolean);
  return (name) => {
    const have = folded(name);
    return words.every((word) => have.includes(word));
  };
}

function intern(values: Map<string, number>, value: string): number {
  let id = values.get(value);
  if (id === undefined) values.set(value, (id = values.size));
  return id;
}

/** Which of the interned `values` pass `test`, as a lookup by id. */
function passing(values: Map<string, number>, test: (value: string) => boolean): Uint8Array {
  const out = new Uint8Array(values.size);
  for (const [value, id] of values) if (test(value)) out[id] = 1;
  return out;
}

type FileTest = (row: number) => boolean;

type FacetRow = [id: number, image: number, filePath: string, date: number, type: string, cameraName: string, hasLocation: number];

/** Between a camera's make and model in the facets: no word typed holds it, so the filter's words match either part alike. */
export const CAMERA_PARTS_SEPARATOR = '\x1f';

// The camera name as stored, folded by the filter (Note [Case folded in JavaScript]).
const FACET_ROWS = `SELECT f.id, f.image_id, f.path, ${PHOTO_DATE}, i.format,
    COALESCE(i.camera_make, '') || char(31) || COALESCE(i.camera_model, ''), i.latitude IS NOT NULL
  FROM files f JOIN images i ON i.id = f.image_id`;

/**
 * Every name a tag is shown under, as lower() has it in image_tags_shown: the least, then the
 * least above each, one seek of the index each (Note [Case folded in JavaScript]).
 */
const SHOWN_TAG_NAMES = `WITH RECURSIVE names(name) AS (
    SELECT min(lower(tag)) FROM image_tags INDEXED BY image_tags_shown WHERE rejected = 0
    UNION ALL
    SELECT (SELECT min(lower(tag)) FROM image_tags INDEXED BY image_tags_shown WHERE rejected = 0 AND lower(tag) > names.name) FROM names WHERE names.name IS NOT NULL
  )
  SELECT name FROM names WHERE name IS NOT NULL`;

const IMAGES_SHOWING_TAGS = `SELECT image_id FROM image_tags INDEXED BY image_tags_shown
  WHERE lower(tag) IN (SELECT value FROM json_each(?)) AND rejected = 0`;

/** Files the snapshot takes again one by one, besides a quarter of it (Note [Facets follow writes]). */
const FOLLOW_AT_MOST = 100;

/** What the writes logged since the log was last read (Note [Facets follow writes]). */
export interface FacetChanges {
  /** Files added or changed, in id order. */
  fileIds: number[];
  /** Files removed (or renumbered away), in id order. */
  removedIds: number[];
  /** Tags were given, confirmed or rejected. */
  tags: boolean;
}

/**
 * Logs, on this connection, the files whose facets its writes touch (Note [Facets follow writes]),
 * or their size, which the timeline keeps (Note [Timeline follows writes] in photo-timeline.ts).
 * Temporary: the triggers and their table live and die with the connection. Row -1 marks a
 * change of tags; one row per file however often it is written.
 */
export function watchFacetChanges(db: Db): void {
  // Not INSERT OR IGNORE: the conflict handling of the statement that fires a trigger (an upsert's
  // included) overrides the trigger's own, so a second row for a file would fail the write.
  const log = (fileId: string, removed: 0 | 1) =>
    `INSERT INTO facet_changes SELECT ${fileId}, ${removed} WHERE NOT EXISTS (SELECT 1 FROM facet_changes WHERE file_id = ${fileId} AND removed = ${removed});`;
  db.exec(`
    CREATE TEMP TABLE IF NOT EXISTS facet_changes (file_id INTEGER NOT NULL, removed INTEGER NOT NULL, PRIMARY KEY (file_id, removed)) WITHOUT ROWID;
    CREATE TEMP TRIGGER IF NOT EXISTS facet_file_added AFTER INSERT ON main.files BEGIN ${log('NEW.id', 0)} END;
    CREATE TEMP TRIGGER IF NOT EXISTS facet_file_changed AFTER UPDATE OF image_id, path, mtime_ms, mtime_clock_ms ON main.files BEGIN ${log('NEW.id', 0)} END;
    CREATE TEMP TRIGGER IF NOT EXISTS facet_file_renumbered AFTER UPDATE OF id ON main.files WHEN OLD.id <> NEW.id BEGIN ${log('OLD.id', 1)} ${log('NEW.id', 0)} END;
    CREATE TEMP TRIGGER IF NOT EXISTS facet_file_removed AFTER DELETE ON main.files BEGIN ${log('OLD.id', 1)} END;
    CREATE TEMP TRIGGER IF NOT EXISTS facet_image_changed AFTER UPDATE OF format, taken_at, camera_make, camera_model, latitude, width, height ON main.images BEGIN
      INSERT INTO facet_changes SELECT f.id, 0 FROM main.files f WHERE f.image_id = NEW.id AND NOT EXISTS (SELECT 1 FROM facet_changes c WHERE c.file_id = f.id AND c.removed = 0);
    END;
    CREATE TEMP TRIGGER IF NOT EXISTS facet_tag_added AFTER INSERT ON main.image_tags BEGIN ${log('-1', 0)} END;
    CREATE TEMP TRIGGER IF NOT EXISTS facet_tag_changed AFTER UPDATE ON main.image_tags BEGIN ${log('-1', 0)} END;
    CREATE TEMP TRIGGER IF NOT EXISTS facet_tag_removed AFTER DELETE ON main.image_tags BEGIN ${log('-1', 0)} END;
  `);
}

/**
 * Reads and clears the log `watchFacetChanges` keeps; null, and only cleared, when it holds more
 * than `atMost` rows (a snapshot that would follow them reads everything again instead).
 */
export function takeFacetChanges(db: Db, atMost: number): FacetChanges | null {
  const rows = db.prepare('SELECT file_id, removed FROM temp.facet_changes ORDER BY file_id LIMIT ?').raw().all(atMost + 1) as Array<[number, number]>;
  db.prepare('DELETE FROM temp.facet_changes').run();
  if (rows.length > atMost) return null;
  const changes: FacetChanges = { fileIds: [], removedIds: [], tags: false };
  for (const [fileId, removed] of rows) {
    if (fileId === -1) changes.tags = true;
    else if (removed) changes.removedIds.push(fileId);
    else changes.fileIds.push(fileId);
  }
  return changes;
}

/** One snapshot of the facets of every file, in file id order. */
export class PhotoFacets {
  private readonly tags = new Map<string, Uint8Array>();
  /** Rows of each image's files: `filesOf[imageStart[id] .. imageStart[id + 1])`. */
  private byImage: { start: Int32Array; rows: Int32Array } | null = null;

  private constructor(
    private readonly db: Db,
    public photoId: Int32Array,
    public imageId: Int32Array,
    private directory: Int32Array,
    public takenAt: Float64Array,
    private format: Int32Array,
    private camera: Int32Array,
    private located: Uint8Array,
    private readonly names: { directories: Map<string, number>; formats: Map<string, number>; cameras: Map<string, number> },
    private maxImageId: number,
  ) {}

  static read(db: Db): PhotoFacets {
    // Rows are read one at a time, without the memory map (Note [Facets streamed]).
    return scanUnmapped(db, () => PhotoFacets.readRows(db));
  }

  private static readRows(db: Db): PhotoFacets {
    // In one transaction with the rows (see read), so an upper bound: files without an image are left out.
    const capacity = db.prepare('SELECT count(*) FROM files').pluck().get() as number;
    const names = { directories: new Map<string, number>(), formats: new Map<string, number>(), cameras: new Map<string, number>() };
    const ints = () => new Int32Array(capacity);
    const facets = new PhotoFacets(db, ints(), ints(), ints(), new Float64Array(capacity), ints(), ints(), new Uint8Array(capacity), names, 0);
    let count = 0;
    for (const row of db.prepare(`${FACET_ROWS} ORDER BY f.id`).raw().iterate() as IterableIterator<FacetRow>) facets.put(count++, row);
    if (count < capacity) facets.resize(count);
    return facets;
  }

  /** Writes `row` at position `at`. */
  private put(at: number, [id, image, filePath, date, type, cameraName, hasLocation]: FacetRow): void {
    this.photoId[at] = id;
    this.imageId[at] = image;
    this.maxImageId = Math.max(this.maxImageId, image);
    this.directory[at] = intern(this.names.directories, parentOf(filePath));
    this.takenAt[at] = date;
    this.format[at] = intern(this.names.formats, type);
    this.camera[at] = intern(this.names.cameras, cameraName);
    this.located[at] = hasLocation;
  }

  /**
   * Every column cut or grown to `count` rows; grown with room to spare, as indexing adds a batch
   * at a time (the first batch after a full reading copies every column; the next ones fit).
   */
  private resize(count: number): void {
    const sized = <T extends Int32Array | Float64Array | Uint8Array>(column: T): T => {
      if (count <= column.buffer.byteLength / column.BYTES_PER_ELEMENT) return new (column.constructor as new (buffer: ArrayBufferLike, offset: number, length: number) => T)(column.buffer, 0, count);
      const grown = new (column.constructor as new (length: number) => T)(Math.ceil(count * 1.25));
      grown.set(column);
      return grown.subarray(0, count) as T;
    };
    [this.photoId, this.imageId, this.directory, this.takenAt] = [sized(this.photoId), sized(this.imageId), sized(this.directory), sized(this.takenAt)];
    [this.format, this.camera, this.located] = [sized(this.format), sized(this.camera), sized(this.located)];
  }

  /** The most changed files this snapshot takes one by one: taking a row again costs a few times what reading it among all of them does. */
  get followsAtMost(): number {
    return FOLLOW_AT_MOST + Math.floor(this.photoId.length / 4);
  }

  /**
   * Takes the facets of `changes` (Note [Facets follow writes]); false when this snapshot cannot
   * follow them and must be read again, which it then must be: it may have taken some already.
   */
  update(changes: FacetChanges): boolean {
    if (changes.removedIds.length > 0 || changes.fileIds.length > this.followsAtMost) return false;
    if (changes.tags) this.tags.clear();
    if (changes.fileIds.length === 0) return true;
    const rows = this.db.prepare(`${FACET_ROWS} WHERE f.id IN (SELECT value FROM json_each(?)) ORDER BY f.id`).raw().all(JSON.stringify(changes.fileIds)) as FacetRow[];
    if (rows.length !== changes.fileIds.length) return false;
    const last = this.photoId.length > 0 ? (this.photoId[this.photoId.length - 1] as number) : 0;
    const added = rows.filter(([id]) => id > last);
    for (const row of rows.slice(0, rows.length - added.length)) {
      const at = indexInSorted(this.photoId, row[0]);
      if (at < 0) return false;
      this.put(at, row);
    }
    const count = this.photoId.length;
    this.resize(count + added.length);
    added.forEach((row, i) => this.put(count + i, row));
    // Both are sized and indexed by image id, which may have grown or moved.
    this.byImage = null;
    this.tags.clear();
    return true;
  }

  get files(): number {
    return this.photoId.length;
  }

  /**
   * Images carrying `tag` in any case (Note [Case folded in JavaScript]) where it is shown: given
   * by the tagger or confirmed, not rejected. Kept by the tag as folded, which is all it depends on.
   */
  private tagged(tag: string): Uint8Array {
    const key = folded(tag);
    let bits = this.tags.get(key);
    if (!bits) {
      const names = (this.db.prepare(SHOWN_TAG_NAMES).pluck().all() as string[]).filter((name) => folded(name) === key);
      bits = new Uint8Array(this.maxImageId + 1);
      const ids = names.length === 0 ? [] : (this.db.prepare(IMAGES_SHOWING_TAGS).pluck().all(JSON.stringify(names)) as number[]);
      for (const id of ids) if (id <= this.maxImageId) bits[id] = 1;
      this.tags.set(key, bits);
    }
    return bits;
  }

  /** How many files each directory holds directly, by its path as `parentOf` gives it. */
  filesPerDirectory(): Map<string, number> {
    const counts = new Uint32Array(this.names.directories.size);
    for (const directory of this.directory) counts[directory] = (counts[directory] as number) + 1;
    const perDirectory = new Map<string, number>();
    for (const [dir, id] of this.names.directories) if (counts[id]) perDirectory.set(dir, counts[id] as number);
    return perDirectory;
  }

  /** How many images each camera is in, by its make and model joined by CAMERA_PARTS_SEPARATOR: an image once, however many files show it. */
  imagesPerCamera(): Map<string, number> {
    return this.imagesPer(this.camera, this.names.cameras);
  }

  /** How many images each file type is in (`jpeg`, `heic`: the search's PHOTO_FORMATS), for the filter to offer only those the library has. */
  imagesPerFormat(): Map<string, number> {
    return this.imagesPer(this.format, this.names.formats);
  }

  /** How many images each name interned in `column` is in: an image once, by its first file, however many files show it. */
  private imagesPer(column: Int32Array, names: Map<string, number>): Map<string, number> {
    const counted = new Uint8Array(this.maxImageId + 1);
    const counts = new Uint32Array(names.size);
    this.imageId.forEach((image, row) => {
      if (counted[image]) return;
      counted[image] = 1;
      const name = column[row] as number;
      counts[name] = (counts[name] as number) + 1;
    });
    const per = new Map<string, number>();
    for (const [name, id] of names) if (counts[id]) per.set(name, counts[id] as number);
    return per;
  }

  /** Files in `folder` or below it. */
  private under(folder: string): FileTest {
    const under = passing(this.names.directories, (dir) => isWithin(dir, folder));
    return (row) => under[this.directory[row] as number] === 1;
  }

  /** The folder with this key that holds files or folders of files; null when there is none (any more). */
  private directoryWithKey(key: string): string | null {
    const looked = new Set<string>();
    for (const dir of this.names.directories.keys()) {
      // Up to the top of its drive (''), which a library folder may be.
      for (let folder = dir; !looked.has(folder); folder = parentOf(folder)) {
        if (folderKey(folder) === key) return folder;
        looked.add(folder);
      }
    }
    return null;
  }

  /** The test a file must pass, or null when the filters ask for nothing. */
  fileTest(filters: PhotoFilters): FileTest | null {
    const tests: FileTest[] = [];
    const { takenAfter, takenBefore, hasLocation } = filters;
    if (takenAfter !== undefined) tests.push((row) => (this.takenAt[row] as number) >= takenAfter);
    if (takenBefore !== undefined) tests.push((row) => (this.takenAt[row] as number) <= takenBefore);
    if (filters.folder) tests.push(this.under(withoutSeparator(filters.folder)));
    if (filters.within) {
      const folder = this.directoryWithKey(filters.within);
      tests.push(folder === null ? () => false : this.under(folder));
    }
    if (filters.camera) {
      const cameras = passing(this.names.cameras, cameraTest(filters.camera));
      tests.push((row) => cameras[this.camera[row] as number] === 1);
    }
    if (filters.formats?.length) {
      const wanted = new Set(filters.formats);
      const formats = passing(this.names.formats, (name) => wanted.has(name));
      tests.push((row) => formats[this.format[row] as number] === 1);
    }
    if (hasLocation !== undefined) tests.push((row) => (this.located[row] === 1) === hasLocation);
    if (filters.tag) {
      const tagged = this.tagged(filters.tag);
      tests.push((row) => tagged[this.imageId[row] as number] === 1);
    }
    if (tests.length === 0) return null;
    return (row) => {
      for (const test of tests) if (!test(row)) return false;
      return true;
    };
  }

  /** The files that pass `test`, and the images with at least one of them (Note [Files pass, not images]). */
  matching(test: FileTest): FilterMatch {
    const images = new Uint8Array(this.maxImageId + 1);
    // Rows are in file id order: the last holds the highest.
    const photos = new Uint8Array((this.photoId[this.photoId.length - 1] ?? 0) + 1);
    let [imageCount, fileCount] = [0, 0];
    for (let row = 0; row < this.photoId.length; row++) {
      if (!test(row)) continue;
      photos[this.photoId[row] as number] = 1;
      fileCount++;
      const image = this.imageId[row] as number;
      if (images[image] === 0) {
        images[image] = 1;
        imageCount++;
      }
    }
    return new FilterBitmaps(images, imageCount, photos, fileCount);
  }

  /** Rows of the files of `imageId`, in file id order. */
  filesOf(imageId: number): Int32Array {
    if (!this.byImage) {
      const start = new Int32Array(this.maxImageId + 2);
      for (const image of this.imageId) (start[image + 1] as number)++;
      for (let id = 1; id < start.length; id++) start[id] = (start[id] as number) + (start[id - 1] as number);
      const rows = new Int32Array(this.photoId.length);
      const next = start.slice(0, -1);
      this.imageId.forEach((image, row) => (rows[(next[image] as number)++] = row));
      this.byImage = { start, rows };
    }
    if (imageId < 0 || imageId > this.maxImageId) return new Int32Array(0);
    const { start, rows } = this.byImage;
    return rows.subarray(start[imageId], start[imageId + 1]);
  }
}
