/**
 * Note [Verdicts under new names]: the template editor measures a draft whose tags may be renamed,
 * before it is saved; the verdicts are stored under the saved names. A verdict on a tag renamed in
 * the draft counts for its new name, as saving the draft would move it (Note [Renamed tags] in
 * library-vocabulary.ts), so a rename alone changes no figure, and no verdict is said to be on a
 * tag the draft lacks when it is on one the draft renamed. Onto a name the draft takes from a tag
 * it deletes, a photo with verdicts on both counts once, by the renamed tag's, as saving keeps it
 * (Note [Moving renamed tags] in main/storage/tag-store.ts).
 */
import type { ImageTagRow, TagRename } from '../storage/tag-store.js';
import { tagNameKey } from './vocabulary-rules.js';

/** A verdict's tag name as the draft that `renames` says calls it: its new name, or its own. */
export function namesAfterRenames(renames: readonly TagRename[]): (savedName: string) => string {
  const renamedTo = new Map(renames.map(({ from, to }) => [tagNameKey(from), to]));
  return (savedName) => renamedTo.get(tagNameKey(savedName)) ?? savedName;
}

/** The person's verdicts `rows` as saving the draft that `renames` says would leave them: by the new names, one per photo and tag, the renamed tag's first. */
export function verdictsAfterRenames(rows: readonly ImageTagRow[], renames: readonly TagRename[]): ImageTagRow[] {
  const nameNow = namesAfterRenames(renames);
  const kept = new Map<string, ImageTagRow & { moved: boolean }>();
  for (const row of rows) {
    const tag = nameNow(row.tag);
    const moved = tagNameKey(tag) !== tagNameKey(row.tag);
    const key = `${row.imageId}\u0000${tagNameKey(tag)}`;
    if (!kept.get(key)?.moved) kept.set(key, { ...row, tag, moved });
  }
  return [...kept.values()].map(({ moved: _moved, ...row }) => row);
}
