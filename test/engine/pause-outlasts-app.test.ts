/**
 * Note [A pause outlasts the app]: work the person paused and left paused when the app quit
 * starts again paused at the next launch (indexing, tagging, reading text), and work left running
 * starts running. A run paused by itself (Note [Stuck runs]) is not a person's pause, and the
 * command line, which has no Resume, just runs.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../main/cli/index.js';
import { Engine } from '../../main/engine/engine.js';
import { LibraryStore } from '../../main/storage/library-store.js';
import type { AppEvent, JobInfo } from '../../preload/contract.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos, type FixturePhoto } from '../helpers/library.js';
import { writeTextLibrary } from '../ocr/helpers.js';

const PHOTOS = 12;
const LONG = { timeout: 60_000 };

describe('a pause across a restart of the app', () => {
  let photos: FixturePhoto[];
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let root: string;
  let dataDir: string;
  const engines: Engine[] = [];
  const events: AppEvent[] = [];
  /** Pauses each job of this kind as it first says it runs (before it does much), as a person would. */
  let pauseAsItStarts: string | null = null;
  const jobsOf = (kind: string): JobInfo[] => events.flatMap((event) => (event.type === 'job' && event.job.kind === kind ? [event.job] : []));
  const indexJobs = () => jobsOf('index');

  /** An engine as the app's (engine-service.ts): watching, the app's, on the same data folder. */
  const launch = (): Engine => {
    events.length = 0;
    const engine = new Engine({
      dataDir,
      model: IMMICH_MODEL,
      provider: 'cpu',
      watch: true,
      app: true,
      onEvent: (event) => {
        events.push(event);
        if (event.type === 'job' && event.job.kind === pauseAsItStarts && event.job.state === 'running') {
          pauseAsItStarts = null;
          engine.jobs.get(event.job.id).pause();
        }
      },
    });
    engines.push(engine);
    return engine;
  };
  /** Quits the app as it does (a `dispose`, which cancels the jobs). */
  const quit = async (engine: Engine): Promise<void> => {
    engines.splice(engines.indexOf(engine), 1);
    await engine.dispose();
  };
  /** Starts the app again and lets it catch up as it does after its first screen (Note [Catch up at launch]). */
  const relaunch = async (): Promise<Engine> => {
    const engine = launch();
    await engine.catchUp();
    return engine;
  };
  /** A person's pause of the index job as it starts, and quitting while it is paused. */
  const pauseAndQuit = async (): Promise<void> => {
    const first = launch();
    const { indexing } = await first.addFolders([root]);
    indexing.job.pause();
    await expect.poll(() => indexJobs().at(-1)?.state).toBe('paused');
    await quit(first);
  };
  /** The index job of this launch, seen paused from its first word: it never ran. */
  const expectStartedPaused = async (engine: Engine): Promise<string> => {
    await expect.poll(() => indexJobs().length, LONG).toBeGreaterThan(0);
    expect(indexJobs()[0]).toMatchObject({ state: 'paused', error: null });
    expect(engine.jobs.list().filter((job) => job.kind === 'index')).toMatchObject([{ state: 'paused' }]);
    return indexJobs()[0]!.id;
  };

  beforeAll(async () => {
    photos = await fixturePhotos();
  });
  beforeEach(async () => {
    scratch = await tempDir();
    root = path.join(scratch.dir, 'Photos');
    dataDir = path.join(scratch.dir, 'data');
    pauseAsItStarts = null;
    await copyPhotos(photos.slice(0, PHOTOS), root);
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const engine of engines.splice(0)) await engine.dispose();
    await scratch.cleanup();
  });

  it('starts a run the person left paused paused again, and completes it on Resume', async () => {
    await pauseAndQuit();

    const again = await relaunch();
    const id = await expectStartedPaused(again);
    expect(indexJobs().every((job) => job.state === 'paused')).toBe(true);
    expect(again.library().status().photos).toBe(0);

    again.jobs.get(id).resume();
    await expect.poll(() => indexJobs().at(-1)?.state, LONG).toBe('done');
    expect(again.library().status().photos).toBe(PHOTOS);
  });

  it('starts running again once the person resumed it, even if the app quit before it ended', async () => {
    await pauseAndQuit();
    const second = await relaunch();
    second.jobs.get(await expectStartedPaused(second)).resume();
    await expect.poll(() => indexJobs().at(-1)?.state).toBe('running');
    await quit(second);

    await relaunch();
    await expect.poll(() => indexJobs().length, LONG).toBeGreaterThan(0);
    expect(indexJobs()[0]).toMatchObject({ state: 'running' });
    await expect.poll(() => indexJobs().at(-1)?.state, LONG).toBe('done');
    expect(indexJobs().some((job) => job.state === 'paused')).toBe(false);
  });

  it('forgets the pause of a run the person cancelled', async () => {
    await pauseAndQuit();
    const second = await relaunch();
    second.jobs.get(await expectStartedPaused(second)).cancel();
    await expect.poll(() => indexJobs().at(-1)?.state, LONG).toBe('cancelled');
    await quit(second);

    await relaunch();
    await expect.poll(() => indexJobs().length, LONG).toBeGreaterThan(0);
    expect(indexJobs()[0]).toMatchObject({ state: 'running' });
    await expect.poll(() => indexJobs().at(-1)?.state, LONG).toBe('done');
  });

  it('runs after a restart a run that got stuck (Note [Stuck runs]): that pause was not the person’s', async () => {
    const disk = { full: true };
    const writeBatch = LibraryStore.prototype.writeBatch;
    vi.spyOn(LibraryStore.prototype, 'writeBatch').mockImplementation(function (this: LibraryStore, ...args) {
      if (disk.full) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      return writeBatch.apply(this, args);
    });
    const first = launch();
    await first.addFolders([root], [], { batchSize: 4 });
    await expect.poll(() => indexJobs().at(-1), LONG).toMatchObject({ state: 'paused', error: expect.stringMatching(/disk holding the library is full/) });
    await quit(first);
    disk.full = false;

    await relaunch();
    await expect.poll(() => indexJobs().length, LONG).toBeGreaterThan(0);
    expect(indexJobs()[0]).toMatchObject({ state: 'running' });
    await expect.poll(() => indexJobs().at(-1)?.state, LONG).toBe('done');
  });

  it('lets `lumen index` run a run the app left paused, and the app runs after it', async () => {
    await pauseAndQuit();
    const paused = await relaunch();
    await expectStartedPaused(paused);
    await quit(paused);

    let stdout = '';
    const code = await main(['index', '--data', dataDir, '--model', IMMICH_MODEL, '--provider', 'cpu', '--json'], {
      stdout: { write: (text: string) => ((stdout += text), true) },
      stderr: { write: () => true },
    });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ embedded: PHOTOS });

    const after = await relaunch();
    await expect.poll(() => indexJobs().length, LONG).toBeGreaterThan(0);
    expect(indexJobs()[0]).toMatchObject({ state: 'running' });
    await expect.poll(() => indexJobs().at(-1)?.state, LONG).toBe('done');
    expect(after.library().status().photos).toBe(PHOTOS);
  });

  it('starts tagging the person left paused paused again when the next run tags', async () => {
    pauseAsItStarts = 'tag';
    const first = launch();
    await (await first.addFolders([root])).indexing.done;
    await expect.poll(() => jobsOf('tag').at(-1)?.state, LONG).toBe('paused');
    await quit(first);
    // A photo added while the app was closed: the catch-up indexes it, and tags as it ends.
    await copyPhotos(photos.slice(PHOTOS, PHOTOS + 1), path.join(root, 'more'));

    const again = await relaunch();
    await expect.poll(() => jobsOf('tag').length, LONG).toBeGreaterThan(0);
    expect(jobsOf('tag')[0]).toMatchObject({ state: 'paused', background: true });
    again.jobs.get(jobsOf('tag')[0]!.id).resume();
    await expect.poll(() => jobsOf('tag').at(-1)?.state, LONG).toBe('done');
  }, 180_000);

  it('starts reading text the person left paused paused again', async () => {
    await rm(root, { recursive: true });
    await writeTextLibrary(root, photos.filter((photo) => photo.shape === 'star').slice(0, 2));
    pauseAsItStarts = 'ocr';
    const first = launch();
    await (await first.addFolders([root])).indexing.done;
    await expect.poll(() => jobsOf('ocr').at(-1)?.state, LONG).toBe('paused');
    await quit(first);

    const again = await relaunch();
    await expect.poll(() => jobsOf('ocr').length, LONG).toBeGreaterThan(0);
    expect(jobsOf('ocr')[0]).toMatchObject({ state: 'paused', background: true });
    // Reading all of it takes long on a slow machine: that it goes on is enough here.
    again.jobs.get(jobsOf('ocr')[0]!.id).resume();
    await expect.poll(() => jobsOf('ocr').at(-1)?.state, LONG).toMatch(/running|done/);
  }, 180_000);
});
