/**
 * Note [Verdicts under new names]: the template editor measures a draft whose tags may be renamed,
 * before it is saved; the verdicts are stored under the saved names. A verdict on a tag renamed in
 * the draft counts for its new name, as saving the draft would move it (Note [Renamed tags] in
 * library-vocabulary.ts), so a rename alone changes no figure, and no verdict is said to be on a
 * tag the draft lacks when it is on one the draft renamed.
 */
import type { TagRename } from '../storage/tag-store.js';
import { tagNameKey } from './vocabulary-rules.js';

/** A verdict's tag name as the draft that `renames` says calls it: its new name, or its own. */
export function namesAfterRenames(renames: readonly TagRename[]): (savedName: string) => string {
  const renamedTo = new Map(renames.map(({ from, to }) => [tagNameKey(from), to]));
  return (savedName) => renamedTo.get(tagNameKey(savedName)) ?? savedName;
}
