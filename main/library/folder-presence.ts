/**
 * Whether a photo the walk found is gone, or its library folder went away during the run.
 *
 * Note [A drive gone mid-run]: a run's work can take hours (a new model re-embeds every photo),
 * and a drive can be unplugged or unmounted meanwhile. Its mount point then stays behind as an
 * empty folder (Note [Drive not mounted] in walk.ts), or goes, and every photo still to do fails
 * as missing, or as truncated where the read broke off. Taken at their word, those photos were
 * forgotten as deleted, with their tags, verdicts and albums, or listed as damaged for good. So
 * where a photo fails, the run first asks whether its library folder is still the one it started
 * with (on the same device, not emptied where it held something): if not, nothing in it counts as
 * failed or gone, its photos are kept, and the run says the folder went away, as of a folder out
 * of reach at the start (Note [A folder out of reach] in walk.ts): listed, and a command line run
 * ends with a non-zero status. Every library folder is asked once more before the run forgets
 * what it did not find, for a drive gone during the walk or after its folder's last photo.
 */
import { lstat, opendir, stat } from 'node:fs/promises';
import path from 'node:path';
import { isInside } from '../core/paths.js';

interface Root {
  path: string;
  /**
   * The device the folder was on when the run started (an unmounted drive's mount point is on
   * the disk above it); null when it could not be had then. Not its inode: network file systems
   * may not keep one.
   */
  device: number | null;
  /** Whether it held anything then: only a folder that did can be found emptied. */
  held: boolean;
}

/** Whether `folder` holds nothing: one entry read tells. Null when it cannot be read (a passing error is no emptied folder). */
export async function isEmpty(folder: string): Promise<boolean | null> {
  try {
    const dir = await opendir(folder);
    try {
      return (await dir.read()) === null;
    } finally {
      await dir.close().catch(() => {});
    }
  } catch {
    return null;
  }
}

async function deviceOf(folder: string): Promise<number | null> {
  const info = await stat(folder).catch(() => null);
  return info?.isDirectory() ? info.dev : null;
}

export class FolderPresence {
  private readonly awayFolders = new Map<number, string>();

  private constructor(private readonly roots: Map<number, Root>) {}

  /** Notes each library folder as the run starts. */
  static async of(folders: ReadonlyArray<{ id: number; path: string }>): Promise<FolderPresence> {
    const roots = new Map<number, Root>();
    for (const folder of folders) roots.set(folder.id, { path: folder.path, device: await deviceOf(folder.path), held: (await isEmpty(folder.path)) === false });
    return new FolderPresence(roots);
  }

  /** Whether the library folder `folderId` went away since the run started (Note [A drive gone mid-run]); once away, it stays so for the run. */
  async isAway(folderId: number): Promise<boolean> {
    if (this.awayFolders.has(folderId)) return true;
    const root = this.roots.get(folderId);
    if (!root) return false;
    const now = await deviceOf(root.path);
    const emptied = now !== null && root.held && (await isEmpty(root.path)) === true;
    if (now !== null && now === root.device && !emptied) return false;
    this.awayFolders.set(folderId, root.path);
    return true;
  }

  /** The library folders found away in this run, by id. */
  get away(): ReadonlyMap<number, string> {
    return this.awayFolders;
  }

  /**
   * Whether `file`, in the library folder `folderId`, is gone: missing, it and any folder above it
   * that is missing too, below a real folder that is there (Note [Unreachable folders] in
   * indexer.ts). A file that cannot be reached (a folder that became unreadable, a drive behind a
   * link unplugged) is not gone. Asked once its library folder was found not away (`isAway`).
   */
  async isGone(file: string, folderId: number): Promise<boolean> {
    const root = this.roots.get(folderId)?.path;
    if (root === undefined) return false;
    for (let at = file; isInside(at, root); at = path.dirname(at)) {
      // The library folder may itself be a link; a link under it is a linked folder, which may lead nowhere now.
      const info = await (at === root ? stat(at) : lstat(at)).catch((error: NodeJS.ErrnoException) => error);
      if (info instanceof Error) {
        if (at === root || (info.code !== 'ENOENT' && info.code !== 'ENOTDIR')) return false;
        continue;
      }
      return at !== file && info.isDirectory();
    }
    return false;
  }
}
