/**
 * Note [One exifr options object]: reading metadata of many photos leaves exifr's options cache
 * at one entry, so a long indexing run or an app open for weeks does not grow its heap per photo.
 */
import exifr from 'exifr';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readMetadata } from '../../main/library/decode.js';
import { fixturePhotos } from '../helpers/library.js';

/** exifr's options class (its typings leave it out). */
const Options = (exifr as unknown as { Options: { useCached(options: unknown): unknown } }).Options;

describe('reading metadata', () => {
  afterEach(() => vi.restoreAllMocks());

  it('hands exifr the same options object for every photo', async () => {
    const seen = new Set<unknown>();
    const useCached = Options.useCached.bind(Options);
    vi.spyOn(Options, 'useCached').mockImplementation((options) => {
      seen.add(options);
      return useCached(options);
    });
    for (const photo of (await fixturePhotos()).slice(0, 20)) await readMetadata(photo.file);
    expect(seen.size).toBe(1);
  });
});
