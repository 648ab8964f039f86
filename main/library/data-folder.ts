/**
 * Note [Other libraries]: Lumen's own data folder is never walked, wherever it lies (ScanOptions.skip
 * in scan.ts), but another library's can lie inside a photo folder too: a `--data` folder of the
 * command line, the app's folder moved there with LUMEN_DATA, an old copy. Walked, its thumbnails
 * (256 px copies of photos) flooded the library and came up as near-duplicates of every photo.
 * So a folder that holds a Lumen database beside a thumbnail folder is taken for a library's data
 * folder: the walk leaves it out, the run says so once (no failure: nothing there is a photo of
 * the person's own), and it is refused as a folder of photos, as the run's own data folder is.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';

const DATABASE = 'library.db';
const THUMBNAILS = 'thumbs';

/** Whether a folder holding `file` files and `folder` folders, by name, is a Lumen data folder. */
export function holdsLumenLibrary(has: (name: string, kind: 'file' | 'folder') => boolean): boolean {
  return has(DATABASE, 'file') && has(THUMBNAILS, 'folder');
}

/** Whether `dir` is a Lumen data folder (Note [Other libraries]). */
export async function isLumenDataFolder(dir: string): Promise<boolean> {
  const [database, thumbnails] = await Promise.all([stat(path.join(dir, DATABASE)).catch(() => null), stat(path.join(dir, THUMBNAILS)).catch(() => null)]);
  return holdsLumenLibrary((name) => (name === DATABASE ? database?.isFile() === true : thumbnails?.isDirectory() === true));
}

/** The Lumen data folder `dir` is, or lies in; null if none. */
export async function lumenDataFolderAround(dir: string): Promise<string | null> {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    if (await isLumenDataFolder(at)) return at;
    if (path.dirname(at) === at) return null;
  }
}
