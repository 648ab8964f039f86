/**
 * A library from before files' ctimes were recorded (Note [Change time] in main/library/walk.ts):
 * opened once, its files get the column, unknown (NULL) for each, which a run fills in as it
 * meets them; opened again, nothing changes.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION, openDatabase } from '../../main/storage/database.js';
import { LibraryStore } from '../../main/storage/library-store.js';
import { tempDir } from '../helpers/fixtures.js';
import { asBefore } from '../helpers/older-schema.js';

describe('a library whose files have no ctime', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => (scratch = await tempDir()));
  afterAll(() => scratch.cleanup());

  it('gets them unknown, then as a walk records them, once', async () => {
    const file = path.join(scratch.dir, 'library.db');
    const made = openDatabase(file);
    made.db.prepare("INSERT INTO folders (id, path, excludes, added_at) VALUES (1, '/p', '[]', 0)").run();
    made.db.prepare("INSERT INTO images (id, content_hash, format, width, height, created_at) VALUES (1, 'a', 'jpeg', 1, 1, 0)").run();
    made.db.prepare("INSERT INTO files (path, folder_id, image_id, size, mtime_ms, indexed_at) VALUES ('/p/a.jpg', 1, 1, 10, 20, 0), ('/p/b.jpg', 1, 1, 10, 20, 0)").run();
    // Made by the version before this migration: without the column it adds, nor what later ones add.
    asBefore(made.db, 'change times');
    made.db.close();
    made.cleanup();

    const { db, cleanup } = openDatabase(file);
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      const store = new LibraryStore(db);
      expect([...(await store.knownFiles(1)).values()].map((known) => known.ctimeMs)).toEqual([null, null]);
      await store.recordChangeTimes([{ path: '/p/a.jpg', ctimeMs: 30 }]);
      // A time recorded stays: a file read again since keeps the one it was read at.
      await store.recordChangeTimes([{ path: '/p/a.jpg', ctimeMs: 40 }]);
      expect(Object.fromEntries([...(await store.knownFiles(1))].map(([filePath, known]) => [filePath, known.ctimeMs]))).toEqual({ '/p/a.jpg': 30, '/p/b.jpg': null });
    } finally {
      db.close();
      cleanup();
    }
    // Opened again: migrated once, what was recorded kept.
    const again = openDatabase(file);
    again.db.close();
    again.cleanup();
    const reread = new Database(file, { readonly: true });
    expect(reread.prepare('SELECT path, ctime_ms FROM files ORDER BY path').raw().all()).toEqual([
      ['/p/a.jpg', 30],
      ['/p/b.jpg', null],
    ]);
    reread.close();
  });
});
