import { describe, expect, it } from 'vitest';
import { fuseRankings, queryWords } from '../../main/ocr/fusion.js';

describe('text queries', () => {
  it('takes the words worth looking up from a plain query', () => {
    expect(queryWords('a photo of the receipt from Lisboa, 2024')).toEqual(['receipt', 'lisboa', '2024']);
    expect(queryWords('東京 at night')).toEqual(['東京', 'night']);
    expect(queryWords('Lisboa lisboa to go')).toEqual(['lisboa']);
  });
});

describe('fused ranking', () => {
  const receipts = Array.from({ length: 20 }, (_, i) => ({ imageId: 100 + i }));

  it('puts the receipt that says Lisboa first for "receipt lisboa"', () => {
    // CLIP ranks receipts 100..119; #112 says Lisboa, as does #500, a street sign CLIP ranks far down.
    const clip = [...receipts, ...Array.from({ length: 400 }, (_, i) => ({ imageId: 200 + i })), { imageId: 500 }];
    const fused = fuseRankings(clip, [{ imageId: 112, matched: 1 }, { imageId: 500, matched: 1 }], 2);
    expect(fused[0]).toMatchObject({ imageId: 112, clipRank: 13, matched: 1 });
    expect(fused.slice(1, 4).map((hit) => hit.imageId)).toEqual([100, 101, 102]);
    expect(fused.findIndex((hit) => hit.imageId === 500)).toBeGreaterThan(19);
    expect(new Set(fused.map((hit) => hit.imageId)).size).toBe(fused.length);
  });

  it('ties a photo with every query word in its text with CLIP’s best, and puts it first', () => {
    const fused = fuseRankings(receipts, [{ imageId: 7, matched: 2 }], 2);
    expect(fused.slice(0, 2).map((hit) => hit.imageId)).toEqual([7, 100]);
    expect(fused[0]).toMatchObject({ clipRank: null, matched: 2 });
    expect(fused[0]!.score).toBe(fused[1]!.score);
  });

  it('prefers photos matching more of the words', () => {
    const fused = fuseRankings([], [{ imageId: 1, matched: 2 }, { imageId: 2, matched: 1 }], 2);
    expect(fused.map((hit) => hit.imageId)).toEqual([1, 2]);
  });

  it('is CLIP’s ranking when no word was looked up', () => {
    expect(fuseRankings(receipts, [], 0).map((hit) => hit.imageId)).toEqual(receipts.map((r) => r.imageId));
  });
});
