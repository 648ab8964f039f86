/**
 * Soak: 20,000 generated photos indexed, then 10,000 searches of every kind (text, combined,
 * filtered, paged, sorted, by photo), with the process's memory sampled after a full collection.
 * While indexing, the JavaScript heap stays flat (it once grew 6.5 KB a photo: Note [One exifr
 * options object] in main/library/decode.ts); while searching, resident memory may grow as the
 * caches warm up, then stays flat. The curves are printed and kept in
 * .cache/reliability/soak.json. LUMEN_SOAK_PHOTOS and LUMEN_SOAK_SEARCHES scale it down for a
 * quick local try.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Library } from '../../main/library/library.js';
import type { ClipModel } from '../../main/models/clip.js';
import { PhotoSearch } from '../../main/search/search.js';
import { COLOURS, HF_MODEL, SHAPES, tempDir } from '../helpers/fixtures.js';
import { generatePhotos, seeded } from '../helpers/generated-photos.js';
import { loadFixtureModel, openLibrary } from '../helpers/library.js';
import { report } from '../helpers/report.js';

const PHOTOS = Number(process.env['LUMEN_SOAK_PHOTOS'] ?? 20_000);
const SEARCHES = Number(process.env['LUMEN_SOAK_SEARCHES'] ?? 10_000);
const SAMPLES = 20;
/** Searches before memory counts as warmed up (caches filled, the index's pages touched). */
const WARM_UP = Math.round(SEARCHES * 0.2);
/**
 * Allowed growth of resident memory from just after warm-up to the end, each end the median of
 * LEVEL_SAMPLES samples: a leak moves the level, one sample's spike (memory the allocator holds a
 * moment longer: 444 MB between 414 and 408 in one CI run) does not.
 */
const FLAT_MB = 48;
const LEVEL_SAMPLES = 5;
/** Allowed growth of the heap over the last 80 % of indexing. */
const FLAT_HEAP_MB = 16;

const MB = 2 ** 20;

/** Resident memory and heap in MB, after a full collection. */
function memory(): { rss: number; heap: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss: Math.round(rss / MB), heap: Math.round(heapUsed / MB) };
}

function residentMb(): number {
  return memory().rss;
}

describe('soak', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let model: ClipModel;
  let library: Library;
  let folder: string;

  beforeAll(async () => {
    scratch = await tempDir('lumen-soak-');
    folder = path.join(scratch.dir, 'Photos');
    model = await loadFixtureModel(HF_MODEL);
    library = openLibrary(path.join(scratch.dir, 'data'));
  });
  afterAll(async () => {
    await library?.close();
    await model?.dispose();
    await scratch?.cleanup();
  });

  it(`indexes ${PHOTOS} photos and answers ${SEARCHES} searches in flat memory`, async () => {
    const started = Date.now();
    await generatePhotos(folder, PHOTOS);
    const generatedSeconds = (Date.now() - started) / 1000;

    const indexing: Array<[number, number, number]> = [[0, memory().rss, memory().heap]];
    const indexStart = Date.now();
    let nextSample = PHOTOS / SAMPLES;
    const summary = await library.index(model, {
      folders: (await library.addFolders([folder])).folders,
      batchSize: 64,
      onProgress: (progress) => {
        if (progress.processed < nextSample) return;
        nextSample += PHOTOS / SAMPLES;
        const { rss, heap } = memory();
        indexing.push([progress.processed, rss, heap]);
      },
    });
    const indexSeconds = (Date.now() - indexStart) / 1000;
    expect(summary).toMatchObject({ embedded: PHOTOS, failed: [] });
    const { rss: indexedRss, heap: indexedHeap } = memory();
    indexing.push([PHOTOS, indexedRss, indexedHeap]);
    const heapWarm = (indexing.find(([done]) => done >= PHOTOS * 0.2) as [number, number, number])[2];

    const search = new PhotoSearch(library, model);
    const random = seeded(7);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const sets = Math.ceil(PHOTOS / 500);
    const searching: Array<[number, number]> = [[0, residentMb()]];
    const searchStart = Date.now();
    let results = 0;
    for (let i = 1; i <= SEARCHES; i++) {
      const kind = i % 10;
      // A filter every photo passes makes a search exact over the whole library (slow at 20k): a few.
      const broad = i % 50 === 6;
      const options = {
        limit: 1 + Math.floor(random() * 100),
        offset: Math.floor(random() * 3) * 50,
        sort: pick(['relevance', 'relevance', 'newest', 'oldest'] as const),
        showAll: random() < 0.3,
        filters: kind === 3 ? { folder: path.join(folder, `set-${Math.floor(random() * sets)}`) } : broad ? { formats: ['jpeg' as const], takenAfter: 0 } : {},
      };
      const text = `a photo of a ${pick(COLOURS)} ${pick(SHAPES)} number ${Math.floor(random() * 5000)}.`;
      const page =
        kind === 0
          ? await search.similar(1 + Math.floor(random() * PHOTOS), options)
          : kind === 5
            ? await search.search(`2:${pick(COLOURS)} ${pick(SHAPES)} - ${pick(COLOURS)}`, options)
            : await search.search(text, options);
      results += page.results.length;
      if (i % (SEARCHES / SAMPLES) === 0) searching.push([i, residentMb()]);
    }
    const searchSeconds = (Date.now() - searchStart) / 1000;
    expect(results).toBeGreaterThan(SEARCHES);

    const warm = searching.find(([done]) => done >= WARM_UP) as [number, number];
    const last = searching.at(-1) as [number, number];
    const afterWarmUp = searching.filter(([done]) => done >= WARM_UP).map(([, rss]) => rss);
    const level = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)] as number;
    const growthAfterWarmUp = level(afterWarmUp.slice(-LEVEL_SAMPLES)) - level(afterWarmUp.slice(0, LEVEL_SAMPLES));
    await report(
      'soak',
      {
        photos: PHOTOS,
        searches: SEARCHES,
        generatedSeconds,
        indexSeconds,
        photosPerSecond: Math.round(PHOTOS / indexSeconds),
        searchSeconds,
        msPerSearch: Number(((searchSeconds * 1000) / SEARCHES).toFixed(2)),
        rssAndHeapMbWhileIndexing: indexing,
        rssMbWhileSearching: searching,
        heapGrowthIndexingMb: indexedHeap - heapWarm,
        rssGrowthAfterWarmUpMb: last[1] - warm[1],
      },
      [
        `indexed ${PHOTOS} photos in ${indexSeconds.toFixed(0)} s; ${SEARCHES} searches at ${((searchSeconds * 1000) / SEARCHES).toFixed(1)} ms each`,
        `while indexing, photos:RSS/heap (MB): ${indexing.map(([done, rss, heap]) => `${done}:${rss}/${heap}`).join(' ')}`,
        `while searching, searches:RSS (MB): ${searching.map(([done, rss]) => `${done}:${rss}`).join(' ')}`,
      ],
    );
    expect(indexedHeap - heapWarm).toBeLessThan(FLAT_HEAP_MB);
    expect(growthAfterWarmUp).toBeLessThan(FLAT_MB);
  });
});
