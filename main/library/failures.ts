/**
 * Why a photo could not be indexed, and why an indexing run stopped, in words a person can act on.
 *
 * Note [A run that cannot go on]: a photo's own defect is listed and the run goes on (see
 * indexer.ts); a failure of the run's shared means (the disk holding the library, the model)
 * stops it, with the reason, how many photos this run indexed and kept (every batch written
 * before the failure stays), and what to do. A run never ends silently.
 */
import path from 'node:path';
import { IndexDiskFull, UserError, codeOf, isDiskFull, isHeldOpen, isUserError, messageOf } from '../core/errors.js';
import { PhotoFileError, fromErrno } from '../core/photo-file.js';
import { damageError } from '../storage/damage.js';
import { REASON_TEXT, classifyDecodeError, type FailureReason } from './formats.js';

/** A photo's own defect: it is listed with the reason, and the run goes on. */
export class Failure extends Error {
  constructor(
    readonly reason: FailureReason,
    message: string,
  ) {
    super(message);
  }
}

/** Whether `error` came from the library database, not from a photo: it stops the run (Note [A run that cannot go on]). */
export function isLibraryError(error: unknown): boolean {
  return /^SQLITE_/.test(codeOf(error) ?? '');
}

/** What reading or decoding `file` failing with `error` says about the photo. */
export function failureFor(file: string, error: unknown): Failure {
  if (error instanceof Failure) return error;
  if (error instanceof PhotoFileError) {
    const reason = error.problem === 'special' ? 'not-a-file' : error.problem === 'too-large' ? 'too-large' : 'unreadable';
    return new Failure(reason, `${path.basename(file)} could not be read: ${error.detail}.`);
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EPERM' || code === 'EISDIR' || code === 'EIO') {
    return failureFor(file, fromErrno(file, error));
  }
  if (code === 'ENOMEM') return new Failure('out-of-memory', `${path.basename(file)} ${REASON_TEXT['out-of-memory']}.`);
  const reason = classifyDecodeError(error);
  // libvips repeats its decoder's lines; the first says what is wrong. It is only a detail (Note [Decoder's words apart]).
  return new Failure(reason, `${path.basename(file)} ${REASON_TEXT[reason]}: ${messageOf(error).split('\n', 1)[0]}`);
}

/** The reasons a decoder's error is sorted into (`classifyDecodeError`); the others' words are Lumen's own. */
const DECODER_REASONS: ReadonlySet<string> = new Set<FailureReason>(['not-an-image', 'truncated', 'too-large', 'unsupported', 'corrupt']);

/**
 * Note [Decoder's words apart]: a decoder's own line ("vipspng: libpng read error") says nothing a
 * person can act on once the reason is named ("is truncated (an incomplete copy or download?)"),
 * so it is never part of the sentence a person reads. It is kept, after the sentence, in the
 * failure as stored (`<name> <reason>: <decoder's line>`, as `failureFor` builds it; rows stored
 * by earlier versions read the same), and `failureWords` splits it off as `detail`: the app shows
 * it only as a tooltip, the command line's JSON carries it for scripts, and its text leaves it out.
 */
export function failureWords(failure: { path: string; reason: string; message: string }): { message: string; detail?: string } {
  const reasonText = DECODER_REASONS.has(failure.reason) ? REASON_TEXT[failure.reason as FailureReason] : undefined;
  const sentence = `${path.basename(failure.path)} ${reasonText}`;
  if (reasonText === undefined || !failure.message.startsWith(`${sentence}: `)) return { message: failure.message };
  return { message: `${sentence}.`, detail: failure.message.slice(sentence.length + 2) };
}

/** Thrown by the consumer when the model fails, so the run's error can say it was the model. */
export class ModelFailure extends Error {
  constructor(
    readonly modelId: string,
    cause: unknown,
  ) {
    super(messageOf(cause), { cause });
  }
}

function photos(count: number): string {
  return `${count} photo${count === 1 ? '' : 's'} indexed and kept`;
}

/** The error an indexing run ends with, given what stopped it and how many photos it stored. */
export function runFailure(error: unknown, stored: number): UserError {
  if (isUserError(error) && error.code === 'cancelled') return error;
  // Damage is said as such, and noted so that the next open restores the library (Note [Damage] in
  // storage/damage.ts): taken for a disk that cannot be written, it was never restored.
  const damage = damageError(error);
  if (damage) return damage;
  if (isHeldOpen(error)) {
    return new UserError('busy', `Indexing stopped: another program (a database browser or a backup tool?) is holding the library open for writing: ${photos(stored)}; close it and run again.`, { cause: error });
  }
  if (isDiskFull(error)) {
    // The search index is saved once the run's photos are stored: a count there (0 after a run with nothing new) read as photos lost.
    const kept = error instanceof IndexDiskFull ? 'every photo indexed is kept, but the search index could not be put away' : photos(stored);
    return new UserError('disk-full', `The disk holding the library is full: ${kept}; free some space and run again.`, { cause: error });
  }
  if (error instanceof ModelFailure) {
    return new UserError(
      'model-invalid',
      `The model ${error.modelId} failed while indexing (${error.message}): ${photos(stored)}; try again with another model, or with the CPU provider.`,
      { cause: error },
    );
  }
  const code = codeOf(error);
  return new UserError(
    'storage',
    `Indexing stopped: writing to the library failed (${code ? `${code}: ` : ''}${messageOf(error)}): ${photos(stored)}; check that the disk holding the library has free space and can be written to, and run again.`,
    { cause: error },
  );
}

/**
 * An image file given to search by or to embed that the decoder failed on, said as indexing says
 * it of such a file ("x.jpg is truncated (an incomplete copy or download?)."), the decoder's line
 * kept only as the cause (Note [Decoder's words apart]); any other error as it is.
 */
export function decodingInIndexingWords(file: string, error: UserError): UserError {
  const decoder = error.cause;
  // What is already in Lumen's words ("x.jpg is empty") has no decoder's line to replace.
  if (decoder === undefined || error.code !== 'image-undecodable' || !error.message.includes(messageOf(decoder))) return error;
  const failure = failureFor(file, decoder);
  const { message, detail } = failureWords({ path: file, reason: failure.reason, message: failure.message });
  return detail === undefined ? error : new UserError('image-undecodable', message, { cause: decoder });
}
