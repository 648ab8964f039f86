/**
 * Writing tags into XMP sidecars, in the words the Tags page and the selection bar share: it
 * writes files beside the person's photos, so it asks first (AskTwice), and says what it did.
 */
import type { XmpExportInfo } from './api.js';
import { counted } from './format.js';

/** The question before writing `what` (the tags, a keyword) beside `photos` photos. */
export function xmpQuestion(what: string, photos: number): string {
  return `Write ${what} into an XMP sidecar beside ${photos === 1 ? 'the photo' : `each of the ${counted(photos, 'photo')}`}, where other photo apps read them? The photos themselves are not changed.`;
}

/**
 * What writing did: sidecars are counted by file, as identical copies each get their own. Photos
 * without tags get no sidecar and are said apart: counted as unchanged, they read as sidecars.
 */
export function xmpOutcome(summary: XmpExportInfo): string {
  const untagged = summary.withoutTags ? `; ${counted(summary.withoutTags, 'photo')} ${summary.withoutTags === 1 ? 'has' : 'have'} no tags to write` : '';
  return `XMP sidecars: ${summary.written} written, ${summary.unchanged} unchanged, ${summary.skipped.length} skipped${untagged}. Your photos were not changed.`;
}
