/**
 * Note [Old dates moved to the clock]: a library from before Note [Dates as the clock showed]
 * stored a capture date as the instant its clock reading named in the zone it was indexed in;
 * opened once, each is moved to that clock reading (stored as UTC), and only once.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../main/storage/database.js';
import { tempDir } from '../helpers/fixtures.js';
import { asBefore } from '../helpers/older-schema.js';
import { inTimeZone } from '../helpers/time-zone.js';

// A zone with summer time: the offset is the one at each photo's own date.
inTimeZone('Europe/Berlin');

describe('a library whose photo dates were stored in local time', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => (scratch = await tempDir()));
  afterAll(() => scratch.cleanup());

  const read = (file: string, sql: string) => {
    const db = new Database(file, { readonly: true });
    try {
      return db.prepare(sql).raw().all();
    } finally {
      db.close();
    }
  };
  const takenAt = (file: string) => read(file, 'SELECT content_hash, taken_at FROM images ORDER BY id');
  const fileTimes = (file: string) => read(file, 'SELECT path, mtime_ms, mtime_clock_ms FROM files ORDER BY id');
  const open = (file: string) => {
    const { db, cleanup } = openDatabase(file);
    db.close();
    cleanup();
  };

  it('has them moved to the clock they were taken by, once', () => {
    const file = path.join(scratch.dir, 'library.db');
    const { db, cleanup } = openDatabase(file);
    const insert = db.prepare('INSERT INTO images (content_hash, format, width, height, taken_at, created_at) VALUES (?, ?, 1, 1, ?, 0)');
    // As exifr revived them here: 23:30 in summer (UTC+2) and 08:15 in winter (UTC+1), Berlin time.
    insert.run('summer', 'jpeg', new Date(2021, 5, 15, 23, 30).getTime());
    insert.run('winter', 'jpeg', new Date(2020, 0, 10, 8, 15, 30, 250).getTime());
    insert.run('undated', 'png', null);
    // A screenshot's file time, 20:00 on a summer evening in Berlin: the instant, as a re-scan compares it.
    const savedAt = new Date(2022, 6, 1, 20, 0).getTime();
    db.prepare("INSERT INTO folders (id, path, excludes, added_at) VALUES (1, '/p', '[]', 0)").run();
    db.prepare("INSERT INTO files (path, folder_id, image_id, size, mtime_ms, indexed_at) VALUES ('/p/shot.png', 1, 3, 1, ?, 0)").run(savedAt);
    // Made by the version before this migration: without the column it adds, nor what later ones add.
    asBefore(db, 'dates on the clock');
    db.close();
    cleanup();

    open(file);
    const moved = [
      ['summer', Date.UTC(2021, 5, 15, 23, 30)],
      ['winter', Date.UTC(2020, 0, 10, 8, 15, 30, 250)],
      ['undated', null],
    ];
    expect(takenAt(file)).toEqual(moved);
    // Note [File times on the clock]: the undated photo's file time is read on the clock too, the instant kept.
    const shot = [['/p/shot.png', savedAt, Date.UTC(2022, 6, 1, 20, 0)]];
    expect(fileTimes(file)).toEqual(shot);
    // Opened again, the dates already moved stay as they are.
    open(file);
    expect(takenAt(file)).toEqual(moved);
    expect(fileTimes(file)).toEqual(shot);
  });
});
