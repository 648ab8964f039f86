/**
 * Text in photos through the Engine, as the CLI and the app use it: the OCR job (its events,
 * what it reads and skips, starting by itself after indexing in the app), a photo's text, and
 * search by quoted text and by words fused with CLIP's ranking.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../main/engine/engine.js';
import type { SearchPage } from '../../main/search/search.js';
import type { AppEvent, JobInfo } from '../../preload/contract.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { fixturePhotos } from '../helpers/library.js';
import { writeTextLibrary } from './helpers.js';

describe('text in photos through the engine', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let folder: string;
  let engine: Engine;
  const events: AppEvent[] = [];
  const ocrJobs = (): JobInfo[] => events.flatMap((event) => (event.type === 'job' && event.job.kind === 'ocr' ? [event.job] : []));
  const names = (page: SearchPage) => page.results.map((hit) => hit.name);

  beforeAll(async () => {
    scratch = await tempDir();
    folder = path.join(scratch.dir, 'Photos');
    const shapes = (await fixturePhotos()).filter((photo) => ['star', 'circle', 'square'].includes(photo.shape)).filter((_, i) => i % 2 === 0);
    await writeTextLibrary(folder, shapes);
    engine = new Engine({ dataDir: path.join(scratch.dir, 'data'), model: IMMICH_MODEL, provider: 'cpu', onEvent: (event) => events.push(event) });
    await (await engine.addFolders([folder])).indexing.done;
  });

  afterAll(async () => {
    await engine.dispose();
    await scratch.cleanup();
  });

  const photoId = (name: string) => engine.library().resolvePhoto(path.join(folder, name)).photoId;

  it('reads the library’s photos as a job, skipping those the gate turns away, and reads nothing twice', async () => {
    await expect(engine.search('"lisboa"')).resolves.toMatchObject({ total: 0 });
    const running = engine.readText();
    expect(running.job.kind).toBe('ocr');
    const summary = await running.done;
    expect(summary).toMatchObject({ withText: 3, failed: [] });
    expect(summary.read + summary.skipped).toBe(engine.library().status().images);
    const jobs = ocrJobs();
    expect(jobs[0]?.state).toBe('running');
    expect(jobs.at(-1)).toMatchObject({ state: 'done', subject: null, progress: { done: summary.read + summary.skipped, total: summary.read + summary.skipped, withText: 3 } });
    expect(await engine.readText().done).toEqual({ read: 0, withText: 0, skipped: 0, failed: [] });
  });

  it('gives a photo’s lines, and reads one the gate skipped only when asked', async () => {
    expect(await engine.photoText(photoId('sign-porto.jpg'))).toEqual({ read: true, skipped: false, lines: [{ text: 'Porto 1987', confidence: expect.any(Number), box: expect.any(Array) }] });
    const scenery = photoId('scenery.jpg');
    expect(await engine.photoText(scenery)).toEqual({ read: false, skipped: true, lines: [] });
    expect(await engine.photoText(`#${scenery}`, { read: true })).toEqual({ read: true, skipped: false, lines: [] });
    await expect(engine.photoText(path.join(folder, 'nowhere.jpg'))).rejects.toMatchObject({ code: 'not-found' });
  });

  it('finds photos by quoted text, with filters, paging, exclusions and a description to rank them', async () => {
    const quoted = await engine.search('"lisboa"');
    expect(names(quoted).sort()).toEqual(['sign-lisboa.jpg', 'star-lisboa.jpg']);
    expect(quoted.results.map((hit) => hit.score)).toEqual([1, 1]);
    expect(names(await engine.search('“Porto 1987”'))).toEqual(['sign-porto.jpg']);
    expect(names(await engine.search('"lisboa" - "porto"')).sort()).toEqual(['sign-lisboa.jpg', 'star-lisboa.jpg']);
    expect(await engine.search('"lisboa" + "porto"')).toMatchObject({ total: 0 });
    const second = await engine.search('"lisboa"', { limit: 1, offset: 1 });
    expect(second).toMatchObject({ total: 2, offset: 1 });
    expect(names(second)).toEqual([names(quoted)[1]]);
    expect(await engine.search('"lisboa"', { filters: { formats: ['png'] } })).toMatchObject({ total: 0 });

    // Ranked by how much they look like a star, and never cut: every photo that says Lisboa is listed.
    const stars = await engine.search('a photo of a star. "lisboa"', { cutoff: 1 });
    expect(names(stars)).toEqual(['star-lisboa.jpg', 'sign-lisboa.jpg']);
    expect(stars.belowCutoff).toBe(0);
    const notLisboa = names(await engine.search('a photo of a star. - "lisboa"', { showAll: true }));
    expect(notLisboa).not.toContain('star-lisboa.jpg');
    expect(notLisboa).not.toContain('sign-lisboa.jpg');
    expect(notLisboa).toContain('sign-porto.jpg');
  });

  it('puts the star that says Lisboa first for a plain "star lisboa", and keeps text matches past the cutoff', async () => {
    const fused = await engine.search('star lisboa');
    expect(names(fused)[0]).toBe('star-lisboa.jpg');
    // CLIP alone ranks another photo higher: the words read in it lifted it to the top.
    expect(Math.max(...fused.results.map((hit) => hit.score))).toBeGreaterThan(fused.results[0]!.score);
    expect(names(fused)).toContain('sign-lisboa.jpg');
    // Each hit says whether its text matched, which is why it may rank above a higher score.
    expect(fused.results.filter((hit) => hit.textMatch).map((hit) => hit.name).sort()).toEqual(['sign-lisboa.jpg', 'star-lisboa.jpg']);

    // A cutoff of 1 keeps only CLIP's best, and every photo whose text matches.
    expect(await engine.search('a photo of a star.', { cutoff: 1 })).toMatchObject({ total: 1 });
    const strict = await engine.search('a photo of a star. lisboa', { cutoff: 1 });
    expect(names(strict)).toEqual(expect.arrayContaining(['star-lisboa.jpg', 'sign-lisboa.jpg']));
    expect(strict.total).toBeLessThanOrEqual(3);
    expect(strict.belowCutoff).toBeGreaterThan(20);
    const newest = await engine.search('a photo of a star. lisboa', { cutoff: 1, sort: 'newest' });
    expect(names(newest).sort()).toEqual(names(strict).sort());
  });

  it('starts reading by itself after indexing in the app, and stops when cancelled', async () => {
    const app = new Engine({ dataDir: path.join(scratch.dir, 'app-data'), model: IMMICH_MODEL, provider: 'cpu', watch: true, onEvent: (event) => events.push(event) });
    try {
      events.length = 0;
      await (await app.addFolders([folder])).indexing.done;
      await expect.poll(() => ocrJobs().at(-1)?.state, { timeout: 60_000 }).toBe('done');
      const background = ocrJobs().at(-1)!;
      expect(background.progress).toMatchObject({ withText: 3 });
      // After the tagging the run started as it ended, not beside it (Note [Reading in the background]).
      const at = (kind: string, ended: boolean) => events.findIndex((event) => event.type === 'job' && event.job.kind === kind && (event.job.state === 'done') === ended);
      expect(at('tag', true)).toBeGreaterThanOrEqual(0);
      expect(at('ocr', false)).toBeGreaterThan(at('tag', true));
      expect(app.library().storage.ocr.counts()).toMatchObject({ withText: 3 });

      const everything = app.readText({ photos: [folder], all: true });
      expect(everything.job.id).not.toBe(background.id);
      everything.job.cancel();
      await expect(everything.done).rejects.toMatchObject({ code: 'cancelled' });
      expect(() => app.readText({ photos: [path.join(scratch.dir, 'elsewhere')] })).toThrow(/is not a photo in the library/);
    } finally {
      await app.dispose();
    }
  });

  it('starts reading again paused, as the person left it, when a change of models stopped it (Note [Started paused])', async () => {
    let paused: string | null = null;
    const app = new Engine({
      dataDir: path.join(scratch.dir, 'paused-data'),
      model: IMMICH_MODEL,
      provider: 'cpu',
      watch: true,
      onEvent: (event) => {
        events.push(event);
        // Paused by the person as it starts, before it reads a photo.
        if (paused === null && event.type === 'job' && event.job.kind === 'ocr' && event.job.state === 'running') {
          paused = event.job.id;
          app.jobs.get(event.job.id).pause();
        }
      },
    });
    try {
      events.length = 0;
      await (await app.addFolders([folder])).indexing.done;
      await expect.poll(() => paused, { timeout: 30_000 }).not.toBeNull();
      await app.updateSettings({ provider: 'cpu' });
      await expect.poll(() => ocrJobs().some((job) => job.id !== paused), { timeout: 30_000 }).toBe(true);
      // Time enough for a job started running to say so.
      await new Promise((resolve) => setTimeout(resolve, 500));
      // Each job as it is now (its latest event): a job paused as it starts can say so more than once.
      const again = [...new Map(ocrJobs().filter((job) => job.id !== paused).map((job) => [job.id, job])).values()];
      expect(again.map((job) => [job.state, job.background])).toEqual([['paused', true]]);
    } finally {
      await app.dispose();
    }
  });
});
