/**
 * A damaged library database, in words a person can act on.
 *
 * Note [Damage]: SQLite says a file is damaged with SQLITE_CORRUPT ("database disk image is
 * malformed") or SQLITE_NOTADB ("file is not a database"), at open or at the first read of a
 * bad page. A writer checks every page when it opens the library (`PRAGMA quick_check`; not
 * after a clean close, Note [Clean close] in clean-close.ts) and restores a damaged one: what still
 * reads from it is kept, the rest comes from its last backup (Notes [Salvage first] and [Backups]
 * in backups.ts); `lumen status` checks every page too (Note [Status reads every page] in
 * cli/status.ts). A reader never writes, so it says what happened and how to get the library
 * restored. Damage met later, in a session, is restored at the next writer's open (Note [Damage voids a clean close] in
 * clean-close.ts). Either way nobody sees a stack trace. The advice names what the CLI runs; the
 * app says it its own way (Note [App wording] in app/rpc.ts).
 */
import { UserError, codeOf, diskFullError, heldOpenError, messageOf } from '../core/errors.js';
import { libraryFilesOpen, noteDamageMet } from './clean-close.js';

const DAMAGE_CODES = /^SQLITE_(CORRUPT|NOTADB)/;

/** Whether `error` is SQLite saying the database file is damaged. */
export function isDamage(error: unknown): boolean {
  if (error instanceof DamagedDatabase) return true;
  return DAMAGE_CODES.test(codeOf(error) ?? '');
}

export const RESTORE_ADVICE = 'open the Lumen app or run `lumen index` to restore your folders, tags, albums and vocabulary from what still reads of it and the last backup (the damaged file is kept)';

export class DamagedDatabase extends UserError {
  constructor(
    readonly file: string,
    cause: unknown,
    /** What is wrong, in a few words (SQLite's own message unless given): never a page-by-page account. */
    readonly reason = messageOf(cause),
  ) {
    super('integrity', `The library database ${file} is damaged (${reason}); ${RESTORE_ADVICE}.`, { cause });
  }
}

/**
 * The error a person sees for `error` when it is damage met while reading, noted so that the
 * library is checked at its next open (Note [Damage voids a clean close] in clean-close.ts); null
 * otherwise.
 */
export function damageError(error: unknown): UserError | null {
  if (!isDamage(error)) return null;
  noteDamageMet(error instanceof DamagedDatabase ? error.file : undefined);
  if (error instanceof DamagedDatabase) return error;
  return new UserError('integrity', `The library database is damaged (${messageOf(error)}); ${RESTORE_ADVICE}.`, { cause: error });
}

/**
 * What a person is told of `error` wherever it stops a command, a call or a job: a damaged
 * library, a full disk or a library held open by another program (Note [Held open by another
 * program] in core/errors.ts) in words they can act on, anything else as it is.
 */
export function actionableError(error: unknown): unknown {
  return damageError(error) ?? diskFullError(error) ?? heldOpenLibraryError(error) ?? error;
}

/** SQLite's error names no file: the library is named where this process has only one open. */
function heldOpenLibraryError(error: unknown): UserError | null {
  const open = libraryFilesOpen();
  return heldOpenError(error, open.length === 1 ? open[0] : undefined);
}
