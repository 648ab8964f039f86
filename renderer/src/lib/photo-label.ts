/**
 * A photo as a list of photos names it to a screen reader: its file name first (tests and screen
 * readers find a photo by the start of its name), then the day it was taken, which tells apart
 * the many photos of one name ("screenshot.jpg", "IMG_0001.JPG"). The grid's tiles and the
 * viewer's strip of similar photos use it, so a photo is named alike wherever it is listed.
 */
import type { FolderInfo } from './api.js';
import { folderLabels } from './format.js';
import { photoDateFormat } from './photo-dates.js';

const dateFormat = photoDateFormat({ dateStyle: 'medium' });

export function photoLabel(name: string | undefined, takenAt: number | undefined): string {
  return `${name ?? 'Photo'}${takenAt === undefined ? '' : `, ${dateFormat.format(new Date(takenAt))}`}`;
}

/**
 * Note [Photos told apart by folder]: photos of one name and day ("screenshot.png, May 9, 2023"
 * seven times, IMG_0001.JPG from every card) are told apart by their folder, said after the name
 * as the tile's description ("in Pictures"), never in the name, which tests and screen readers
 * find a photo by. The folder is the library folder (PhotoInfo.folderId of search results and a
 * tag's preview, Timeline.folderIds of the library's, a tag's and an album's grid), named short as
 * lists name folders (folderLabels): the renderer is told no folder below it without a call per
 * photo. So it is said where the library has more than one folder, the only place it tells
 * photos apart; with one, it would only lengthen every tile.
 */
export function folderDescriptions(folders: readonly Pick<FolderInfo, 'id' | 'path'>[]): Map<number, string> {
  if (folders.length < 2) return new Map();
  const labels = folderLabels(folders.map((folder) => folder.path));
  return new Map(folders.map((folder, i) => [folder.id, `in ${labels[i] ?? folder.path}`]));
}
