/**
 * Copies of what only the person can make, and putting them back.
 *
 * Note [Backups]: embeddings, thumbnails and metadata are rebuilt from the photos; a person's
 * verdicts (confirmed and rejected tags), their vocabulary and templates, their folders with
 * their exclusions, the albums they saved and the tags they set back to zero-shot are not. After a completed job, at
 * most once a day, the writer copies those into a small database of their own (verdicts keyed by
 * the photo's content hash, which survives a rebuild, where an image id does not; so are album
 * members) with SQLite's
 * online backup, from one read transaction, so the copy is consistent while indexing goes on. A
 * copy is checked (`integrity_check`, and its row counts against the source) before it takes its
 * final name; the last KEEP_BACKUPS are kept. A damaged library is moved aside, whole, to
 * `damaged/`, and a new one is made from what still reads from it and, for the rest, the newest
 * copy that checks out (Note [Salvage first]); its verdicts and album
 * members wait in `restored_verdicts` and `restored_album_images` until their photos are indexed
 * again (triggers in database.ts).
 *
 * Note [Older backups]: each version backs up what it knows of (albums came after the first), so a
 * backup from an earlier version lacks the tables added since. Such a table counts as empty, when
 * a backup is checked and when it is restored: a copy is unsound only when `integrity_check` says
 * it is damaged, or the newest backups after an upgrade would be passed over and a damaged library
 * made again empty.
 *
 * Note [Salvage first]: a backup can be up to a day old, and a damaged file usually still reads
 * where it is not damaged (a few bad pages of embeddings, say). So before a new library is made,
 * each table of the person's own data is read from the damaged file itself, with the same query
 * a backup fills it with, on a read-only connection; it is kept when the tables it reads pass
 * `integrity_check` (those tables and their indexes only) and it reads without error. Only a
 * table that does not is taken from the newest sound backup, and the person is told which came
 * from where: what came from the backup may lack the changes made since it was taken, and what
 * was in neither is lost. A damaged file with no backup keeps all it can that way too.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { temporaryName } from '../core/temporary-files.js';
import { openDatabase, type Db } from './database.js';

export const BACKUP_FOLDER = 'backups';
export const DAMAGED_FOLDER = 'damaged';
export const KEEP_BACKUPS = 5;
export const DAY_MS = 24 * 60 * 60 * 1000;
const NAME = /^library-(\d{8}T\d{9})\.db$/;
const ALIAS = 'lumen_backup';

export interface BackupCounts {
  folders: number;
  verdicts: number;
  vocabularies: number;
  zeroShotTags: number;
  albums: number;
  albumPhotos: number;
}

export interface BackupInfo extends BackupCounts {
  file: string;
  at: number;
}

/** The attached copy of what still read from a damaged library (Note [Salvage first]). */
const SALVAGED = 'lumen_salvaged';

/**
 * What each table of a backup holds, the query that fills it from the library (and the library's
 * tables it reads), and the statement that puts it back into a new library from a backup or a
 * salvaged copy attached as `from` (in this order: album members are put back by album name).
 */
const TABLES: Record<keyof BackupCounts | 'meta', { columns: string; fill: string; reads: string[]; restore: (from: string) => string }> = {
  folders: {
    columns: 'id INTEGER PRIMARY KEY, path TEXT NOT NULL, excludes TEXT NOT NULL, added_at INTEGER NOT NULL',
    fill: 'SELECT id, path, excludes, added_at FROM main.folders',
    reads: ['folders'],
    restore: (from) => `INSERT INTO folders (id, path, excludes, added_at) SELECT id, path, excludes, added_at FROM ${from}.folders`,
  },
  verdicts: {
    columns: 'content_hash TEXT NOT NULL, tag TEXT NOT NULL, rejected INTEGER NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (content_hash, tag)',
    fill: `SELECT i.content_hash, t.tag, t.rejected, t.updated_at FROM main.image_tags t JOIN main.images i ON i.id = t.image_id WHERE t.source = 'person'
      UNION SELECT content_hash, tag, rejected, updated_at FROM main.restored_verdicts`,
    reads: ['image_tags', 'images', 'restored_verdicts'],
    restore: (from) => `INSERT INTO restored_verdicts (content_hash, tag, rejected, updated_at) SELECT content_hash, tag, rejected, updated_at FROM ${from}.verdicts`,
  },
  vocabularies: {
    columns: 'json TEXT NOT NULL, updated_at INTEGER NOT NULL',
    fill: 'SELECT json, updated_at FROM main.tag_vocabulary',
    reads: ['tag_vocabulary'],
    restore: (from) => `INSERT INTO tag_vocabulary (id, json, updated_at) SELECT 1, json, updated_at FROM ${from}.vocabularies LIMIT 1`,
  },
  zeroShotTags: {
    columns: 'tag TEXT PRIMARY KEY, updated_at INTEGER NOT NULL',
    fill: 'SELECT tag, updated_at FROM main.tag_refinement_off',
    reads: ['tag_refinement_off'],
    restore: (from) => `INSERT INTO tag_refinement_off (tag, updated_at) SELECT tag, updated_at FROM ${from}.zeroShotTags`,
  },
  albums: {
    columns: 'name TEXT PRIMARY KEY, created_at INTEGER NOT NULL',
    fill: 'SELECT name, created_at FROM main.albums',
    reads: ['albums'],
    restore: (from) => `INSERT INTO albums (name, created_at) SELECT name, created_at FROM ${from}.albums`,
  },
  albumPhotos: {
    columns: 'album TEXT NOT NULL, content_hash TEXT NOT NULL, PRIMARY KEY (album, content_hash)',
    fill: `SELECT a.name, i.content_hash FROM main.album_images m JOIN main.albums a ON a.id = m.album_id JOIN main.images i ON i.id = m.image_id
      UNION SELECT a.name, r.content_hash FROM main.restored_album_images r JOIN main.albums a ON a.id = r.album_id`,
    reads: ['album_images', 'albums', 'images', 'restored_album_images'],
    restore: (from) => `INSERT INTO restored_album_images (album_id, content_hash) SELECT a.id, p.content_hash FROM ${from}.albumPhotos p JOIN main.albums a ON a.name = p.album`,
  },
  meta: {
    columns: 'key TEXT PRIMARY KEY, value TEXT NOT NULL',
    fill: 'SELECT key, value FROM main.meta',
    reads: ['meta'],
    restore: (from) => `INSERT INTO meta (key, value) SELECT key, value FROM ${from}.meta`,
  },
};
const COUNTED = ['folders', 'verdicts', 'vocabularies', 'zeroShotTags', 'albums', 'albumPhotos'] as const;

function stamp(at: number): string {
  return new Date(at).toISOString().replace(/[-:.Z]/g, '');
}

function timeOf(name: string): number | null {
  const digits = NAME.exec(name)?.[1];
  if (!digits) return null;
  const [, y, mo, d, h, mi, s, ms] = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})$/.exec(digits) ?? [];
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(ms));
}

/** Whether `dir` holds a backup: the library beside it existed, and held the person's work. */
export function hasBackups(dir: string): boolean {
  return listBackups(dir).length > 0;
}

/** The backups in `dir`, newest first (by the time in their names). */
function listBackups(dir: string): Array<{ file: string; at: number }> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .flatMap((name) => {
      const at = timeOf(name);
      return at === null ? [] : [{ file: path.join(dir, name), at }];
    })
    .sort((a, b) => b.at - a.at);
}

/** The tables of the database attached as `schema` ('main' for its own). */
function tablesOf(db: Db, schema: string): Set<string> {
  return new Set(db.prepare(`SELECT name FROM ${schema}.sqlite_master WHERE type = 'table'`).pluck().all() as string[]);
}

/** A backup's counts when it is sound, else null (Note [Backups]); a table it lacks counts as empty (Note [Older backups]). */
function verify(file: string, nativeBinding?: string): BackupCounts | null {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true, nativeBinding });
    try {
      if (db.pragma('integrity_check', { simple: true }) !== 'ok') return null;
      const tables = tablesOf(db, 'main');
      const count = (table: string) => (tables.has(table) ? (db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number) : 0);
      return Object.fromEntries(COUNTED.map((table) => [table, count(table)])) as unknown as BackupCounts;
    } finally {
      db.close();
    }
  } catch {
    return null;
  }
}

export class Backups {
  private running: Promise<BackupInfo> | null = null;

  constructor(
    private readonly db: Db,
    readonly dir: string,
    private readonly nativeBinding?: string,
  ) {}

  newest(): { file: string; at: number } | null {
    return listBackups(this.dir)[0] ?? null;
  }

  /** A new backup when the newest is older than `maxAgeMs` (or there is none); else null. */
  async createIfDue(maxAgeMs = DAY_MS, now = Date.now()): Promise<BackupInfo | null> {
    const newest = this.newest();
    if (newest && now - newest.at < maxAgeMs) return null;
    return this.create(now);
  }

  /** Copies the person's own data, checks the copy, and keeps the newest KEEP_BACKUPS. */
  create(now = Date.now()): Promise<BackupInfo> {
    this.running ??= this.write(now).finally(() => (this.running = null));
    return this.running;
  }

  private async write(now: number): Promise<BackupInfo> {
    mkdirSync(this.dir, { recursive: true });
    const file = path.join(this.dir, `library-${stamp(now)}.db`);
    const temp = temporaryName(file);
    this.db.exec(`ATTACH ':memory:' AS ${ALIAS}`);
    try {
      const expected = this.db.transaction(() => {
        for (const [table, { columns, fill }] of Object.entries(TABLES)) {
          this.db.exec(`CREATE TABLE ${ALIAS}.${table} (${columns}); INSERT INTO ${ALIAS}.${table} ${fill}`);
        }
        return Object.fromEntries(COUNTED.map((table) => [table, this.db.prepare(`SELECT COUNT(*) FROM ${ALIAS}.${table}`).pluck().get() as number])) as unknown as BackupCounts;
      })();
      // The typings lack better-sqlite3's `attached` option (and make `progress` required).
      await this.db.backup(temp, { attached: ALIAS } as unknown as Database.BackupOptions);
      const written = verify(temp, this.nativeBinding);
      if (!written || COUNTED.some((table) => written[table] !== expected[table])) throw new Error(`the copy ${temp} did not read back as written`);
      renameSync(temp, file);
      for (const old of listBackups(this.dir).slice(KEEP_BACKUPS)) rmSync(old.file, { force: true });
      return { file, at: now, ...expected };
    } finally {
      rmSync(temp, { force: true });
      this.db.exec(`DETACH ${ALIAS}`);
    }
  }
}

export type KeptFrom = 'damaged file' | 'backup';

export interface RestoreReport {
  /** Where the damaged database was moved. */
  damagedFile: string;
  /** The newest backup that checked out, or null when there was none. */
  backup: BackupInfo | null;
  /**
   * Each kind of the person's data in the new library: where it came from (null: it could not
   * be read and no backup had it) and how many rows (Note [Salvage first]).
   */
  kept: Record<keyof BackupCounts, { from: KeptFrom | null; count: number }>;
}

/**
 * Moves the damaged database at `file` aside and makes a new one with the person's own data:
 * each table that still reads from the damaged file, the rest from the newest sound backup in
 * `backupDir` (Notes [Salvage first], [Backups]).
 */
export function restoreDamaged(file: string, backupDir: string, nativeBinding?: string): RestoreReport {
  let backup: BackupInfo | null = null;
  for (const candidate of listBackups(backupDir)) {
    const counts = verify(candidate.file, nativeBinding);
    if (counts) {
      backup = { ...candidate, ...counts };
      break;
    }
  }
  const damagedDir = path.join(path.dirname(file), DAMAGED_FOLDER);
  mkdirSync(damagedDir, { recursive: true });
  const damagedFile = path.join(damagedDir, `${path.basename(file, '.db')}-${stamp(Date.now())}.db`);
  renameSync(file, damagedFile);
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(`${file}${suffix}`)) renameSync(`${file}${suffix}`, `${damagedFile}${suffix}`);
  }
  const salvaged = salvage(damagedFile, nativeBinding);
  const { db } = openDatabase(file, { nativeBinding });
  try {
    const from = fill(db, salvaged, backup?.file ?? null);
    const kept = Object.fromEntries(
      COUNTED.map((table) => [table, { from: from[table], count: from[table] === 'damaged file' ? (salvaged.get(table)?.length ?? 0) : from[table] === 'backup' ? (backup?.[table] ?? 0) : 0 }]),
    ) as RestoreReport['kept'];
    return { damagedFile, backup, kept };
  } finally {
    db.close();
  }
}

/**
 * The rows of each backup table that still read cleanly from the damaged library `file`, read-only
 * (Note [Salvage first]); a table missing here could not be read.
 */
function salvage(file: string, nativeBinding?: string): Map<string, unknown[][]> {
  const salvaged = new Map<string, unknown[][]>();
  let db: Db;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, nativeBinding });
  } catch {
    return salvaged;
  }
  try {
    const tables = tablesOf(db, 'main');
    const checked = new Map<string, boolean>();
    const sound = (table: string) => {
      if (!checked.has(table)) checked.set(table, tables.has(table) && db.pragma(`integrity_check(${table})`, { simple: true }) === 'ok');
      return checked.get(table) === true;
    };
    db.transaction(() => {
      for (const [table, { fill, reads }] of Object.entries(TABLES)) {
        try {
          if (reads.every(sound)) salvaged.set(table, db.prepare(fill).raw().all() as unknown[][]);
        } catch {
          // Damaged where this table is read: it comes from the backup.
        }
      }
    })();
  } catch {
    // Not even the schema reads: everything comes from the backup.
  } finally {
    db.close();
  }
  return salvaged;
}

/**
 * Puts the person's data back into the new library `db`: each table salvaged from the damaged
 * file, else the backup's (one it lacks stays empty: Note [Older backups]). Returns where each came from.
 */
function fill(db: Db, salvaged: Map<string, unknown[][]>, backupFile: string | null): Record<string, KeptFrom | null> {
  const from: Record<string, KeptFrom | null> = {};
  db.exec(`ATTACH ':memory:' AS ${SALVAGED}`);
  if (backupFile) db.prepare(`ATTACH ? AS ${ALIAS}`).run(backupFile);
  try {
    const backedUp = backupFile ? tablesOf(db, ALIAS) : new Set<string>();
    db.transaction(() => {
      for (const [table, { columns, restore }] of Object.entries(TABLES)) {
        const rows = salvaged.get(table);
        if (rows) {
          db.exec(`CREATE TABLE ${SALVAGED}.${table} (${columns})`);
          const columnCount = db.prepare(`SELECT * FROM ${SALVAGED}.${table}`).columns().length;
          const insert = db.prepare(`INSERT INTO ${SALVAGED}.${table} VALUES (${Array.from({ length: columnCount }, () => '?').join(', ')})`);
          for (const row of rows) insert.run(row);
          db.exec(restore(SALVAGED));
          from[table] = 'damaged file';
        } else if (backedUp.has(table)) {
          db.exec(restore(ALIAS));
          from[table] = 'backup';
        } else {
          from[table] = backupFile ? 'backup' : null;
        }
      }
    })();
  } finally {
    db.exec(`DETACH ${SALVAGED}`);
    if (backupFile) db.exec(`DETACH ${ALIAS}`);
  }
  return from;
}
