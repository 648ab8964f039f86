/** What adding folders did, said alike for folders picked in Settings and dropped on the window. */
import type { FolderInfo } from './api.js';
import { counted, formatCount } from './format.js';

/**
 * `given` are the folders the call answered with, those the library held already among them (with
 * their ids), so only the ones `before` did not hold count as added. With `before` unknown (the
 * status not read yet), every one counts.
 */
export function foldersAddedText(given: readonly FolderInfo[], before: readonly FolderInfo[] | undefined): string {
  const held = new Set((before ?? []).map((folder) => folder.id));
  const added = given.filter((folder) => !held.has(folder.id)).length;
  const already = given.length - added;
  if (added === 0) return `${given.length === 1 ? 'That folder is' : 'Those folders are'} in the library already.`;
  if (already === 0) return `Added ${added === 1 ? 'the folder' : `${formatCount(added)} folders`}; indexing started.`;
  return `Added ${counted(added, 'folder')} (${formatCount(already)} ${already === 1 ? 'was' : 'were'} in the library already); indexing started.`;
}
