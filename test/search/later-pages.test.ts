/**
 * Note [Later pages] in main/search/later-pages.ts: the pages after the first are cut from the
 * ranking the first was cut from, while the library does not change, so walking every page of a
 * broad search (Ctrl/Cmd+A) ranks a few times, not once a page, and re-scores each page's window,
 * not every photo above it.
 */
import { afterEach, expect, it, vi } from 'vitest';
import type { SearchOptionsInput } from '../../main/search/options.js';
import type { SearchHit } from '../../main/search/search.js';
import { appendPage, largestPage, nextPage } from '../../renderer/src/lib/result-pages.js';
import { MAX_PAGE_SIZE } from '../../main/search/page-limit.js';
import { syntheticSearch } from '../helpers/synthetic-search.js';

const PHOTOS = 4000;
const synthetic = syntheticSearch(PHOTOS, 4);

afterEach(() => {
  vi.restoreAllMocks();
});

/** Counts the rankings (graph searches and exact passes) and the rows re-scored from SQLite. */
async function counting() {
  const { search, library } = synthetic;
  const vectors = await library.vectorIndex(search.model.id, search.model.dim);
  const rankings = [vi.spyOn(vectors, 'search'), vi.spyOn(vectors, 'rank')];
  const rows = vi.spyOn(library.storage.embeddings, 'vectorsOf');
  return {
    rankings: () => rankings.reduce((sum, spy) => sum + spy.mock.calls.length, 0),
    rescored: () => rows.mock.calls.reduce((sum, [, ids]) => sum + [...ids].length, 0),
  };
}

/** Every page of the photos like photo 1, asked as the app's Ctrl/Cmd+A asks (Note [Pages may overlap]). */
async function everyPage(options: SearchOptionsInput): Promise<{ ids: number[]; takenAt: Array<number | null>; pages: number }> {
  const shownAs = (hits: SearchHit[]) => hits.map((hit) => ({ ...hit, id: hit.photoId }));
  let page = await synthetic.search.similar(1, { ...options, limit: 100, count: false });
  let shown = shownAs(page.results);
  let [fetched, pages] = [shown.length, 1];
  while (fetched < page.total) {
    const { offset, limit } = nextPage(fetched, largestPage(MAX_PAGE_SIZE));
    page = await synthetic.search.similar(1, { ...options, offset, limit, count: false });
    shown = appendPage(shown, shownAs(page.results));
    fetched = offset + page.results.length;
    pages++;
  }
  return { ids: shown.map((hit) => hit.id), takenAt: shown.map((hit) => hit.takenAt), pages };
}

it('walks every page of a broad search ranking a few times, each page re-scoring its own window', async () => {
  const counts = await counting();
  const { ids, pages } = await everyPage({ showAll: true });
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids.length).toBe(PHOTOS - 1);
  expect(pages).toBeGreaterThanOrEqual(5);
  // Ranked afresh for each page, it ranked once a page and re-scored 2x every photo above each page.
  expect(counts.rankings()).toBeLessThanOrEqual(3);
  expect(counts.rescored()).toBeLessThanOrEqual(pages * 2 * MAX_PAGE_SIZE);
});

it('gives the pages sorted by date in date order, from one ranking', async () => {
  const counts = await counting();
  const { ids, takenAt } = await everyPage({ showAll: true, sort: 'newest' });
  expect(ids.length).toBe(PHOTOS - 1);
  expect(counts.rankings()).toBe(1);
  expect(takenAt).toEqual([...takenAt].sort((a, b) => (b ?? 0) - (a ?? 0)));
});

it('ranks afresh once the library changed between pages', async () => {
  const first = await synthetic.search.similar(1, { limit: 100, count: false, showAll: true });
  const kept = await synthetic.search.similar(1, { offset: 50, limit: 100, count: false, showAll: true });
  const counts = await counting();
  expect(await synthetic.search.similar(1, { offset: 50, limit: 100, count: false, showAll: true })).toEqual(kept);
  expect(counts.rankings()).toBe(0);
  synthetic.library.storage.albums.create({ name: 'Changed', key: 'changed' }, [first.results[0]!.photoId]);
  await synthetic.search.similar(1, { offset: 50, limit: 100, count: false, showAll: true });
  expect(counts.rankings()).toBeGreaterThan(0);
});

it('ranks afresh once the vector index took a change SQLite had before it (photos held back while it rebuilt)', async () => {
  const { search, library } = synthetic;
  const vectors = await library.vectorIndex(search.model.id, search.model.dim);
  await search.similar(1, { limit: 100, count: false, showAll: true });
  const counts = await counting();
  await search.similar(1, { limit: 100, count: false, showAll: true });
  expect(counts.rankings()).toBe(0);
  vectors.remove([]);
  vectors.add([]);
  await search.similar(1, { limit: 100, count: false, showAll: true });
  expect(counts.rankings()).toBe(0);
  // A change of the index alone (SQLite unchanged): as when photos held back during a rebuild are applied.
  const [photo] = library.storage.embeddings.rawAfter(search.model.id, 0, 1);
  vectors.add([{ imageId: photo![0], vector: new Float32Array(photo![1].buffer.slice(photo![1].byteOffset, photo![1].byteOffset + photo![1].byteLength)) }]);
  await search.similar(1, { limit: 100, count: false, showAll: true });
  expect(counts.rankings()).toBe(1);
});
