/**
 * Note [Clean close]: a writer checks every page of the library before it trusts the file with
 * more (Note [Damage] in damage.ts), and that reads the whole file: seconds for a large library,
 * on the path to the app's first search. A library whose last writer closed it cleanly needs no
 * check: after closing, the writer records the file's size, modification time and inode next to
 * it, and a writer that opens a file that still has them, with no write-ahead log left over,
 * skips the check. Opening removes the record, so a crash leaves none (and usually a log); any
 * other change to the file changes its stamp. Either way the pages are checked. A torn record
 * only fails to match.
 *
 * Note [Damage voids a clean close]: a bad page met in the middle of a session (a flaky disk)
 * leaves the file's stamp as it was, so a record written at close would spare the next writer
 * the very check that finds the damage and restores the library from its backup. So a writer
 * that was open while this process met damage records nothing when it closes. Damage is noted
 * where it is said to a person (damageError in damage.ts: wherever it stops a command, a call or
 * a job, or a backup). SQLite's error does not name its file, so damage counts against every
 * writer open at the time; a wrong guess costs one check at the next open.
 */
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';

/** How many times this process has met damage (Note [Damage voids a clean close]). */
let damageMet = 0;

function stampOf(file: string): string | null {
  const info = statSync(file, { throwIfNoEntry: false });
  return info ? `${info.size}:${info.mtimeMs}:${info.ino}` : null;
}

const recordOf = (file: string) => `${file}.closed`;

/** Whether `file` is as its last writer left it when it closed cleanly. */
export function closedCleanly(file: string): boolean {
  const log = statSync(`${file}-wal`, { throwIfNoEntry: false });
  if (log && log.size > 0) return false;
  const stamp = stampOf(file);
  try {
    return stamp !== null && readFileSync(recordOf(file), 'utf8') === stamp;
  } catch {
    return false;
  }
}

/** This process met a damaged library (Note [Damage voids a clean close]). */
export function noteDamageMet(): void {
  damageMet += 1;
}

/**
 * A writer opened `file`: until it closes cleanly, it must be checked. Returns what to call once
 * the writer has closed it: that records the clean close, unless this process met damage
 * meanwhile (Note [Damage voids a clean close]).
 */
export function writerOpened(file: string): () => void {
  rmSync(recordOf(file), { force: true });
  const damageBefore = damageMet;
  return () => {
    const stamp = stampOf(file);
    if (stamp && damageMet === damageBefore) writeFileSync(recordOf(file), stamp);
  };
}
