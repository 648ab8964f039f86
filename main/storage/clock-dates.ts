/**
 * Photo dates stored before Note [Dates as the clock showed] (decode.ts), moved to the clock.
 *
 * Note [Old dates moved to the clock]: earlier versions stored a capture date as the instant its
 * clock reading named in the indexing machine's zone. The migration that moves them reads each in
 * the zone the library is opened in now, the only one known: it assumes the library was indexed in
 * that zone (a library indexed elsewhere keeps the shift it already had). The offset is the zone's
 * at each photo's own instant (summer and winter time), which JavaScript's zone data gives as it
 * gave it when the date was stored; SQLite's 'localtime' has only today's rules on some systems.
 */
import type { Db } from './database.js';

/** The SQL function the migration calls: the wall clock of a local instant, as if that clock were UTC. */
export const CLOCK_OF_LOCAL = 'lumen_clock_of_local';

export function clockOfLocal(instant: number): number {
  const local = new Date(instant);
  return Date.UTC(local.getFullYear(), local.getMonth(), local.getDate(), local.getHours(), local.getMinutes(), local.getSeconds(), local.getMilliseconds());
}

/** Makes the functions migrations call known to `db` (a migration is SQL; its per-row arithmetic is not). */
export function defineMigrationFunctions(db: Db): void {
  db.function(CLOCK_OF_LOCAL, { deterministic: true }, (instant: unknown) => (typeof instant === 'number' || typeof instant === 'bigint' ? clockOfLocal(Number(instant)) : instant));
}

/**
 * The migration of Note [Old dates moved to the clock], run once, as migrations are. A photo with no
 * capture date is dated by its file's time, an instant: `mtime_clock_ms` is that time on the
 * clock of the zone it was indexed in (Note [File times on the clock]), kept beside `mtime_ms`,
 * which stays the instant a re-scan compares.
 */
export const DATES_TO_THE_CLOCK = `
  UPDATE images SET taken_at = ${CLOCK_OF_LOCAL}(taken_at) WHERE taken_at IS NOT NULL;
  ALTER TABLE files ADD COLUMN mtime_clock_ms INTEGER;
  UPDATE files SET mtime_clock_ms = ${CLOCK_OF_LOCAL}(mtime_ms);
`;

/**
 * Note [File times on the clock]: a photo without a capture date is shown, grouped and filtered by
 * its file's time, which must then be a clock reading as capture dates are (Note [Dates as the
 * clock showed] in library/decode.ts), or a screenshot saved at 20:00 in Los Angeles would show
 * at 04:00 the next day. It is read on this machine's clock as the file is indexed, where the
 * person is, as a camera's clock would have been.
 */
export const PHOTO_DATE = 'COALESCE(i.taken_at, f.mtime_clock_ms)';
