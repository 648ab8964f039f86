/**
 * Note [Tags follow the model] in main/tags/tagger.ts: a model chosen in the app's Settings tags
 * the library once its index run is done, whether that run embedded the photos (a new model) or
 * found them embedded already (back to a model whose vectors were kept).
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../main/engine/engine.js';
import type { AppEvent, JobInfo } from '../../preload/contract.js';
import { HF_MODEL, IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos, queryLibrary, SHAPES_VOCABULARY, taggedWith } from '../helpers/library.js';

describe('a model switched in Settings and back', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  const events: AppEvent[] = [];
  const engines: Engine[] = [];
  const dataDir = () => path.join(scratch.dir, 'data');
  const jobs = (kind: string): JobInfo[] => events.flatMap((event) => (event.type === 'job' && event.job.kind === kind ? [event.job] : []));
  /** The last word of each job of `kind` that is done, in the order they ended. */
  const done = (kind: string): JobInfo[] => [...new Map(jobs(kind).filter((job) => job.state === 'done').map((job) => [job.id, job])).values()];
  const autoTagModels = () => queryLibrary<string>(dataDir(), "SELECT DISTINCT model FROM image_tags WHERE source = 'auto'");

  beforeEach(async () => {
    scratch = await tempDir();
    const folder = path.join(scratch.dir, 'Photos');
    await copyPhotos((await fixturePhotos()).filter((_, i) => i % 10 === 0), folder);
    const setup = new Engine({ dataDir: dataDir(), provider: 'cpu' });
    engines.push(setup);
    await setup.importModel(IMMICH_MODEL);
    await setup.importModel(HF_MODEL);
    await setup.updateSettings({ model: 'tiny-clip-immich' });
    await (await setup.addFolders([folder])).indexing.done;
    await taggedWith(setup, SHAPES_VOCABULARY);
    await setup.dispose();
  });
  afterEach(async () => {
    for (const made of engines.splice(0)) await made.dispose();
    await scratch.cleanup();
    events.length = 0;
  });

  it('tags with the model chosen again, without being asked, as it did with the new one', async () => {
    expect(autoTagModels()).toEqual(['tiny-clip-immich']);
    const app = new Engine({ dataDir: dataDir(), provider: 'cpu', watch: true, app: true, onEvent: (event) => events.push(event) });
    engines.push(app);

    await app.updateSettings({ model: 'tiny-clip-hf' });
    await expect.poll(() => done('tag').length, { timeout: 30_000 }).toBe(1);
    expect(done('index').map((job) => job.progress)).toMatchObject([{ embedded: 8 }]);
    expect(autoTagModels()).toEqual(['tiny-clip-hf']);

    await app.updateSettings({ model: 'tiny-clip-immich' });
    await expect.poll(() => done('tag').length, { timeout: 30_000 }).toBe(2);
    expect(done('index').map((job) => job.progress)).toMatchObject([{ embedded: 8 }, { embedded: 0 }]);
    expect(autoTagModels()).toEqual(['tiny-clip-immich']);
  });
});
