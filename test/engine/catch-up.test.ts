/**
 * Note [Catch up at launch]: the app's engine, opened on a library whose folders changed while no
 * app ran, finds the changes in one whole re-scan, and starts none when a run of its own has
 * walked everything already or when another program writes the library.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Engine } from '../../main/engine/engine.js';
import { LibraryStore } from '../../main/storage/library-store.js';
import { WriterLock } from '../../main/storage/writer-lock.js';
import type { AppEvent, JobInfo } from '../../preload/contract.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos, type FixturePhoto } from '../helpers/library.js';

describe('the app catching up at launch', () => {
  let photos: FixturePhoto[];
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let root: string;
  let dataDir: string;
  let paths: string[];
  const engines: Engine[] = [];
  const events: AppEvent[] = [];
  const indexJobs = (): JobInfo[] => events.flatMap((event) => (event.type === 'job' && event.job.kind === 'index' ? [event.job] : []));
  const appEngine = (): Engine => {
    const engine = new Engine({ dataDir, model: IMMICH_MODEL, provider: 'cpu', watch: true, app: true, onEvent: (event) => events.push(event) });
    engines.push(engine);
    return engine;
  };

  beforeAll(async () => {
    photos = await fixturePhotos();
  });
  beforeEach(async () => {
    scratch = await tempDir();
    root = path.join(scratch.dir, 'Photos');
    dataDir = path.join(scratch.dir, 'data');
    paths = await copyPhotos(photos.slice(0, 4), root, () => 'a');
    const first = appEngine();
    await (await first.addFolders([root])).indexing.done;
    await first.dispose();
    events.length = 0;
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const engine of engines.splice(0)) await engine.dispose();
    await scratch.cleanup();
  });

  it('finds the photos added and deleted while the app was closed, once', async () => {
    await copyPhotos(photos.slice(4, 6), root, () => 'b');
    await rm(paths[0] as string);
    const engine = appEngine();
    expect(engine.library().status().photos).toBe(4);

    await engine.catchUp();
    await expect.poll(() => indexJobs().at(-1)?.state, { timeout: 20_000 }).toBe('done');
    expect(indexJobs().at(-1)?.progress).toMatchObject({ found: 5, embedded: 2 });
    expect(engine.library().status().photos).toBe(5);

    // Asked again in the same launch, it starts nothing.
    const jobs = indexJobs().length;
    await engine.catchUp();
    expect(indexJobs().length).toBe(jobs);
  });

  it('indexes a folder whose run failed on a full disk at the last launch', async () => {
    // The run fails as it starts, before it notes itself unfinished: the library looks indexed.
    const setMeta = LibraryStore.prototype.setMeta;
    const disk = { full: true };
    vi.spyOn(LibraryStore.prototype, 'setMeta').mockImplementation(function (this: LibraryStore, ...args) {
      if (disk.full) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      return setMeta.apply(this, args);
    });
    const added = path.join(scratch.dir, 'Added');
    await copyPhotos(photos.slice(4, 7), added, () => 'b');
    const full = appEngine();
    await expect((await full.addFolders([added])).indexing.done).rejects.toMatchObject({ message: expect.stringMatching(/disk is full/) });
    await full.dispose();
    disk.full = false;

    const engine = appEngine();
    await engine.catchUp();
    await expect.poll(() => indexJobs().at(-1)?.state, { timeout: 20_000 }).toBe('done');
    expect(engine.library().status().photos).toBe(7);
  });

  it('starts nothing after a whole re-scan of this launch, and waits while another program writes the library', async () => {
    const engine = appEngine();
    await engine.index().done;
    const jobs = indexJobs().length;
    await engine.catchUp();
    expect(indexJobs().length).toBe(jobs);
    await engine.dispose();

    await copyPhotos(photos.slice(4, 5), root, () => 'b');
    const other = WriterLock.tryTake(dataDir, '`lumen index`', 'indexing');
    expect(other).not.toBeNull();
    const later = appEngine();
    try {
      await later.catchUp();
      expect(indexJobs().length).toBe(jobs);
    } finally {
      other?.release();
    }
    // Its first write once the other program is done makes it the writer: it catches up then.
    await later.setExcludes(later.library().folders()[0]!.id, []);
    await expect.poll(() => indexJobs().length, { timeout: 20_000 }).toBeGreaterThan(jobs);
    await expect.poll(() => indexJobs().at(-1)?.state, { timeout: 20_000 }).toBe('done');
    expect(later.library().status().photos).toBe(5);
  });

  // Note [Becoming the writer] in main/engine/library-access.ts: `lumen index` ran beside the app, in a folder the app does not watch.
  it('becomes the writer as soon as the other program is done, and searches what it stored, with nothing asked of it', async () => {
    const cli = new Engine({ dataDir, model: IMMICH_MODEL, provider: 'cpu' });
    engines.push(cli);
    await cli.claimWriter('`lumen index`', 'indexing');
    const engine = appEngine();
    expect((await engine.search('a photo of a star.', { showAll: true })).total).toBe(4);
    await engine.catchUp();
    expect(indexJobs()).toEqual([]);

    const elsewhere = path.join(scratch.dir, 'Elsewhere');
    await copyPhotos(photos.slice(4, 6), elsewhere, () => 'c');
    await (await cli.addFolders([elsewhere])).indexing.done;
    await cli.dispose();

    await expect.poll(() => events.some((event) => event.type === 'library-changed'), { timeout: 10_000 }).toBe(true);
    await expect.poll(async () => (await engine.search('a photo of a star.', { showAll: true })).total, { timeout: 20_000 }).toBe(6);
  });
});
