/**
 * Search over text in photos, alone or together with CLIP's ranking.
 *
 * Note [Fused search]: quoted text asks for photos whose text contains it (Note [Quoted text]
 * in main/search/query.ts). A plain query is ranked by CLIP as always, and the words of its
 * descriptions (those added, not those subtracted) are also looked up in the photos' text;
 * the two lists are merged by reciprocal-rank fusion with k = 60: each photo scores `1 / (k + clip rank)` plus
 * `m / n / (k + text rank)`, where it shows m of the query's n words. Ranks, not raw scores,
 * are combined, since a cosine and a bm25 score share no scale. So "receipt lisboa" puts the
 * receipt that says Lisboa first as long as CLIP places it in roughly its top 60 receipts,
 * while a photo that merely says "Lisboa" somewhere, and looks nothing like a receipt, earns
 * half a text share and stays below CLIP's best receipts. Words shorter than three characters
 * (unless CJK) and a few English function words are not looked up: they match almost any text.
 */
import type { TextMatch } from '../storage/ocr-store.js';

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const FUNCTION_WORDS = new Set(['the', 'and', 'for', 'with', 'from', 'photo', 'photos', 'picture', 'image', 'that', 'this', 'are', 'was', 'its', 'his', 'her', 'their', 'our']);
export const FUSION_K = 60;

/** The words of a plain query worth looking up in photos' text (see Note [Fused search]). */
export function queryWords(query: string): string[] {
  const words = query
    .toLowerCase()
    .split(/[^\p{L}\p{N}\p{M}]+/u)
    .filter((word) => (CJK.test(word) ? word.length >= 1 : [...word].length >= 3) && !FUNCTION_WORDS.has(word));
  return [...new Set(words)];
}

export interface FusedHit {
  imageId: number;
  score: number;
  /** 1-based place in CLIP's ranking; null when CLIP did not list it. */
  clipRank: number | null;
  /** How many query words its text contains (0 when none). */
  matched: number;
}

/**
 * Merges CLIP's ranking (best first) with text matches (best first) for a query of `words`
 * words, as Note [Fused search] says. Every image of either list appears once, best first.
 */
export function fuseRankings(clip: ReadonlyArray<{ imageId: number }>, text: readonly TextMatch[], words: number, k = FUSION_K): FusedHit[] {
  const hits = new Map<number, FusedHit>();
  clip.forEach(({ imageId }, i) => {
    if (!hits.has(imageId)) hits.set(imageId, { imageId, score: 1 / (k + i + 1), clipRank: i + 1, matched: 0 });
  });
  if (words > 0) {
    text.forEach(({ imageId, matched }, i) => {
      const hit = hits.get(imageId) ?? { imageId, score: 0, clipRank: null, matched: 0 };
      if (hit.matched > 0) return;
      hit.matched = matched;
      hit.score += Math.min(1, matched / words) / (k + i + 1);
      hits.set(imageId, hit);
    });
  }
  return [...hits.values()].sort((a, b) => b.score - a.score || b.matched - a.matched || (a.clipRank ?? Infinity) - (b.clipRank ?? Infinity));
}
