/**
 * Titles of the Duplicates screen's groups.
 *
 * Note [Group titles]: a group is named by the copy it keeps ("12 copies of 1280x1024.jpg"), and
 * a screen reader lists the groups by these names (each is a region). Where several groups would
 * get one name (a wallpaper pack ships a 1280x1024.jpg in every design's folder), each of them
 * adds the folder of its copy kept, as little of it as tells them apart: the end the folders all
 * share is left out, so ".../Autumn/contents/images" and ".../Summer/contents/images" read "in
 * Autumn" and "in Summer". A name no other group has stays as it was.
 */
import type { DuplicateGroupInfo, DuplicatePhotoInfo } from './api.js';
import { folderLabels } from './format.js';

/** The copy a group is named by: the suggested keep, or its first copy once the keep went to the trash. */
export function namingCopy(group: DuplicateGroupInfo): DuplicatePhotoInfo | undefined {
  return group.photos.find((photo) => photo.id === group.keep) ?? group.photos[0];
}

/** The folders of `paths`, told apart by as few of their parts as they need, their shared end left out. */
function tellingFolders(paths: readonly string[]): string[] {
  const folders = paths.map((path) => path.split(/[\\/]/).filter(Boolean).slice(0, -1));
  const shortest = Math.min(...folders.map((parts) => parts.length));
  let shared = 0;
  // At least one part of each folder stays to tell it by.
  while (shared < shortest - 1 && folders.every((parts) => parts[parts.length - 1 - shared] === folders[0]?.[(folders[0]?.length ?? 0) - 1 - shared])) shared++;
  return folderLabels(folders.map((parts) => parts.slice(0, parts.length - shared).join('/')));
}

/** Each group's title, in the order of `groups` (Note [Group titles]). */
export function groupTitles(groups: readonly DuplicateGroupInfo[]): string[] {
  const titles = groups.map((group) => `${group.photos.length} copies of ${namingCopy(group)?.name ?? ''}`);
  const alike = new Map<string, number[]>();
  titles.forEach((title, i) => alike.set(title, [...(alike.get(title) ?? []), i]));
  for (const [title, indices] of alike) {
    if (indices.length < 2) continue;
    const folders = tellingFolders(indices.map((i) => namingCopy(groups[i] as DuplicateGroupInfo)?.path ?? ''));
    indices.forEach((i, n) => (titles[i] = `${title} in ${folders[n] as string}`));
  }
  return titles;
}
