/**
 * A search before any photo is indexed says why, as the person can act on it: the first run's
 * first search, typed while the first photos index ("3. Search while it indexes"), was told to add
 * a folder.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../main/engine/engine.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

describe('a search before any photo is indexed', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let folder: string;
  let engine: Engine;

  beforeEach(async () => {
    scratch = await tempDir();
    folder = path.join(scratch.dir, 'Photos');
    await copyPhotos((await fixturePhotos()).slice(0, 4), folder);
    // As the app runs it: the model chosen in Settings, not given to the engine.
    engine = new Engine({ dataDir: path.join(scratch.dir, 'data'), provider: 'cpu' });
    await engine.importModel(IMMICH_MODEL);
    await engine.updateSettings({ model: 'tiny-clip-immich' });
  });
  afterEach(async () => {
    await engine.dispose();
    await scratch.cleanup();
  });

  const refusal = () => engine.search('a photo of a star.').then(() => 'answered', (error: Error) => error.message);

  it('says indexing is paused, and not to add a folder, until a photo is indexed', async () => {
    const { indexing } = await engine.addFolders([folder]);
    indexing.job.pause();
    expect(await refusal()).toBe('No photo is indexed yet, and indexing is paused: resume it to search.');
    // Paused before it stored a photo, as a person's pause right after adding the folder is.
    expect(engine.library().servingModel()).toBeNull();
    indexing.job.resume();
    await indexing.done;
    expect(await refusal()).toBe('answered');
  });

  it('says results come as indexing goes on while a run has yet to store its first photo', async () => {
    const { indexing } = await engine.addFolders([folder]);
    indexing.job.cancel();
    await indexing.done.catch(() => {});
    // An index run held before its first photo, as a large first folder's walk holds it.
    let release = () => {};
    const held = engine.jobs.start('index', () => new Promise<void>((resolve) => (release = resolve)));
    expect(await refusal()).toBe('No photo is indexed yet: results come as indexing goes on.');
    release();
    await held.done;
  });

  it('says the folders are not indexed yet when a run stopped before its first photo', async () => {
    const { indexing } = await engine.addFolders([folder]);
    indexing.job.cancel();
    await indexing.done.catch(() => {});
    expect(await refusal()).toBe("No photo in the library's folders is indexed yet. Let indexing run first.");
  });

  it('says to add a folder when the library has none', async () => {
    const { folders, indexing } = await engine.addFolders([folder]);
    indexing.job.cancel();
    await indexing.done.catch(() => {});
    await engine.removeFolder((folders[0] as { id: number }).id);
    expect(await refusal()).toMatch(/no indexed photos yet\. Add a folder/);
  });
});
