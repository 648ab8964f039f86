/**
 * What an index job says of itself through the Engine: the whole job's figures when it went over
 * the library more than once (Note [A job of several passes]), and whether anybody asked for it
 * (Note [Background jobs]), with no text-reading job after it when nothing is left to read, and
 * no tagging after a cancel that came as it finished.
 */
import { copyFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Engine } from '../../main/engine/engine.js';
import type { IndexAsks } from '../../main/engine/index-asks.js';
import type { AppEvent, JobInfo } from '../../preload/contract.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('an index job', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let folder: string;
  let events: AppEvent[];
  let engine: Engine | null;
  const jobEvents = (kind: string): JobInfo[] => events.flatMap((event) => (event.type === 'job' && event.job.kind === kind ? [event.job] : []));
  const indexJobs = () => events.flatMap((event) => (event.type === 'job' && event.job.kind === 'index' ? [event.job] : []));

  function start(options: { watch: boolean; onJob?: (job: JobInfo) => void }): Engine {
    engine = new Engine({
      dataDir: path.join(scratch.dir, 'data'),
      model: IMMICH_MODEL,
      provider: 'cpu',
      watch: options.watch,
      onEvent: (event) => {
        events.push(event);
        if (event.type === 'job') options.onJob?.(event.job);
      },
    });
    return engine;
  }

  beforeEach(async () => {
    scratch = await tempDir();
    folder = path.join(scratch.dir, 'Photos');
    events = [];
    engine = null;
  });
  afterEach(async () => {
    await engine?.dispose();
    await scratch.cleanup();
  });

  it('ends saying what the whole job did over its passes, each failed file once and only while it fails (Note [A job of several passes])', async () => {
    const photos = await fixturePhotos();
    await copyPhotos(photos.slice(0, 20), folder, () => 'a');
    await writeFile(path.join(folder, 'a', 'bad.jpg'), Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(500, 7)]));
    // Met while still being copied: empty.
    const late = path.join(folder, 'a', 'late.jpg');
    await writeFile(late, '');
    // Kinds of files Lumen does not index, which each pass walks past again.
    for (const name of ['IMG_0001.CR2', 'IMG_0002.nef', 'clip.mov']) await writeFile(path.join(folder, 'a', name), 'not indexed');
    let askedAgain = false;
    const main = start({
      watch: false,
      // As the first pass finishes, the copy is done and the person asks to try the failed files again.
      onJob: (job) => {
        if (askedAgain || job.kind !== 'index' || job.progress?.phase !== 'finishing') return;
        askedAgain = true;
        copyFileSync(photos[20]!.file, late);
        main.index({ retryFailed: true });
      },
    });
    const { indexing } = await main.addFolders([folder]);
    const summary = await indexing.done;
    const phases = indexJobs().map((job) => job.progress?.phase);
    expect(phases.slice(phases.indexOf('finishing'))).toContain('scanning');
    expect(main.library().status()).toMatchObject({ photos: 21, failed: 1 });
    // The last pass alone indexed late.jpg, and failed bad.jpg once more; each file passed over counts once.
    const passedOver = { raw: 2, video: 1 };
    expect(indexJobs().at(-1)).toMatchObject({ id: indexing.job.id, state: 'done', progress: { indexed: 21, embedded: 21, failed: 1, removed: 0, passedOver } });
    // What the job answers with (the CLI's summary) is the whole job's too, not its last pass's.
    expect(summary).toMatchObject({ embedded: 21, removed: 0, passedOver, failed: [{ path: path.join(folder, 'a', 'bad.jpg') }] });
    expect(summary.unchanged).toBeGreaterThanOrEqual(20);
  });

  it('runs again as the person’s when they ask as it ends, after its last look at what was asked (Note [Background jobs])', async () => {
    await copyPhotos((await fixturePhotos()).slice(0, 2), folder);
    let asked: ReturnType<Engine['index']> | null = null;
    const main = start({
      watch: false,
      // "Re-scan now", pressed as the job ends: too late for it to go over the library again itself.
      onJob: (job) => {
        if (asked === null && job.kind === 'index' && job.state === 'done') asked = main.index();
      },
    });
    const first = (await main.addFolders([folder])).indexing;
    await first.done;
    await vi.waitFor(() => expect(indexJobs().at(-1)).toMatchObject({ id: expect.not.stringMatching(first.job.id), state: 'done' }), { timeout: 20_000, interval: 50 });
    expect(indexJobs().filter((job) => job.id !== first.job.id).map((job) => job.background)).not.toContain(true);
  });

  it('ends cancelled when the person cancels as it finishes, and no tagging starts after it', async () => {
    await copyPhotos((await fixturePhotos()).slice(0, 3), folder);
    const app = start({
      watch: true,
      // Cancel, pressed while the run forgets what went away and saves the index: no checkpoint there.
      onJob: (job) => {
        if (job.kind === 'index' && job.progress?.phase === 'finishing') app.jobs.get(job.id).cancel();
      },
    });
    const { indexing } = await app.addFolders([folder]);
    await expect(indexing.done).rejects.toMatchObject({ code: 'cancelled' });
    expect(indexJobs().at(-1)).toMatchObject({ id: indexing.job.id, state: 'cancelled' });
    // What it indexed is kept, and its folder is no new one any more: a later run a model fails would take a new one out.
    expect(app.library().status()).toMatchObject({ photos: 3 });
    expect((app as unknown as { indexing: { indexAsks: IndexAsks } }).indexing.indexAsks.takeNew()).toEqual([]);
    await settle(500);
    expect(jobEvents('tag')).toEqual([]);
  });

  it('is marked background when the watcher starts it, and no text-reading job follows when nothing is left to read (Note [Background jobs])', async () => {
    await mkdir(folder, { recursive: true });
    const app = start({ watch: true });
    const asked = (await app.addFolders([folder])).indexing;
    await asked.done;
    expect(indexJobs().every((job) => job.id === asked.job.id && !job.background)).toBe(true);
    // Something that is no photo lands in the folder: the watcher's run reads it, and fails it.
    await writeFile(path.join(folder, 'download.jpg'), 'not a photo yet');
    await vi.waitFor(() => expect(indexJobs().at(-1)).toMatchObject({ state: 'done', background: true, progress: { failed: 1 } }), { timeout: 20_000, interval: 50 });
    // Time enough to look for photos to read.
    await settle(1000);
    expect(jobEvents('ocr')).toEqual([]);
    expect(jobEvents('tag')).toEqual([]);
  });
});
