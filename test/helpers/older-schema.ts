/**
 * A library as an earlier version left it, for the tests of a migration: made by this version,
 * then its migrations undone, newest first, down to the one under test. A new migration puts its
 * undoing first here, and the tests of the older ones stay as they are.
 */
import { SCHEMA_VERSION, type Db } from '../../main/storage/database.js';

const NEWEST_FIRST = [
  // Note [Work kept for photos that return] in main/storage/kept-work.ts.
  { migration: 'kept work', undo: 'DROP TRIGGER kept_work_returned; DROP TABLE kept_work;' },
  // Note [Album name keys] in main/storage/album-store.ts.
  { migration: 'album name keys', undo: 'DROP INDEX albums_name_key; ALTER TABLE albums DROP COLUMN name_key;' },
  // Note [Change time] in main/library/walk.ts.
  { migration: 'change times', undo: 'ALTER TABLE files DROP COLUMN ctime_ms; ALTER TABLE failures DROP COLUMN ctime_ms;' },
  // Note [Old dates moved to the clock]: its column; the dates a test writes are as they were stored before.
  { migration: 'dates on the clock', undo: 'ALTER TABLE files DROP COLUMN mtime_clock_ms;' },
] as const;

/** Makes `db`, of this version, as the version before `migration` left it. */
export function asBefore(db: Db, migration: (typeof NEWEST_FIRST)[number]['migration']): void {
  const undone = NEWEST_FIRST.findIndex((each) => each.migration === migration) + 1;
  for (const { undo } of NEWEST_FIRST.slice(0, undone)) db.exec(undo);
  db.pragma(`user_version = ${SCHEMA_VERSION - undone}`);
}
