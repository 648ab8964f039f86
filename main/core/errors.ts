/**
 * Errors a person can act on.
 *
 * Note [Actionable errors]: every failure that reaches a person (CLI line, app toast) is a
 * `UserError` whose message says what went wrong *and* what to do, in one line. Anything else
 * that escapes is a bug and is reported as such. `code` lets the UI and tests branch without
 * parsing prose.
 */
import { isOutOfSpace } from './paths.js';

export type UserErrorCode =
  | 'bad-input'
  | 'model-missing'
  | 'model-invalid'
  | 'image-unreadable'
  | 'image-undecodable'
  | 'network'
  | 'disk-full'
  | 'storage'
  | 'integrity'
  /** Another process is writing the library (Note [One writer] in storage/writer-lock.ts), or another program holds it (Note [Held open by another program]). */
  | 'busy'
  /** The data folder cannot be written (read-only media). */
  | 'read-only'
  | 'not-found'
  | 'cancelled';

export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    readonly code: UserErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

/** Throws the standard cancellation error when `signal` has been aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new UserError('cancelled', 'Cancelled.');
}

/** The `code` a thrown value carries (Node's and SQLite's errors do), if it is a string. */
export function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Codes for "no space": Node's file system calls, and better-sqlite3 for the database. */
const DISK_FULL = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);

export function isDiskFull(error: unknown): boolean {
  return DISK_FULL.has(codeOf(error) ?? '');
}

/**
 * A full disk met saving the search index (its graph, matrix or sidecar): usearch says only
 * "Failed to serialize into stream", so the disk is asked. The index is derived from what is
 * stored (Note [Derived data] in storage/vector-index.ts): nothing is lost, and the next save
 * puts it away.
 */
export class IndexDiskFull extends Error {
  readonly code = 'ENOSPC';
}

/** What saving the search index into `dir` failed with: `IndexDiskFull` where the disk is full, said by the error or by the disk. */
export function indexSaveError(error: unknown, dir: string): unknown {
  if (error instanceof IndexDiskFull) return error;
  return isDiskFull(error) || isOutOfSpace(dir) ? new IndexDiskFull(messageOf(error), { cause: error }) : error;
}

/** Codes for a disk or folder this process may not write: read-only media, or no permission. */
const UNWRITABLE = new Set(['EROFS', 'EACCES', 'EPERM']);

export function isUnwritable(error: unknown): boolean {
  return UNWRITABLE.has(codeOf(error) ?? '');
}

/**
 * A full disk in words a person can act on, wherever it stops a command or a call (indexing says
 * more: how many photos it kept); null for any other error. SQLite rolls back the transaction
 * that did not fit, so what was stored before is kept.
 */
export function diskFullError(error: unknown): UserError | null {
  if (!isDiskFull(error)) return null;
  return new UserError('disk-full', `The disk is full (${messageOf(error)}); free some space and try again. Everything stored before is kept.`, { cause: error });
}

/**
 * Note [Held open by another program]: Lumen's own processes take turns through the writer lock
 * (Note [One writer] in storage/writer-lock.ts), but another program (a database browser, a backup
 * or sync tool) can hold library.db itself in a write transaction. SQLite waits its busy timeout
 * for it (storage/database.ts) and then says SQLITE_BUSY ("database is locked"; SQLITE_LOCKED for
 * a lock within a connection's own shared cache), which a person can act on: close that program.
 */
const HELD_OPEN = /^SQLITE_(BUSY|LOCKED)/;

export function isHeldOpen(error: unknown): boolean {
  return HELD_OPEN.test(codeOf(error) ?? '');
}

/** The library held open by another program in words a person can act on (Note [Held open by another program]), naming its `file` where known; null for any other error. */
export function heldOpenError(error: unknown, file?: string): UserError | null {
  if (!isHeldOpen(error)) return null;
  return new UserError('busy', `Another program (a database browser or a backup tool?) is holding the library${file ? ` (${file})` : ''} open for writing; close it and try again.`, { cause: error });
}

/** What to do about a model that embedded no photo, in the CLI's words (the app has its own: Note [App wording] in app/rpc.ts). */
export const INDEX_WITH_MODEL_ADVICE = 'Index the library with that model first (`index`).';

/** A library with nothing embedded by `model` to rank, tag or compare (another model was asked for, or nothing indexed yet). */
export function noEmbeddingsError(model: string): UserError {
  return new UserError('bad-input', `No photo in the library has an embedding from ${model}. ${INDEX_WITH_MODEL_ADVICE}`);
}

/** A photo id the library has no photo for, said the same wherever an id is looked up (callers add why or what to do). */
export function noPhotoText(photoId: number): string {
  return `There is no photo #${photoId} in the library`;
}

/** The message of any thrown value, for logs and wrapped errors. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
