/**
 * Note [Older backups]: a backup written by an earlier version lacks the tables added since; it is
 * still sound, and restores what it holds, the tables it lacks left empty.
 */
import Database from 'better-sqlite3';
import { mkdirSync, openSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKUP_FOLDER } from '../../main/storage/backups.js';
import { DATABASE_FILE, Storage } from '../../main/storage/storage.js';
import { tempDir } from '../helpers/fixtures.js';
import { queryLibrary } from '../helpers/library.js';

/** The tables of a backup before albums were backed up (commit 7cda30c), with a person's work in them. */
const BEFORE_ALBUMS = `
  CREATE TABLE folders (id INTEGER PRIMARY KEY, path TEXT NOT NULL, excludes TEXT NOT NULL, added_at INTEGER NOT NULL);
  CREATE TABLE verdicts (content_hash TEXT NOT NULL, tag TEXT NOT NULL, rejected INTEGER NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (content_hash, tag));
  CREATE TABLE vocabularies (json TEXT NOT NULL, updated_at INTEGER NOT NULL);
  CREATE TABLE zeroShotTags (tag TEXT PRIMARY KEY, updated_at INTEGER NOT NULL);
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  INSERT INTO folders VALUES (1, '/home/me/Pictures', '["**/Screenshots/**"]', 1);
  INSERT INTO verdicts VALUES ('abc', 'dog', 0, 1), ('def', 'cat', 1, 1);
  INSERT INTO vocabularies VALUES ('{"templates":[],"tags":[]}', 1);
  INSERT INTO zeroShotTags VALUES ('dog', 1);
`;

describe('a backup from an earlier version', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let backups: string;

  beforeEach(async () => {
    scratch = await tempDir();
    backups = path.join(scratch.dir, BACKUP_FOLDER);
    mkdirSync(backups);
    // The library is damaged beyond opening.
    writeFileSync(path.join(scratch.dir, DATABASE_FILE), 'not a database at all');
  });
  afterEach(() => scratch.cleanup());

  it('restores its folders and verdicts into a new library, passing over a newer backup that is damaged', () => {
    const old = new Database(path.join(backups, 'library-20250101T120000000.db'));
    old.exec(BEFORE_ALBUMS);
    old.close();
    writeFileSync(path.join(backups, 'library-20250102T120000000.db'), 'a backup the disk damaged');

    const report = Storage.restore(scratch.dir);

    expect(report.backup).toMatchObject({ file: path.join(backups, 'library-20250101T120000000.db'), folders: 1, verdicts: 2, vocabularies: 1, zeroShotTags: 1, albums: 0, albumPhotos: 0 });
    const storage = Storage.open(scratch.dir, { check: true });
    try {
      expect(storage.library.folders()).toEqual([{ id: 1, path: '/home/me/Pictures', excludes: ['**/Screenshots/**'] }]);
    } finally {
      storage.close();
    }
    expect(queryLibrary(scratch.dir, "SELECT content_hash || ' ' || tag || ' ' || rejected FROM restored_verdicts ORDER BY tag")).toEqual(['def cat 1', 'abc dog 0']);
    expect(queryLibrary(scratch.dir, 'SELECT tag FROM tag_refinement_off')).toEqual(['dog']);
    expect(queryLibrary(scratch.dir, 'SELECT COUNT(*) FROM albums')).toEqual([0]);
  });
});

describe('a damaged library with no backup', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  beforeEach(async () => {
    scratch = await tempDir();
  });
  afterEach(() => scratch.cleanup());

  // Note [Salvage first]: what still reads from the damaged file is kept; what does not is lost, and said so.
  it('keeps each table that still reads from it, and reports the rest as lost', () => {
    const storage = Storage.open(scratch.dir);
    storage.library.addFolder('/home/me/Pictures', ['**/Screenshots/**']);
    storage.close();
    const file = path.join(scratch.dir, DATABASE_FILE);
    const db = new Database(file);
    db.prepare('INSERT INTO tag_vocabulary (id, json, updated_at) VALUES (1, ?, 1)').run('{"templates":[],"tags":[]}');
    db.close();
    const reader = new Database(file, { readonly: true });
    const [page] = reader.prepare("SELECT pageno FROM dbstat WHERE name = 'tag_vocabulary'").pluck().all() as number[];
    const pageSize = reader.pragma('page_size', { simple: true }) as number;
    reader.close();
    const handle = openSync(file, 'r+');
    writeSync(handle, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (page! - 1) * pageSize);
    closeSync(handle);

    const report = Storage.restore(scratch.dir);

    expect(report.backup).toBeNull();
    expect(report.kept).toMatchObject({ folders: { from: 'damaged file', count: 1 }, verdicts: { from: 'damaged file', count: 0 }, vocabularies: { from: null, count: 0 } });
    expect(queryLibrary(scratch.dir, "SELECT path || ' ' || excludes FROM folders")).toEqual(['/home/me/Pictures ["**/Screenshots/**"]']);
    expect(queryLibrary(scratch.dir, 'SELECT COUNT(*) FROM tag_vocabulary')).toEqual([0]);
  });
});
