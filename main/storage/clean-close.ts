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
 * the very check that finds the damage and restores the library from its backup. So a process
 * that meets damage marks every library file it has open, reader's or writer's (`library.db.damaged`
 * beside it), and a file so marked is checked at the next writer's open, whatever its record says;
 * the mark goes once a check finds the pages sound (or restored). A reader's mark matters most: a
 * search or `lumen status` that met the damage advises `lumen index`, whose writer would
 * otherwise trust the record and restore nothing. Damage is noted where it is said to a person
 * (damageError in damage.ts: wherever it stops a command, a call or a job, or a backup). SQLite's
 * error does not name its file, so damage counts against every file open at the time; a wrong
 * guess costs one check at the next open. On read-only media no mark can be made, and no writer
 * opens the library there either.
 */
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';

/** The library files this process has open, as reader or writer (Note [Damage voids a clean close]). */
const inUse = new Map<string, number>();

function stampOf(file: string): string | null {
  const info = statSync(file, { throwIfNoEntry: false });
  return info ? `${info.size}:${info.mtimeMs}:${info.ino}` : null;
}

const recordOf = (file: string) => `${file}.closed`;
const damageMarkOf = (file: string) => `${file}.damaged`;

/** Whether `file` is as its last writer left it when it closed cleanly, with no damage met since. */
export function closedCleanly(file: string): boolean {
  const log = statSync(`${file}-wal`, { throwIfNoEntry: false });
  if (log && log.size > 0) return false;
  if (existsSync(damageMarkOf(file))) return false;
  const stamp = stampOf(file);
  try {
    return stamp !== null && readFileSync(recordOf(file), 'utf8') === stamp;
  } catch {
    return false;
  }
}

/** This process met a damaged library: `file` where it is known, and every library file it has open (Note [Damage voids a clean close]). */
export function noteDamageMet(file?: string): void {
  for (const each of new Set([...(file ? [file] : []), ...inUse.keys()])) {
    try {
      writeFileSync(damageMarkOf(each), '');
    } catch {
      // A full disk: without its record, the file is checked at the next open all the same.
      // Read-only media: neither can be done, and no writer opens the library there.
      try {
        rmSync(recordOf(each), { force: true });
      } catch {
        // Nothing more can be done here; the damage is said all the same.
      }
    }
  }
}

/** A writer's check found every page of `file` sound: the damage met before, if any, is no more. */
export function pagesChecked(file: string): void {
  rmSync(damageMarkOf(file), { force: true });
}

/** The library files this process has open, as reader or writer: what an SQLite error, which names no file, may be about. */
export function libraryFilesOpen(): string[] {
  return [...inUse.keys()];
}

/** `file` is open in this process until the returned function is called. */
export function libraryFileOpened(file: string): () => void {
  inUse.set(file, (inUse.get(file) ?? 0) + 1);
  let closed = false;
  return () => {
    if (closed) return;
    closed = true;
    const left = (inUse.get(file) ?? 1) - 1;
    if (left > 0) inUse.set(file, left);
    else inUse.delete(file);
  };
}

/**
 * A writer opened `file`: until it closes cleanly, it must be checked. Returns what to call once
 * the writer has closed it (which records the clean close), or failed to open it.
 */
export function writerOpened(file: string): (cleanly: boolean) => void {
  rmSync(recordOf(file), { force: true });
  const closed = libraryFileOpened(file);
  return (cleanly) => {
    closed();
    const stamp = cleanly ? stampOf(file) : null;
    if (!stamp) return;
    try {
      writeFileSync(recordOf(file), stamp);
    } catch {
      // A full disk (or any other refusal): the library is closed, all of it kept; with no record
      // (or a torn one, which does not match) the next writer checks its pages, as after a crash.
    }
  };
}
