/** The folders a person adds, checked before anything is made or stored: there, a folder, and not a Lumen data folder. */
import type { Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { OTHER_LIBRARY_ADVICE } from '../core/cli-advice.js';
import { isUserError, UserError } from '../core/errors.js';
import { isInside } from '../core/paths.js';
import { whyUnreadable } from '../core/photo-file.js';
import { lumenDataFolderAround } from './data-folder.js';

/** Where `folder` really is: through a link, or by another case on a disk that ignores case, a folder is the same folder. */
export const whereItIs = (folder: string): Promise<string> => realpath(folder).catch(() => folder);

/** Refuses a folder that does not exist, or is a file, in the words a person acts on. */
async function checkFolder(folder: string): Promise<void> {
  // An unset shell variable ("$DIR"): stat("") fails, and path.resolve("") is the current folder.
  if (folder === '') throw new UserError('bad-input', 'A folder was given as an empty name (an unset shell variable?). Give the folder your photos are in.');
  let info: Stats;
  try {
    info = await stat(folder);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A folder behind another user's folder is there, only out of reach: "does not exist" sent people looking for a typo.
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new UserError('not-found', `The folder ${path.resolve(folder)} does not exist.`);
    // Not the person's typo but the system's refusal: a failure (exit 1), as for a photo it may not read.
    throw new UserError('image-unreadable', `The folder ${path.resolve(folder)} cannot be opened: ${whyUnreadable(folder, error)}.`, { cause: error });
  }
  if (!info.isDirectory()) throw new UserError('bad-input', `${folder} is a file, not a folder. Add the folder that contains your photos.`);
}

/**
 * Refuses, besides what `checkFolder` does, a folder that is a Lumen data folder or lies in one:
 * the library's own at `dataDir` (its thumbnails are no photos: added, it would index nothing, and
 * say nothing) or another library's (Note [Other libraries] in data-folder.ts).
 */
async function checkPhotoFolder(folder: string, dataDir: string): Promise<void> {
  await checkFolder(folder);
  const real = await whereItIs(path.resolve(folder));
  if (isInside(real, await whereItIs(path.resolve(dataDir)))) throw new UserError('bad-input', `${path.resolve(folder)} is Lumen's own data folder (its thumbnails and index), or inside it, not a folder of photos. Add the folder your photos are in.`);
  const other = await lumenDataFolderAround(real);
  if (other) throw new UserError('bad-input', `${path.resolve(folder)} is ${other === real ? '' : 'inside '}another Lumen library's data folder (${other}: its thumbnails and index), not a folder of photos. Add the folder your photos are in${OTHER_LIBRARY_ADVICE}.`);
}

/** What a call that adds no folder says: the one folder's refusal, or each folder's, in one error (Note [Some folders refused] in library.ts). */
export function noFolderAdded(refusals: readonly UserError[]): UserError {
  const [first] = refusals;
  if (first && refusals.length === 1) return first;
  // One kind of refusal keeps its code (a missing folder, exit 2; one out of reach, exit 1).
  const code = first && refusals.every((refusal) => refusal.code === first.code) ? first.code : 'bad-input';
  return new UserError(code, `None of the ${refusals.length} folders was added. ${refusals.map((refusal) => refusal.message).join(' ')}`);
}

/** Where a folder given is added: its absolute path, the empty name (refused) as itself. */
export const addedAt = (folder: string): string => folder && path.resolve(folder);

/**
 * The folders given that are no folders of photos (`checkPhotoFolder`), by where they are added
 * (`addedAt`), each with why. Throws when none is left to add (Note [Some folders refused] in
 * library.ts): checked before the data folder is made or opened, a command that adds nothing
 * leaves nothing among the photos.
 */
export async function checkPhotoFolders(folders: readonly string[], dataDir: string): Promise<Map<string, UserError>> {
  const given = [...new Set(folders.map(addedAt))];
  const refusals = new Map<string, UserError>();
  for (const folder of given) {
    const refusal = await checkPhotoFolder(folder, dataDir).then(
      () => null,
      (error: unknown) => (isUserError(error) ? error : Promise.reject(error)),
    );
    if (refusal) refusals.set(folder, refusal);
  }
  if (refusals.size > 0 && refusals.size === given.length) throw noFolderAdded([...refusals.values()]);
  return refusals;
}
