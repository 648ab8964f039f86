/**
 * Note [Re-scan where it changed], through the Engine as the app runs it: a photo written into
 * one folder of a watched library starts a run that walks that folder only, and the photo is in
 * the library; a re-scan asked for walks everything.
 */
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../main/engine/engine.js';
import type { AppEvent, JobInfo } from '../../preload/contract.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos, type FixturePhoto } from '../helpers/library.js';

describe('the app re-scanning where its folders changed', () => {
  let photos: FixturePhoto[];
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let root: string;
  let engine: Engine;
  const events: AppEvent[] = [];
  /** Index runs that finished, newest last. */
  const finishedRuns = (): JobInfo[] => events.flatMap((event) => (event.type === 'job' && event.job.kind === 'index' && event.job.state === 'done' ? [event.job] : []));

  beforeAll(async () => {
    photos = await fixturePhotos();
  });
  beforeEach(async () => {
    scratch = await tempDir();
    root = path.join(scratch.dir, 'Photos');
    // Three photos in each of Photos/a and Photos/b.
    await copyPhotos(photos.slice(0, 6), root, (_photo, i) => (i % 2 ? 'a' : 'b'));
    events.length = 0;
    engine = new Engine({ dataDir: path.join(scratch.dir, 'data'), model: IMMICH_MODEL, provider: 'cpu', watch: true, onEvent: (event) => events.push(event) });
    await (await engine.addFolders([root])).indexing.done;
  });
  afterEach(async () => {
    await engine.dispose();
    await scratch.cleanup();
  });

  it('walks only the folder a new photo landed in', async () => {
    expect(finishedRuns().at(-1)?.progress).toMatchObject({ found: 6 });
    const runs = finishedRuns().length;
    await copyPhotos(photos.slice(6, 7), root, () => 'a');
    await expect.poll(() => finishedRuns().length, { timeout: 20_000 }).toBeGreaterThan(runs);
    expect(finishedRuns().at(-1)?.progress).toMatchObject({ found: 4, embedded: 1 });
    expect(engine.library().status().photos).toBe(7);
    // A re-scan asked for walks everything.
    await engine.index().done;
    expect(finishedRuns().at(-1)?.progress).toMatchObject({ found: 7 });
  });
});
