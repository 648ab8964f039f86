/**
 * Advice in the engine's messages that names a flag or a command, as the command line says it.
 * The app puts its own words in their place (Note [App wording] in app/rpc.ts), so each is said
 * in one place, and this module stays light enough for every process to import.
 */

/** The execution provider asked for cannot run. */
export const PROVIDER_ADVICE = 'Use --provider auto or cpu.';

/** The models folder cannot be written. */
export const WRITABLE_DATA_ADVICE = 'Pass --data with a folder on a writable disk.';

/** Another process downloads the model: where it shows once it is done. */
export const DOWNLOADED_ADVICE = 'then see `models list`';

/** A folder added is another library's data folder: how to use that library instead. */
export const OTHER_LIBRARY_ADVICE = ', or give that library with --data';

/** The data folder cannot be written: what still works, and how to change the library. */
export const READ_ONLY_LIBRARY_ADVICE = 'searching it and `status` still work; to change the library, copy it to a writable disk or pass another --data';

/** The data folder cannot be read (its permissions, or a folder on its way). */
export const UNREADABLE_DATA_ADVICE = 'Fix the permissions, or pass --data with a folder this user may read.';
