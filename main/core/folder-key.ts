/**
 * How the app names a folder of photos without its path (nothing the renderer sends is a path):
 * a hash of the path. A folder's album and the search filter for its photos share the key.
 */
import { createHash } from 'node:crypto';

/** Keys already worked out, by path: a filter asks for every directory's, and its ancestors', at each new snapshot. */
const known = new Map<string, string>();
const KNOWN_MAX = 100_000;

/** A folder's key; a root names the same folder with its separator (`/`, `E:\`) as without. */
export function folderKey(dir: string): string {
  let key = known.get(dir);
  if (key === undefined) {
    key = `folder:${createHash('sha256').update(withoutSeparator(dir)).digest('hex').slice(0, 16)}`;
    if (known.size >= KNOWN_MAX) known.clear();
    known.set(dir, key);
  }
  return key;
}

/** A folder's path without the separators it may end in: a root's (`/`, `E:\`, `\\nas\photos\`) as `parentOf` gives it. */
export function withoutSeparator(dir: string): string {
  return dir.replace(/[\\/]+$/, '');
}

/** The folder a path is in: the part before its last separator (either kind: libraries may come from Windows); '' at the top. */
export function parentOf(filePath: string): string {
  return filePath.slice(0, Math.max(filePath.lastIndexOf('/'), filePath.lastIndexOf('\\'), 0));
}

/** Whether `dir` is `folder` or below it, both as `parentOf` gives them (`folder` '' is the top of a drive). */
export function isWithin(dir: string, folder: string): boolean {
  return dir === folder || dir.startsWith(`${folder}/`) || dir.startsWith(`${folder}\\`);
}
