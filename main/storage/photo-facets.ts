/**
 * Search filters evaluated in memory.
 *
 * Note [Filter facets]: a filter is checked against a columnar snapshot of what every file can
 * be filtered by (library folder, directory, date, type, camera, location), read in one query,
 * plus the images of each tag a filter names (read through the folded-name index of image_tags).
 * Directories, cameras and types are interned, so "camera contains fuji" or "under this folder"
 * is decided once per distinct value, and a filter then costs one pass over typed arrays: well
 * under a millisecond at 100k photos, where a SQL query had to hand every matching row to
 * JavaScript (tens of milliseconds for a broad filter) and a camera LIKE read every row. The
 * snapshot is dropped after any write to the database (see PhotoStore's `facets`) and read again
 * on the next filtered call.
 *
 * Note [Facets streamed]: the snapshot is read a row at a time into its typed columns, never as
 * one array of rows (at 1M files that array took 400 MB of heap for a moment), and with SQLite's
 * memory map switched off for the scan: read through the map, the scanned pages stayed in the
 * process's resident memory (another 400 MB at 1M files, `npm run bench -- memory`).
 */
import type { Db } from './database.js';

/** Images that pass a filter. */
export interface ImageIdSet {
  readonly size: number;
  has(imageId: number): boolean;
}

export interface FacetFilters {
  takenAfter?: number | undefined;
  takenBefore?: number | undefined;
  folder?: string | undefined;
  folderId?: number | undefined;
  camera?: string | undefined;
  formats?: string[] | undefined;
  hasLocation?: boolean | undefined;
  tag?: string | undefined;
}

class ImageBitmap implements ImageIdSet {
  constructor(
    private readonly bits: Uint8Array,
    readonly size: number,
  ) {}

  has(imageId: number): boolean {
    return this.bits[imageId] === 1;
  }
}

function intern(values: Map<string, number>, value: string): number {
  let id = values.get(value);
  if (id === undefined) values.set(value, (id = values.size));
  return id;
}

/** The part of a path before its last separator (either kind: libraries may come from Windows). */
function directoryOf(filePath: string): string {
  return filePath.slice(0, Math.max(filePath.lastIndexOf('/'), filePath.lastIndexOf('\\'), 0));
}

/** Which of the interned `values` pass `test`, as a lookup by id. */
function passing(values: Map<string, number>, test: (value: string) => boolean): Uint8Array {
  const out = new Uint8Array(values.size);
  for (const [value, id] of values) if (test(value)) out[id] = 1;
  return out;
}

type FileTest = (row: number) => boolean;

/** One snapshot of the facets of every file, in file id order. */
export class PhotoFacets {
  private readonly tags = new Map<string, Uint8Array>();
  /** Rows of each image's files: `filesOf[imageStart[id] .. imageStart[id + 1])`. */
  private byImage: { start: Int32Array; rows: Int32Array } | null = null;

  private constructor(
    private readonly db: Db,
    readonly photoId: Int32Array,
    readonly imageId: Int32Array,
    private readonly folderId: Int32Array,
    private readonly directory: Int32Array,
    readonly takenAt: Float64Array,
    private readonly format: Int32Array,
    private readonly camera: Int32Array,
    private readonly located: Uint8Array,
    private readonly names: { directories: Map<string, number>; formats: Map<string, number>; cameras: Map<string, number> },
    private readonly maxImageId: number,
  ) {}

  static read(db: Db): PhotoFacets {
    // Note [Facets streamed]: rows are read one at a time, without the memory map.
    const mapped = db.pragma('mmap_size', { simple: true }) as number;
    db.pragma('mmap_size = 0');
    try {
      return db.transaction(() => PhotoFacets.readRows(db))();
    } finally {
      db.pragma(`mmap_size = ${mapped}`);
    }
  }

  private static readRows(db: Db): PhotoFacets {
    // In one transaction with the rows (see read), so an upper bound: files without an image are left out.
    const capacity = db.prepare('SELECT count(*) FROM files').pluck().get() as number;
    const names = { directories: new Map<string, number>(), formats: new Map<string, number>(), cameras: new Map<string, number>() };
    const photoId = new Int32Array(capacity);
    const imageId = new Int32Array(capacity);
    const folderId = new Int32Array(capacity);
    const directory = new Int32Array(capacity);
    const takenAt = new Float64Array(capacity);
    const format = new Int32Array(capacity);
    const camera = new Int32Array(capacity);
    const located = new Uint8Array(capacity);
    let count = 0;
    let maxImageId = 0;
    const rows = db
      .prepare(
        `SELECT f.id, f.image_id, f.folder_id, f.path, COALESCE(i.taken_at, f.mtime_ms), i.format,
           lower(COALESCE(i.camera_make, '') || ' ' || COALESCE(i.camera_model, '')), i.latitude IS NOT NULL
         FROM files f JOIN images i ON i.id = f.image_id ORDER BY f.id`,
      )
      .raw()
      .iterate() as IterableIterator<[number, number, number, string, number, string, string, number]>;
    for (const [id, image, folder, filePath, date, type, cameraName, hasLocation] of rows) {
      photoId[count] = id;
      imageId[count] = image;
      maxImageId = Math.max(maxImageId, image);
      folderId[count] = folder;
      directory[count] = intern(names.directories, directoryOf(filePath));
      takenAt[count] = date;
      format[count] = intern(names.formats, type);
      camera[count] = intern(names.cameras, cameraName);
      located[count] = hasLocation;
      count++;
    }
    const used = <T extends Int32Array | Float64Array | Uint8Array>(column: T) => (count === capacity ? column : (column.slice(0, count) as T));
    return new PhotoFacets(db, used(photoId), used(imageId), used(folderId), used(directory), used(takenAt), used(format), used(camera), used(located), names, maxImageId);
  }

  get files(): number {
    return this.photoId.length;
  }

  /** Images carrying `tag` (any case) where it is shown: given by the tagger or confirmed, not rejected. */
  private tagged(tag: string): Uint8Array {
    const key = tag.toLowerCase();
    let bits = this.tags.get(key);
    if (!bits) {
      bits = new Uint8Array(this.maxImageId + 1);
      const ids = this.db.prepare('SELECT image_id FROM image_tags INDEXED BY image_tags_shown WHERE lower(tag) = lower(?) AND rejected = 0').pluck().all(tag) as number[];
      for (const id of ids) if (id <= this.maxImageId) bits[id] = 1;
      this.tags.set(key, bits);
    }
    return bits;
  }

  /** The test a file must pass, or null when the filters ask for nothing. */
  fileTest(filters: FacetFilters): FileTest | null {
    const tests: FileTest[] = [];
    const { takenAfter, takenBefore, folderId, hasLocation } = filters;
    if (takenAfter !== undefined) tests.push((row) => (this.takenAt[row] as number) >= takenAfter);
    if (takenBefore !== undefined) tests.push((row) => (this.takenAt[row] as number) <= takenBefore);
    if (folderId !== undefined) tests.push((row) => this.folderId[row] === folderId);
    if (filters.folder) {
      const folder = filters.folder.replace(/[\\/]+$/, '');
      const under = passing(this.names.directories, (dir) => dir === folder || dir.startsWith(`${folder}/`) || dir.startsWith(`${folder}\\`));
      tests.push((row) => under[this.directory[row] as number] === 1);
    }
    if (filters.camera) {
      const text = filters.camera.toLowerCase();
      const cameras = passing(this.names.cameras, (name) => name.includes(text));
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

  /** The images with at least one file that passes `test`. */
  matching(test: FileTest): ImageIdSet {
    const bits = new Uint8Array(this.maxImageId + 1);
    let size = 0;
    for (let row = 0; row < this.photoId.length; row++) {
      const image = this.imageId[row] as number;
      if (bits[image] === 0 && test(row)) {
        bits[image] = 1;
        size++;
      }
    }
    return new ImageBitmap(bits, size);
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
