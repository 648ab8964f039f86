/**
 * Note [Clean close]: a writer checks every page of the library before it trusts the file with
 * more (Note [Damage] in damage.ts), and that reads the whole file: seconds for a large library,
 * on the path to the app's first search. A library whose last writer closed it cleanly needs no
 * check: after closing, the writer records the file's size, modification time and inode next to
 * it, and a writer that opens a file that still has them, with no write-ahead log left over,
 * skips the check. Opening removes the record, so a crash leaves none (and usually a log); any
 * other change to the file changes its stamp. Either way the pages are checked. A torn record
 * only fails to match.
 */
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';

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

/** A writer opened `file`: until it closes cleanly, it must be checked. */
export function forgetCleanClose(file: string): void {
  rmSync(recordOf(file), { force: true });
}

/** The writer closed `file` cleanly. */
export function recordCleanClose(file: string): void {
  const stamp = stampOf(file);
  if (stamp) writeFileSync(recordOf(file), stamp);
}
