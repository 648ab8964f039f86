/**
 * An index run under a person's control: paused while it looks for photos, it reads the disk no
 * more and loads no image model (Note [Cooperative control] in main/jobs/job.ts); and its rate
 * is the photos' own (Note [Rate from the first photo] in run-figures.ts).
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { JobControl } from '../../main/jobs/job.js';
import type { IndexProgress } from '../../main/library/indexer.js';
import type { Library } from '../../main/library/library.js';
import { tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixtureModelAndPhotos, openLibrary } from '../helpers/library.js';

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A job's control whose clock moves only when the test moves it. */
class ControlOnTestClock extends JobControl {
  now = 0;

  override activeTime(): number {
    return this.now;
  }
}

describe('an index run under control', () => {
  const loaded = fixtureModelAndPhotos();
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let folder: string;
  let library: Library;

  beforeEach(async () => {
    scratch = await tempDir();
    folder = path.join(scratch.dir, 'Photos');
    library = openLibrary(path.join(scratch.dir, 'data'));
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await library.close();
    await scratch.cleanup();
  });

  /**
   * Indexes the library with `control`, paused at the first progress `pauseAt` picks; gives the
   * run and its progress once it is paused, and has stood still for a while.
   */
  async function runPausedAt(control: JobControl, pauseAt: (progress: IndexProgress) => boolean) {
    const reported: IndexProgress[] = [];
    const { folders } = await library.addFolders([folder]);
    const run = library.index(loaded.model, {
      folders,
      control,
      onProgress: (progress) => {
        reported.push(progress);
        if (reported.filter(pauseAt).length === 1 && pauseAt(progress)) control.pause();
      },
    });
    await vi.waitFor(() => expect(control.isPaused).toBe(true), { timeout: 30_000 });
    await settle(500);
    return { run, reported };
  }

  it('holds its walk at the next folder when paused while looking for photos', async () => {
    await copyPhotos(loaded.photos.slice(0, 30), folder, (_photo, i) => `day-${String(i).padStart(2, '0')}`);
    const control = new JobControl();
    const { run, reported } = await runPausedAt(control, (progress) => progress.found === 1);
    // Walked on, it would have found the 29 other folders' photos and gone on to index them.
    expect(reported.map((progress) => [progress.phase, progress.found])).toEqual([['scanning', 1]]);
    control.resume();
    expect(await run).toMatchObject({ embedded: 30, failed: [] });
  });

  it('says, once paused, what it has stored: the figures a person reads while it waits', async () => {
    await copyPhotos(loaded.photos.slice(0, 40), folder);
    const control = new JobControl();
    const reported: IndexProgress[] = [];
    let pausedOnce = false;
    const { folders } = await library.addFolders([folder]);
    const run = library.index(loaded.model, {
      folders,
      control,
      batchSize: 4,
      onProgress: (progress) => {
        reported.push(progress);
        if (progress.processed >= 8 && !pausedOnce) {
          pausedOnce = true;
          control.pause();
        }
      },
    });
    await vi.waitFor(() => expect(control.isPaused).toBe(true), { timeout: 30_000 });
    await settle(1000);
    const stored = library.storage.embeddings.count(loaded.model.id);
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThan(40);
    expect(reported.at(-1)).toMatchObject({ indexed: stored, processed: stored });
    control.resume();
    expect(await run).toMatchObject({ embedded: 40, failed: [] });
  });

  it('loads no image model while paused once its walk is over', async () => {
    await copyPhotos(loaded.photos.slice(0, 3), folder);
    const loadImageTower = vi.spyOn(loaded.model, 'loadImageTower');
    const control = new JobControl();
    const { run } = await runPausedAt(control, (progress) => progress.phase === 'indexing');
    expect(loadImageTower).not.toHaveBeenCalled();
    control.resume();
    expect(await run).toMatchObject({ embedded: 3, failed: [] });
    expect(loadImageTower).toHaveBeenCalledOnce();
  });

  it('measures its rate from its first photo, not over its walk and the load of the image model (Note [Rate from the first photo])', async () => {
    await copyPhotos(loaded.photos.slice(0, 4), folder);
    const control = new ControlOnTestClock();
    // On the run's clock: 10 s to walk, 5 s to load the image model, then a photo a second.
    const load = loaded.model.loadImageTower.bind(loaded.model);
    vi.spyOn(loaded.model, 'loadImageTower').mockImplementation(async () => {
      control.now += 5000;
      return load();
    });
    const embed = loaded.model.embedTensors.bind(loaded.model);
    vi.spyOn(loaded.model, 'embedTensors').mockImplementation(async (tensors) => {
      control.now += 1000 * tensors.length;
      return embed(tensors);
    });
    const reported: IndexProgress[] = [];
    const { folders } = await library.addFolders([folder]);
    const summary = await library.index(loaded.model, {
      folders,
      control,
      batchSize: 1,
      onProgress: (progress) => {
        reported.push(progress);
        if (progress.phase === 'scanning') control.now = 10_000;
      },
    });
    expect(summary).toMatchObject({ embedded: 4, failed: [] });
    // Measured over the walk and the load too, the last 10 s held 4 photos in 9 s: 0.44 a second.
    expect(reported.at(-1)?.imagesPerSecond).toBeCloseTo(1, 5);
  });
});
