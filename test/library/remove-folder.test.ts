/**
 * Note [Removed a slice at a time] in main/library/library.ts: a folder removed goes at once from
 * what the library shows, and its photos' images, vectors and thumbnails go a slice at a time,
 * the engine's thread free between slices; the vector index then holds none of them.
 */
import path from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { JobControl } from '../../main/jobs/job.js';
import type { Library } from '../../main/library/library.js';
import { syntheticLibrary } from '../bench/library.js';
import { turnCounter } from '../helpers/event-loop.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos, loadFixtureModel } from '../helpers/library.js';

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

it('stops forgetting what a run left when its job is cancelled (a quit), and the next run forgets the rest first', async () => {
  const model = await loadFixtureModel(IMMICH_MODEL);
  try {
    const photos = path.join(scratch.dir, 'Photos');
    await copyPhotos((await fixturePhotos()).slice(0, 2), photos);
    const [synthetic] = library.folders();
    const { folders: [added] } = await library.addFolders([photos]);
    // The synthetic folder is removed while the run goes on: its images go as the run ends, a slice at a time.
    const control = new JobControl();
    let removing: Promise<void> | null = null;
    let ended = false;
    const slice = library.storage.library.deleteOrphanImagesAfter.bind(library.storage.library);
    const slices = vi.spyOn(library.storage.library, 'deleteOrphanImagesAfter').mockImplementation((after, limit) => {
      // The person quits as the first slice after the run goes.
      if (ended) control.cancel();
      return slice(after, limit);
    });
    const summary = await library.index(model, {
      folders: [added!],
      control,
      onStored: () => (removing ??= library.removeFolder(synthetic!.id)),
      onProgress: (progress) => (ended ||= progress.phase === 'finishing'),
    });
    await removing;
    expect(summary.embedded).toBe(2);
    // One slice went, no more.
    expect(library.status().images).toBe(PHOTOS + 2 - 500);
    slices.mockRestore();
    // The next run forgets the rest before it walks.
    expect(await library.index(model, { folders: [added!] })).toMatchObject({ embedded: 0, unchanged: 2 });
    expect(library.status()).toMatchObject({ photos: 2, images: 2 });
  } finally {
    await model.dispose();
  }
});
