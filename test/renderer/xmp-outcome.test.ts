/** The app's sentence after writing XMP sidecars: photos without tags, which got none, are not counted as sidecars left unchanged. */
import { describe, expect, it } from 'vitest';
import { xmpOutcome } from '../../renderer/src/lib/sidecars.js';

describe('what writing XMP sidecars did, in the app', () => {
  it('says the photos without tags apart from the sidecars left as they were', () => {
    expect(xmpOutcome({ written: 3, unchanged: 0, withoutTags: 92, skipped: [] })).toBe('XMP sidecars: 3 written, 0 unchanged, 0 skipped; 92 photos have no tags to write. Your photos were not changed.');
    expect(xmpOutcome({ written: 0, unchanged: 2, withoutTags: 1, skipped: [] })).toBe('XMP sidecars: 0 written, 2 unchanged, 0 skipped; 1 photo has no tags to write. Your photos were not changed.');
    expect(xmpOutcome({ written: 1, unchanged: 0, withoutTags: 0, skipped: [] })).toBe('XMP sidecars: 1 written, 0 unchanged, 0 skipped. Your photos were not changed.');
  });
});
