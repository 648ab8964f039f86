/**
 * A reader's connection to the library database (Note [One writer] in writer-lock.ts).
 *
 * Note [Read-only media]: a reader's connection is read-only, so nothing it does can write.
 * SQLite reads a WAL database through a shared-memory file next to it, which cannot be made on
 * read-only media (a library on a DVD or a write-protected card): there a reader reads a copy of
 * the database in the temporary folder, removed when it closes. A folder this user may read but
 * not write (its permissions, or another user's) is the same, said differently: SQLITE_CANTOPEN
 * where the disk is read-only, SQLITE_READONLY_DIRECTORY where permissions refuse the file, met at
 * the first read (`configure`'s pragmas), not as the database opens. The rest of the
 * SQLITE_READONLY family says the same of SQLite's other files, so each is read from a copy too.
 */
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError, codeOf, isUserError, messageOf } from '../core/errors.js';
import { canWrite } from '../core/paths.js';
import { libraryFileOpened } from './clean-close.js';
import { DamagedDatabase, isDamage } from './damage.js';
import { cannotOpen, checkVersion, configure, type OpenedDatabase, type OpenOptions } from './database.js';

/** SQLite's errors for a file beside the database that it may not make or write (Note [Read-only media]). */
function cannotWriteBeside(error: unknown): boolean {
  const code = codeOf(error) ?? '';
  return code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY' || code.startsWith('SQLITE_READONLY_');
}

/** Opens `file` read-only: it never writes or migrates, and cannot be made to. */
export function openReader(file: string, options: OpenOptions): OpenedDatabase {
  const connect = (at: string) => {
    const db = new Database(at, { nativeBinding: options.nativeBinding, readonly: true, fileMustExist: true });
    try {
      configure(db);
      checkVersion(db, file);
      return db;
    } catch (error) {
      db.close();
      throw error;
    }
  };
  // Open as a library file of this process, which damage met marks (Note [Damage voids a clean close] in clean-close.ts).
  const closed = libraryFileOpened(file);
  try {
    return { db: connect(file), cleanup: closed };
  } catch (error) {
    closed();
    if (isUserError(error)) throw error;
    if (isDamage(error)) throw new DamagedDatabase(file, error);
    if (!cannotWriteBeside(error) || canWrite(path.dirname(file))) {
      throw cannotOpen(file, error);
    }
  }
  const copyDir = mkdtempSync(path.join(os.tmpdir(), 'lumen-read-only-'));
  const cleanup = () => rmSync(copyDir, { recursive: true, force: true });
  // On read-only media no damage mark can be made: none is asked for.
  try {
    const copy = path.join(copyDir, path.basename(file));
    copyFileSync(file, copy);
    if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
    return { db: connect(copy), cleanup };
  } catch (error) {
    cleanup();
    if (isUserError(error)) throw error;
    throw isDamage(error) ? new DamagedDatabase(file, error) : new UserError('storage', `Cannot read the library database ${file}: ${messageOf(error)}.`, { cause: error });
  }
}
