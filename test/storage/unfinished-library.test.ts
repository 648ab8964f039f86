/**
 * Note [A library made whole]: a disk that fills while a new library's schema is made leaves no
 * half-made library that readers take for one from an earlier version; they say it was never
 * finished, and the next `lumen index FOLDER` makes it.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cli } from '../helpers/cli-main.js';
import { SCHEMA_VERSION } from '../../main/storage/database.js';
import { Storage } from '../../main/storage/storage.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos, queryLibrary } from '../helpers/library.js';

describe('a new library whose first run met a full disk', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let dataDir: string;

  beforeEach(async () => {
    scratch = await tempDir();
    dataDir = path.join(scratch.dir, 'data');
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await scratch.cleanup();
  });

  it('is made all at once or not at all; readers say it was never finished, and the next index run makes it', async () => {
    // The disk fills as the albums' tables are made, half-way through the schema.
    const exec = Database.prototype.exec;
    vi.spyOn(Database.prototype, 'exec').mockImplementation(function (this: Database.Database, sql: string) {
      if (sql.includes('CREATE TABLE albums')) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      return exec.call(this, sql);
    });
    expect(() => Storage.open(dataDir)).toThrow(expect.objectContaining({ code: 'SQLITE_FULL' }));
    vi.restoreAllMocks();
    expect(queryLibrary(dataDir, 'PRAGMA user_version')).toEqual([0]);
    expect(queryLibrary(dataDir, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'")).toEqual([0]);

    for (const command of ['status', 'folders']) {
      const read = await cli(command, '--data', dataDir);
      expect({ command, code: read.code }).toEqual({ command, code: 1 });
      expect(read.stderr).toBe(
        `lumen ${command}: The library at ${path.join(dataDir, 'library.db')} was never finished: its first run stopped before it was made (a full disk, or the run was stopped). Run \`lumen index FOLDER\` again (with --model, if you gave one), or add the folder in the Lumen app.\n`,
      );
    }

    const folder = path.join(scratch.dir, 'Photos');
    await copyPhotos((await fixturePhotos()).slice(0, 3), folder);
    const index = await cli('index', folder, '--data', dataDir, '--model', IMMICH_MODEL, '--provider', 'cpu');
    expect(index).toMatchObject({ code: 0, stdout: expect.stringMatching(/3 photos embedded/) });
    expect(queryLibrary(dataDir, 'PRAGMA user_version')).toEqual([SCHEMA_VERSION]);
  });

  it('says the same of one a version before this fix left half-made, with no folder in it', async () => {
    const storage = Storage.open(dataDir);
    storage.close();
    // As the first run left it: the schema made up to the albums, nothing stored.
    const db = new Database(path.join(dataDir, 'library.db'));
    db.exec('DROP TABLE album_images; DROP TABLE albums');
    db.pragma('user_version = 5');
    db.close();
    const read = await cli('status', '--data', dataDir);
    expect(read).toMatchObject({ code: 1, stderr: expect.stringMatching(/^lumen status: The library at .* was never finished: its first run stopped before it was made/) });
  });
});
