/** What adding folders did, said alike for folders picked in Settings or on first run, and dropped on the window. */
import type { FoldersAddedInfo } from '../../../preload/contract.js';
import type { FolderInfo } from './api.js';
import { counted, formatCount } from './format.js';

/**
 * `result.folders` are the folders the call answered with, those the library held already among
 * them (with their ids), so only the ones `before` did not hold count as added. With `before`
 * unknown (the status not read yet), every one counts. Each folder refused follows, with why
 * (Note [Some folders refused] in main/library/library.ts).
 */
export function foldersAddedText(result: FoldersAddedInfo, before: readonly FolderInfo[] | undefined): string {
  return [addedText(result.folders, before), ...result.refused.map((folder) => `Not added: ${folder.reason}`)].join(' ');
}

/** Whether some folders given were refused: then what the add did is said as an error, so that they are noticed beside those added. */
export const someRefused = (result: FoldersAddedInfo): boolean => result.refused.length > 0;

function addedText(given: readonly FolderInfo[], before: readonly FolderInfo[] | undefined): string {
  const held = new Set((before ?? []).map((folder) => folder.id));
  const added = given.filter((folder) => !held.has(folder.id)).length;
  const already = given.length - added;
  if (added === 0) return `${given.length === 1 ? 'That folder is' : 'Those folders are'} in the library already.`;
  if (already === 0) return `Added ${added === 1 ? 'the folder' : `${formatCount(added)} folders`}; indexing started.`;
  return `Added ${counted(added, 'folder')} (${formatCount(already)} ${already === 1 ? 'was' : 'were'} in the library already); indexing started.`;
}
