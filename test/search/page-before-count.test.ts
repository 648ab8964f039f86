/**
 * Note [Page before count] in main/search/search.ts: a page asked for without its count comes back
 * from the first pool that fills it, the same page the counted search gives, with `total` a lower
 * bound; the count, the CLI's default, is exact.
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { syntheticSearch } from '../helpers/synthetic-search.js';

/** Four themes of about a thousand photos each: far more pass the cutoff than one page's pool holds. */
const PHOTOS = 4000;
const THEMES = 4;

const synthetic = syntheticSearch(PHOTOS, THEMES);

type Page = { results: Array<{ photoId: number }> };
const ids = (page: Page) => page.results.map((hit) => hit.photoId);
/**
 * The photos two pages share. A page before its count comes from the graph's first pool; a
 * counted search that grows its pool past a sixteenth of this library ranks exactly. The graph is
 * approximate (and built on every core, so not the same twice), and near-ties abound in four
 * themes of a thousand photos: now and then one photo of twenty differs.
 */
const shared = (page: Page, other: Page) => ids(page).filter((id) => ids(other).includes(id)).length;

it('answers a page before counting its results, with the page a counted search gives', async () => {
  const counted = await synthetic.search.similar(1, { limit: 20 });
  expect(counted.counted).toBe(true);
  expect(counted.total).toBeGreaterThan(600);

  const first = await synthetic.search.similar(1, { limit: 20, count: false });
  expect(first.counted).toBe(false);
  expect(shared(first, counted)).toBeGreaterThanOrEqual(18);
  expect(first.total).toBeGreaterThanOrEqual(20);
  expect(first.total).toBeLessThan(counted.total);

  // The next pages, uncounted, go on where the first left off.
  const second = await synthetic.search.similar(1, { limit: 20, offset: 20, count: false });
  expect(shared(second, first)).toBe(0);
  expect(shared(second, await synthetic.search.similar(1, { limit: 20, offset: 20 }))).toBeGreaterThanOrEqual(18);
});

it('counts whenever the answer needs every result: sorted by date, or when the pool holds them all', async () => {
  const byDate = await synthetic.search.similar(1, { limit: 20, count: false, sort: 'newest' });
  expect(byDate.counted).toBe(true);
  expect(byDate.total).toBe((await synthetic.search.similar(1, { limit: 20, sort: 'newest' })).total);

  // Without the cutoff, sorted by date, every photo is a result (but the one they are like).
  const everyPhoto = await synthetic.search.similar(1, { limit: 20, showAll: true, sort: 'newest' });
  expect(everyPhoto).toMatchObject({ total: PHOTOS - 1, counted: true });
  const newest = everyPhoto.results.map((hit) => hit.takenAt);
  expect(newest).toEqual([...newest].sort((a, b) => (b ?? 0) - (a ?? 0)));

  // Without the cutoff every photo is a result, by relevance too: the page alone says it has not
  // counted them (its pool is not the total), and the count that follows counts every photo.
  const page = await synthetic.search.similar(1, { limit: 20, count: false, showAll: true });
  expect(page.method).toBe('index');
  expect(page.counted).toBe(false);
  expect(page.total).toBeLessThan(PHOTOS - 1);
  const count = await synthetic.search.similar(1, { limit: 20, showAll: true });
  expect(count).toMatchObject({ total: PHOTOS - 1, counted: true });
  expect(shared(count, page)).toBeGreaterThanOrEqual(18);
});

it('counts what passes the cutoff as ranking every photo would, through the graph and over a subset kept gathered', async () => {
  // A page of 500 takes a pool of 1,000, whose growth covers this library: every photo ranked exactly.
  const everyPhoto = (options: object) => synthetic.search.similar(1, { ...options, limit: 500 });
  for (const cutoff of [0.8, 0.9]) {
    for (const filters of [{}, { camera: 'canon' }]) {
      const reference = await everyPhoto({ cutoff, filters });
      expect(reference.method).toBe('exact');
      const counted = await synthetic.search.similar(1, { limit: 20, cutoff, filters });
      expect(counted.counted).toBe(true);
      // The graph is approximate: now and then it misses one near the cutoff.
      expect(counted.total).toBeGreaterThanOrEqual(Math.floor(reference.total * 0.97));
      expect(counted.total).toBeLessThanOrEqual(reference.total);
      expect(shared(counted, reference)).toBeGreaterThanOrEqual(18);
    }
  }
  // A fifth of the library, kept gathered, is ranked exactly (Note [Subset kept]): counted exactly.
  const filters = { takenAfter: Date.UTC(2000, 0, 1), takenBefore: Date.UTC(2004, 11, 31) };
  const counted = await synthetic.search.similar(1, { limit: 20, filters });
  expect(counted.method).toBe('exact');
  expect(counted.total).toBe((await everyPhoto({ filters })).total);
});

it('says how many photos the cutoff hides: once counted, every photo in scope it did not keep', async () => {
  expect((await synthetic.search.similar(1, { limit: 20, showAll: true })).belowCutoff).toBe(0);
  const camera = { camera: 'canon' };
  // Photo 1 itself is left out of its similar photos.
  const inCamera = synthetic.library.storage.photos.matching(camera)!;
  for (const [filters, scope] of [[{}, PHOTOS - 1], [camera, inCamera.size - (inCamera.has(1) ? 1 : 0)]] as const) {
    // At 0.9 a count stops at a pool far short of the library (through the graph, and over the subset kept).
    const counted = await synthetic.search.similar(1, { limit: 20, cutoff: 0.9, filters });
    expect(counted.counted).toBe(true);
    expect(counted.total).toBeLessThan(scope / 10);
    expect(counted.total + counted.belowCutoff).toBe(scope);
  }
  // Before the count, only what the pool ranked is known: at least that many are hidden.
  const uncounted = await synthetic.search.similar(1, { limit: 20, cutoff: 0.8, count: false });
  expect(uncounted.counted).toBe(false);
  expect(uncounted.belowCutoff).toBeLessThan(PHOTOS - 1 - uncounted.total);
});

it('counts below the cutoff only photos with a vector: one not embedded yet is in no ranking', async () => {
  const { library } = synthetic;
  const camera = { camera: 'canon' };
  const before = await synthetic.search.similar(1, { limit: 20, cutoff: 0.9, filters: camera });
  const inCamera = library.storage.photos.matching(camera)!.size;
  // Photos of that camera found but not embedded yet (as while indexing, or with another model).
  const [folder] = library.folders();
  const pending = Array.from({ length: 50 }, (_, i) => ({
    path: path.join(folder!.path, `pending-${i}.jpg`),
    folderId: folder!.id,
    size: 64,
    mtimeMs: 0,
    ctimeMs: 0,
    image: { created: { contentHash: `pending-${i}`, format: 'jpeg', width: 4000, height: 3000, takenAt: null, cameraMake: 'Canon', cameraModel: 'X', lens: null, latitude: null, longitude: null, orientation: 1, thumbnail: null } },
    vector: null,
  }));
  library.storage.library.writeBatch(library.servingModel()!, pending, []);
  expect(library.storage.photos.matching(camera)!.size).toBe(inCamera + 50);
  const after = await synthetic.search.similar(1, { limit: 20, cutoff: 0.9, filters: camera });
  expect(after.counted).toBe(true);
  expect(after.total).toBe(before.total);
  expect(after.belowCutoff).toBe(before.belowCutoff);
});
