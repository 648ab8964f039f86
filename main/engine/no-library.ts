/**
 * Note [No library yet]: a data folder has a library only once a folder of photos is added (Note
 * [Lazy start] in engine.ts). A call that needs one before then fails with one message, which
 * the CLI prints as it is. The app says it in its own words (Note [App wording] in app/rpc.ts):
 * a person in the window adds a folder in the Library, has no `--data` to pass, and need not
 * know where the data folder is; so the app finds this message by its pattern and replaces it
 * whole. A command given --data leaves out the advice to pass it. Light on purpose: the main
 * process imports it.
 */
import { UserError } from '../core/errors.js';
import { escapeRegExp } from '../core/escape-regexp.js';

/** The message around the data folder's path, so that the pattern below follows its wording. */
const BEFORE_PATH = 'There is no library in ';
const PASS_DATA = ', or pass --data';
const AFTER_PATH = ` yet. Add a folder of photos first (\`lumen index FOLDER\`)${PASS_DATA}.`;

/** `noLibraryError`'s message, whatever its data folder. */
export const NO_LIBRARY_MESSAGE = new RegExp(`${escapeRegExp(BEFORE_PATH)}.+?${escapeRegExp(AFTER_PATH)}`);

export function noLibraryError(dataDir: string): UserError {
  return new UserError('not-found', `${BEFORE_PATH}${dataDir}${AFTER_PATH}`);
}

/** `message`, with the advice to pass --data left out where it is `noLibraryError`'s: for a command that was given --data. */
export function withoutDataAdvice(message: string): string {
  return message.replace(NO_LIBRARY_MESSAGE, (said) => said.replace(PASS_DATA, ''));
}
