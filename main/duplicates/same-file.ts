/**
 * Paths of a duplicate group that are one file on disk.
 *
 * Note [One file, many paths]: the library holds a file once per path that reaches it: a symlink
 * to a photo, a photo in a linked folder (Note [Symlinks] in main/library/scan.ts), a hard link.
 * Such paths are not copies: moving a link to the trash frees nothing, and moving the file
 * breaks every link to it (planTrash refuses the one, selectCopies the other, which a suggestion
 * must then never ask for; the app shows the links and offers no mark for such a file).
 * So the finder counts them as one member of a group, told apart by device and inode after
 * following links (`stat`). Only members of groups are looked at, as each group is formed, so a
 * library without duplicates costs no file system call. The member shown is the real file (its
 * path has no link in it; else one that is not itself a link; else the first by path), and it
 * carries the other paths as `links`, which are never offered for the trash; a group left with
 * one file is no group. Where nothing else tells the copies apart, the one linked to is kept
 * (Note [Which copy to keep] in keep.ts), since moving it would break its links. A path that
 * cannot be read counts as a file of its own: planTrash says why it cannot move it. A file gone
 * from its folder (moved to the trash while the re-scan that forgets it is paused, or deleted
 * while Lumen was not looking) is no copy at all: the finder asks for such files to be left out
 * (`leaveOutGone`). Writing XMP sidecars folds paths alike: one sidecar per file, beside the file
 * itself (xmp-export.ts), where one gone is listed as skipped.
 */
import { lstat, realpath, stat } from 'node:fs/promises';
import { codeOf } from '../core/errors.js';

/** How far a path is from the file itself: 0 when no part of it is a link, 1 when only a folder on the way is, 2 when it is a link. */
async function linkDistance(file: string): Promise<number> {
  if ((await realpath(file).catch(() => null)) === file) return 0;
  return (await lstat(file).catch(() => null))?.isSymbolicLink() ? 2 : 1;
}

/** `members` with the paths of one file folded into one, the real file, which lists the others as `links`; with `leaveOutGone`, those gone left out (Note [One file, many paths]). */
export async function oneMemberPerFile<T extends { path: string }>(members: readonly T[], options: { leaveOutGone?: boolean } = {}): Promise<Array<T & { links: string[] }>> {
  const byFile = new Map<string, Array<{ member: T; distance: number }>>();
  for (const member of members) {
    const info = await stat(member.path).catch((error: unknown) => (options.leaveOutGone && codeOf(error) === 'ENOENT' ? 'gone' : null));
    if (info === 'gone') continue;
    const key = info ? `${info.dev}:${info.ino}` : `path:${member.path}`;
    const same = byFile.get(key) ?? [];
    same.push({ member, distance: info ? await linkDistance(member.path) : 0 });
    byFile.set(key, same);
  }
  return [...byFile.values()].map((same) => {
    const [first, ...others] = same.sort((a, b) => a.distance - b.distance || a.member.path.localeCompare(b.member.path));
    return { ...(first as { member: T }).member, links: others.map(({ member }) => member.path) };
  });
}
