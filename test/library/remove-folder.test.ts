/**
 * Note [Removed a slice at a time] in main/library/library.ts: a folder removed goes at once from
 * what the library shows, and its photos' images, vectors and thumbnails go a slice at a time,
 * the engine's thread free between slices; the vector index then holds none of them.
 */
import path from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type { Library } from '../../main/library/library.js';
import { syntheticLibrary } from '../bench/library.js';
import { turnCounter } from '../helpers/event-loop.js';
import { tempDir } from '../helpers/fixtures.js';

const PHOTOS = 1200;
const DIM = 32;
let scratch: { dir: string; cleanup: () => Promise<void> };
let library: Library;

beforeEach(async () => {
  scratch = await tempDir();
  ({ library } = await syntheticLibrary(path.join(scratch.dir, 'library'), PHOTOS, DIM, 'm', () => {}));
});

afterEach(async () => {
  vi.restoreAllMocks();
  await library.close();
  await scratch.cleanup();
});

it('removes a folder of many photos a slice at a time, letting other work run between slices', async () => {
  const index = await library.vectorIndex('m', DIM);
  await index.ready();
  expect(index.size).toBe(PHOTOS);
  const slices = vi.spyOn(library.storage.library, 'deleteOrphanImagesAfter');
  const turns = turnCounter();
  turns.start();
  let gone = false;
  const removing = library.removeFolder(library.folders()[0]!.id, () => (gone = true));
  // At once, the folder and its photos are gone from what the library shows, and from search.
  expect([gone, library.folders().length, library.storage.photos.allPhotos().length]).toEqual([true, 0, 0]);
  const query = new Float32Array(DIM).fill(1 / Math.sqrt(DIM));
  expect(await index.rank(query, null)).toEqual([]);
  expect(library.status().images).toBeGreaterThan(0);
  await removing;
  turns.stop();
  expect(slices.mock.calls.length).toBeGreaterThanOrEqual(3);
  expect(turns.turns).toBeGreaterThanOrEqual(slices.mock.calls.length - 1);
  expect(library.status()).toMatchObject({ images: 0 });
  expect(await index.rank(query, null)).toEqual([]);
});
