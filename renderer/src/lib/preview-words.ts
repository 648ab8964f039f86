/** The template editor's live preview in words. */
import type { TagPreviewInfo } from './api.js';
import { formatCount } from './format.js';

/**
 * The preview against the saved tag, said after its count ("— 2 more and 6 fewer than saved",
 * "— 6 fewer than saved": no part that is none); none for a tag not saved yet, with nothing to
 * compare.
 */
export function previewChange(preview: TagPreviewInfo | null, tagSaved: boolean): string | null {
  if (!preview || !tagSaved) return null;
  const parts = [preview.gainedCount ? `${formatCount(preview.gainedCount)} more` : null, preview.lostCount ? `${formatCount(preview.lostCount)} fewer` : null].filter((part) => part !== null);
  return parts.length ? `${parts.join(' and ')} than saved` : 'the same as saved';
}
