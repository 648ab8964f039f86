/**
 * The kinds of files Lumen indexes and passes over, as the window says them: in the words the
 * CLI uses too, from main/library/photo-kinds.ts, where the formats the indexer recognises are
 * named (its ImageFormat is made from those names, so the two cannot drift apart).
 */
import { INDEXED_FORMATS_TEXT, passedOverText, type PassedOver } from '../../../main/library/photo-kinds.js';
import { formatCount } from './format.js';

/** What Lumen indexes and what it leaves out: the walk skips videos and camera RAW files unread (NOT_PHOTOS in formats.ts). */
export const INDEXED_KINDS_TEXT = `Lumen indexes photos in ${INDEXED_FORMATS_TEXT}; it leaves out videos, and camera RAW files for now.`;

/** What an index job passed over, said once as it ends (Note [Nothing skipped silently] in main/library/scan.ts); null for nothing. */
export function notIndexedText(passedOver: PassedOver): string | null {
  return passedOverText(passedOver, formatCount);
}
