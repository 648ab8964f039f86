/**
 * The library database: SQLite through better-sqlite3, the source of truth for folders, photos,
 * metadata, thumbnails' locations, embeddings per model and per-file failures.
 *
 * Note [Crash safety]: WAL mode with `synchronous = NORMAL` keeps every committed transaction
 * across a process crash (the WAL is fsync'd at checkpoints; only a power cut can lose the last
 * few commits, never corrupt the file). Writers batch many rows per transaction, so a kill at any
 * instant leaves whole batches or nothing.
 *
 * Note [Migrations]: `PRAGMA user_version` is the schema version; each migration runs in its own
 * transaction (a new library's all in one: Note [A library made whole]), in order, so a database
 * from any earlier version opens and one from a newer version is refused with a clear message
 * instead of being damaged. Only a writer migrates (Note [One writer] in writer-lock.ts); a
 * reader of an older library is told how to upgrade it.
 *
 * Note [A library made whole]: a new library's schema is made in one transaction, all of it or
 * none. Made migration by migration, a disk that filled during a first run left a file at some
 * version in between, which readers took for a library from an earlier version ("needs a quick
 * upgrade"), with advice that led only to more refusals. A file with no schema, or one below
 * this version that never stored a folder or a photo (left so by a version before this one), is
 * called what it is: a library never finished, which the next `lumen index FOLDER` makes.
 *
 * Note [Mapped reads]: an embedding is a 2 KB row, longer than SQLite keeps on a page, so read
 * through its page cache each one costs two or three read calls: 9-10 ms for the 200 candidates
 * a search re-ranks (Note [Re-ranking] in vector-index.ts), 2 ms when the file is memory-mapped
 * (20k photos, measured with better-sqlite3 here). The map is capped at MAPPED_BYTES, the
 * database of about 200k photos; beyond it SQLite reads as before. Only the pages read count
 * toward the process's memory, and they are clean pages of a file, which the system takes back
 * when it needs them.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { UserError, heldOpenError, messageOf } from '../core/errors.js';
import { isOutOfSpace } from '../core/paths.js';
import { closedCleanly, pagesChecked, writerOpened } from './clean-close.js';
import { DATES_TO_THE_CLOCK, defineMigrationFunctions } from './clock-dates.js';
import { DamagedDatabase, isDamage } from './damage.js';

export type Db = Database.Database;

/**
 * Text read in photos (main/ocr). Derived data, so `IF NOT EXISTS`: the OCR store runs this again
 * when the tables were dropped, and a re-run of OCR fills them (see Note [Derived text] in
 * ocr-store.ts). The full-text table's rowid is the image id; its text is prepared for the
 * tokenizer (see Note [Text tokenizer] in ocr-store.ts).
 */
export const OCR_SCHEMA = `
  CREATE TABLE IF NOT EXISTS ocr_images (
    image_id INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('read', 'skipped', 'failed')),
    version TEXT NOT NULL,
    -- The gate that decided (NULL when a person asked for this photo, bypassing it) and its score.
    gate TEXT,
    gate_score REAL,
    error TEXT,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS ocr_lines (
    image_id INTEGER NOT NULL REFERENCES ocr_images(image_id) ON DELETE CASCADE,
    line INTEGER NOT NULL,
    text TEXT NOT NULL,
    confidence REAL NOT NULL,
    x REAL NOT NULL,
    y REAL NOT NULL,
    w REAL NOT NULL,
    h REAL NOT NULL,
    PRIMARY KEY (image_id, line)
  ) WITHOUT ROWID;
  CREATE VIRTUAL TABLE IF NOT EXISTS ocr_fts USING fts5(text, tokenize = 'trigram remove_diacritics 1');
  CREATE TRIGGER IF NOT EXISTS ocr_images_delete AFTER DELETE ON ocr_images BEGIN
    DELETE FROM ocr_fts WHERE rowid = old.image_id;
  END;
`;

const MIGRATIONS: string[] = [
  `
  CREATE TABLE folders (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    excludes TEXT NOT NULL DEFAULT '[]',
    added_at INTEGER NOT NULL
  );
  -- One row per distinct content (by content hash): moved, renamed and duplicate files share it.
  -- AUTOINCREMENT: an id is never reused, so a stale vector index can never attach an old
  -- vector to a new photo.
  CREATE TABLE images (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    content_hash TEXT NOT NULL UNIQUE,
    format TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    taken_at INTEGER,
    camera_make TEXT,
    camera_model TEXT,
    lens TEXT,
    latitude REAL,
    longitude REAL,
    orientation INTEGER,
    thumbnail TEXT,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX images_taken_at ON images(taken_at);
  -- One row per file on disk; its id is the photo id people and the UI use.
  CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
    image_id INTEGER NOT NULL REFERENCES images(id),
    size INTEGER NOT NULL,
    mtime_ms INTEGER NOT NULL,
    indexed_at INTEGER NOT NULL
  );
  CREATE INDEX files_image ON files(image_id);
  CREATE INDEX files_folder ON files(folder_id);
  CREATE TABLE embeddings (
    model TEXT NOT NULL,
    image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    vector BLOB NOT NULL,
    PRIMARY KEY (model, image_id)
  ) WITHOUT ROWID;
  -- Files that could not be indexed; retried only when their size or mtime changes.
  CREATE TABLE failures (
    path TEXT PRIMARY KEY,
    folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
    size INTEGER NOT NULL,
    mtime_ms INTEGER NOT NULL,
    reason TEXT NOT NULL,
    message TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  -- Bumped in the same transaction as every change to a model's embeddings; the vector index
  -- file records the generation it was saved at, so a stale index is detected on load.
  CREATE TABLE index_generations (
    model TEXT PRIMARY KEY,
    generation INTEGER NOT NULL
  );
  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  `
  -- Tagging (main/tags). The person's vocabulary in the file format; absent until they change it.
  CREATE TABLE tag_vocabulary (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    json TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  -- Ensembled text embedding of a tag per model, keyed by a hash of its prompts and templates.
  CREATE TABLE tag_embeddings (
    model TEXT NOT NULL,
    key TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model, key)
  ) WITHOUT ROWID;
  -- Tags of each image (content, so moved and duplicate files keep them). 'auto' rows belong to
  -- the tagger and are replaced on every run; 'person' rows (confirmed, or rejected = 1) never are.
  CREATE TABLE image_tags (
    image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('auto', 'person')),
    rejected INTEGER NOT NULL DEFAULT 0 CHECK (rejected = 0 OR source = 'person'),
    score REAL,
    cosine REAL,
    model TEXT,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (image_id, tag)
  ) WITHOUT ROWID;
  CREATE INDEX image_tags_tag ON image_tags(tag);
  -- How far the last tagging run per model got (images are tagged in id order) and with which
  -- vocabulary, so new photos are tagged incrementally and a cancelled run resumes.
  CREATE TABLE tag_state (
    model TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    done_through INTEGER NOT NULL
  );
  `,
  // Embedding rows carry their vector inline, so probing or counting them through the table reads
  // every vector; this key-only index answers "which images have an embedding" without that.
  `
  CREATE INDEX embeddings_keys ON embeddings(model, image_id);
  `,
  OCR_SCHEMA,
  `
  -- Near-duplicates (main/duplicates). Each model's calibration (Note [Duplicate threshold]).
  CREATE TABLE duplicate_calibrations (
    model TEXT PRIMARY KEY,
    edit REAL NOT NULL,
    scene REAL NOT NULL,
    photos INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  -- Sharpness of an image's content (Note [Which copy to keep]), measured once when first needed.
  CREATE TABLE image_sharpness (
    image_id INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
    sharpness REAL NOT NULL
  );
  -- Tags refined from a person's verdicts (main/tags/refinements.ts), per model and tag. vector is
  -- null when cross-validation showed no gain and the zero-shot embedding stays; fingerprint says
  -- what it was fitted on (verdicts, prompts, the other tags), so a change refits it.
  CREATE TABLE tag_refinements (
    model TEXT NOT NULL,
    tag TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    vector BLOB,
    report TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (model, tag)
  ) WITHOUT ROWID;
  -- Tags the person set back to zero-shot, whatever the model: their refinements are not used.
  CREATE TABLE tag_refinement_off (
    tag TEXT PRIMARY KEY,
    updated_at INTEGER NOT NULL
  );
  `,
  `
  -- Albums a person saved from a selection (main/storage/album-store.ts); members by image.
  CREATE TABLE albums (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE album_images (
    album_id INTEGER NOT NULL REFERENCES albums(id) ON DELETE CASCADE,
    image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    PRIMARY KEY (album_id, image_id)
  ) WITHOUT ROWID;
  `,
  `
  -- A person's verdicts restored from a backup (Note [Backups] in backups.ts), by content, until
  -- their photo is indexed again: the trigger gives them back as the image is stored.
  CREATE TABLE restored_verdicts (
    content_hash TEXT NOT NULL,
    tag TEXT NOT NULL,
    rejected INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (content_hash, tag)
  ) WITHOUT ROWID;
  CREATE TRIGGER restored_verdicts_return AFTER INSERT ON images BEGIN
    INSERT OR REPLACE INTO image_tags (image_id, tag, source, rejected, score, cosine, model, updated_at)
      SELECT new.id, tag, 'person', rejected, NULL, NULL, NULL, updated_at FROM restored_verdicts WHERE content_hash = new.content_hash;
    DELETE FROM restored_verdicts WHERE content_hash = new.content_hash;
  END;
  `,
  // The images showing a tag, by its name in any case: the search filter by tag reads them
  // (Note [Filter facets] in photo-facets.ts). SQLite's lower() folds ASCII letters only.
  `
  CREATE INDEX image_tags_shown ON image_tags(lower(tag), image_id) WHERE rejected = 0;
  `,
  `
  -- The photos of albums restored from a backup (Note [Backups] in backups.ts), by content, until
  -- they are indexed again: the trigger puts each back in its album as its image is stored.
  CREATE TABLE restored_album_images (
    album_id INTEGER NOT NULL REFERENCES albums(id) ON DELETE CASCADE,
    content_hash TEXT NOT NULL,
    PRIMARY KEY (album_id, content_hash)
  ) WITHOUT ROWID;
  CREATE INDEX restored_album_images_hash ON restored_album_images(content_hash);
  CREATE TRIGGER restored_album_images_return AFTER INSERT ON images BEGIN
    INSERT OR IGNORE INTO album_images (album_id, image_id)
      SELECT album_id, new.id FROM restored_album_images WHERE content_hash = new.content_hash;
    DELETE FROM restored_album_images WHERE content_hash = new.content_hash;
  END;
  `,
  // Deleting a row cascades to the rows that refer to it, found by the referring column alone; a
  // table with no index that starts with it is read whole for each deleted row: the embeddings,
  // every vector, about 0.9 s per deleted photo at 100k photos, on the engine's event loop.
  `
  CREATE INDEX embeddings_image ON embeddings(image_id);
  CREATE INDEX album_images_image ON album_images(image_id);
  CREATE INDEX failures_folder ON failures(folder_id);
  `,
  // How many photos had an embedding of the model when its calibration was made: one learnt from
  // fewer photos than it wanted is made again only once that changes (Note [Duplicate threshold]).
  `
  ALTER TABLE duplicate_calibrations ADD COLUMN embedded INTEGER;
  `,
  // Note [Album ids never reused] in album-store.ts.
  `
  CREATE TRIGGER albums_deleted_keep_id AFTER DELETE ON albums BEGIN
    INSERT INTO meta (key, value) VALUES ('albums_deleted_up_to', old.id)
      ON CONFLICT (key) DO UPDATE SET value = MAX(CAST(value AS INTEGER), old.id);
  END;
  `,
  // The SHA-256 of the whole file an image was indexed from; NULL for images indexed before it
  // was recorded (Note [Same start, other content] in main/library/identity.ts).
  `
  ALTER TABLE images ADD COLUMN whole_hash TEXT;
  `,
  // Note [Old dates moved to the clock] in clock-dates.ts.
  DATES_TO_THE_CLOCK,
  // When each file last changed in any way (its ctime); NULL for files indexed before it was
  // recorded, which a run records as it first meets them, and for failures recorded before, which
  // last by their size and mtime alone (Note [Change time] in main/library/walk.ts).
  `
  ALTER TABLE files ADD COLUMN ctime_ms INTEGER;
  ALTER TABLE failures ADD COLUMN ctime_ms INTEGER;
  `,
  // Each album's name's key, which the engine gives (Note [Album name keys] in album-store.ts):
  // empty here, as SQL cannot make it, so twins an earlier version let in never stop the upgrade.
  `
  ALTER TABLE albums ADD COLUMN name_key TEXT;
  CREATE UNIQUE INDEX albums_name_key ON albums(name_key);
  `,
  // The contents whose verdicts and album places wait in restored_verdicts and
  // restored_album_images because their photo left the library: from which path, and when (Note
  // [Work kept for photos that return] in kept-work.ts). None for what a backup restored.
  `
  CREATE TABLE kept_work (
    content_hash TEXT PRIMARY KEY,
    kept_from TEXT NOT NULL,
    kept_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  -- Back, it got what was kept (restored_verdicts_return, restored_album_images_return): nothing waits.
  CREATE TRIGGER kept_work_returned AFTER INSERT ON images BEGIN
    DELETE FROM kept_work WHERE content_hash = new.content_hash;
  END;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export interface OpenOptions {
  /** Path of a better-sqlite3 addon built for this runtime (Electron's ABI in the app). */
  nativeBinding?: string | undefined;
  /** A reader's connection: it never writes or migrates (Note [Read-only media] in read-only.ts). */
  readonly?: boolean;
  /**
   * Checks every page before use (a writer, before it trusts the file with more; Note [Damage] in
   * damage.ts), unless its last writer closed it cleanly (Note [Clean close] in clean-close.ts).
   */
  check?: boolean;
}

export interface OpenedDatabase {
  db: Db;
  /** Removes what opening it made (a reader's copy on read-only media). */
  cleanup: () => void;
}

/** A writer's connection: made, migrated and (with `check`) checked; see read-only.ts for readers. */
export function openDatabase(file: string, options: Omit<OpenOptions, 'readonly'> = {}): OpenedDatabase {
  mkdirSync(path.dirname(file), { recursive: true });
  const trusted = options.check === true && closedCleanly(file);
  const writerClosed = writerOpened(file);
  let db: Db;
  try {
    db = new Database(file, { nativeBinding: options.nativeBinding });
    db.pragma('journal_mode = WAL');
  } catch (error) {
    writerClosed(false);
    if (isDamage(error)) throw new DamagedDatabase(file, error);
    if (isOutOfSpace(path.dirname(file))) throw new UserError('disk-full', `Cannot open the library database ${file}: the disk holding it is full. Free some space and try again; everything stored is kept.`, { cause: error });
    throw heldOpenError(error, file) ?? cannotOpen(file, error);
  }
  configure(db);
  try {
    // A library its last writer closed cleanly is not read through again (Note [Clean close]).
    if (options.check && !trusted) {
      checkPages(db, file);
      pagesChecked(file);
    }
    migrate(db, file);
  } catch (error) {
    db.close();
    writerClosed(false);
    throw isDamage(error) && !(error instanceof DamagedDatabase) ? new DamagedDatabase(file, error) : (heldOpenError(error, file) ?? error);
  }
  return {
    db,
    cleanup: () => writerClosed(!db.open),
  };
}

/** A library database that would not open, for a reason no other message names. */
export function cannotOpen(file: string, error: unknown): UserError {
  return new UserError('storage', `Cannot open the library database ${file}: ${messageOf(error)}.`, { cause: error });
}

/** Note [Mapped reads]. */
const MAPPED_BYTES = 1024 ** 3;

export function configure(db: Db): void {
  db.pragma(`mmap_size = ${MAPPED_BYTES}`);
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // How long a write waits for another program's (Note [Held open by another program] in core/errors.ts).
  db.pragma('busy_timeout = 5000');
}

/**
 * `read` in one transaction with SQLite's memory map switched off: a scan of every row read
 * through the map leaves the pages it read in the process's resident memory (Note [Facets
 * streamed] in photo-facets.ts).
 */
export function scanUnmapped<T>(db: Db, read: () => T): T {
  const mapped = db.pragma('mmap_size', { simple: true }) as number;
  db.pragma('mmap_size = 0');
  try {
    return db.transaction(read)();
  } finally {
    db.pragma(`mmap_size = ${mapped}`);
  }
}

/**
 * Reads every page of the library (`PRAGMA quick_check`), throwing DamagedDatabase when one is
 * bad (the check lists them, or, for some, fails itself). SQLite's page-by-page account stays
 * with the error's cause: a person is told "damaged pages".
 */
export function checkPages(db: Db, file: string): void {
  let problems: string[];
  try {
    problems = (db.pragma('quick_check(5)') as Array<{ quick_check: string }>).map((row) => row.quick_check).filter((row) => row !== 'ok');
  } catch (error) {
    if (isDamage(error)) throw new DamagedDatabase(file, error, 'damaged pages');
    throw error;
  }
  if (problems.length) throw new DamagedDatabase(file, new Error(problems.join('; ')), 'damaged pages');
}

/** Refuses a schema this version cannot read as it is (newer, or older: only a writer migrates). */
export function checkVersion(db: Db, file: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new UserError('bad-input', `The library at ${file} was written by a newer version of Lumen (schema ${version}); update the app to open it.`);
  }
  if (version < SCHEMA_VERSION && neverFinished(db)) {
    throw new UserError(
      'storage',
      `The library at ${file} was never finished: its first run stopped before it was made (a full disk, or the run was stopped). Run \`lumen index FOLDER\` again (with --model, if you gave one), or add the folder in the Lumen app.`,
    );
  }
  if (version < SCHEMA_VERSION) {
    throw new UserError('storage', `The library at ${file} was made by an earlier version of Lumen and needs a quick upgrade: open the Lumen app or run \`lumen index\` once, then try again.`);
  }
}

/** A library below this version that holds no schema, or no folder and no photo (Note [A library made whole]). */
function neverFinished(db: Db): boolean {
  const tables = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
  const empty = (table: string) => !tables.has(table) || db.prepare(`SELECT NOT EXISTS (SELECT 1 FROM ${table})`).pluck().get() === 1;
  return empty('folders') && empty('images');
}

function migrate(db: Db, file: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) checkVersion(db, file);
  defineMigrationFunctions(db);
  const step = (next: number) => {
    db.exec(MIGRATIONS[next] as string);
    db.pragma(`user_version = ${next + 1}`);
  };
  const pending = Array.from({ length: Math.max(0, SCHEMA_VERSION - version) }, (_, i) => version + i);
  // A new library all at once (Note [A library made whole]); an older one a migration at a time.
  if (version === 0) db.transaction(() => pending.forEach(step))();
  else for (const next of pending) db.transaction(() => step(next))();
}

export function vectorToBlob(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}

export function blobToVector(blob: Buffer): Float32Array {
  // Copy: the Buffer may be a view on memory better-sqlite3 reuses, and may be unaligned.
  const vector = new Float32Array(blob.byteLength / 4);
  new Uint8Array(vector.buffer).set(blob);
  return vector;
}
