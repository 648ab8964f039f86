/**
 * Note [Later pages]: the app asks for a search's results a page at a time, and Ctrl/Cmd+A asks
 * for every page (Note [Pages may overlap] in the renderer). Ranked anew for each page, page k
 * ranked k pages of candidates and re-scored all of them from SQLite: selecting all the results
 * of a broad search over 100k photos took over a minute, and the time grew with the square of
 * the pages. So the ranking a page was cut from is kept, and a later page of the same search is
 * cut from it while neither the library nor its vector index changed (`PhotoStore.changeStamp`,
 * `VectorIndex.version`); only its own window is re-scored (Note [Re-ranking]). Asked past a
 * first page (MIN_POOL results), a search ranks every photo in scope exactly: rankings of the
 * graph's pools of other sizes disagreed on where photos deep in them lay, and a walk of every
 * page of 100k photos missed 598 of them. So a walk ranks twice: its first page, and the rest.
 */
import { LruCache } from '../core/lru.js';
import type { ScoredImage } from '../storage/vector-index.js';
import type { SearchOptions } from './options.js';

export type Candidate = ScoredImage & { matched?: number };

/** A search's results in the order shown, and what its pages say of them. */
export interface Ranking {
  ordered: Candidate[];
  belowCutoff: number;
  method: 'index' | 'exact';
  counted: boolean;
  /** Whether `ordered` holds every result (else the best found so far). */
  complete: boolean;
  /** Whether `ordered` is by score alone, so a page may re-score its window (not fused with text, not by date). */
  byScore: boolean;
}

/** What makes two asks the same search: all but the page asked for. */
export interface RankingAsk {
  model: string;
  query: Float32Array;
  options: SearchOptions;
  exclude: ReadonlySet<number>;
  only: ReadonlySet<number> | null;
  words: readonly string[];
  /** Where the library's data stands (Note [Later pages]). */
  stamp: string;
}

/** A search and its count are asked one after the other: both are kept. */
const KEPT = 2;

export class LaterPages {
  private readonly kept = new LruCache<string, Ranking>(KEPT);

  /** The kept ranking of `ask` when it reaches `end` results (or holds them all). */
  find(ask: RankingAsk, end: number): Ranking | null {
    const ranking = this.kept.get(keyOf(ask));
    return ranking && (ranking.complete || end <= ranking.ordered.length) ? ranking : null;
  }

  keep(ask: RankingAsk, ranking: Ranking): void {
    this.kept.set(keyOf(ask), ranking);
  }
}

function keyOf({ model, query, options, exclude, only, words, stamp }: RankingAsk): string {
  const { limit: _limit, offset: _offset, ...rest } = options;
  const vector = Buffer.from(query.buffer, query.byteOffset, query.byteLength).toString('base64');
  const sorted = (ids: ReadonlySet<number> | null) => (ids ? [...ids].sort((a, b) => a - b).join(',') : '-');
  return JSON.stringify([model, vector, rest, sorted(exclude), sorted(only), words, stamp]);
}
