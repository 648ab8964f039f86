/**
 * Note [Removing a model] in main/models/store.ts: a model installed in the data folder is removed
 * there (its folder, nothing outside it), never the one the library works with now; the library's
 * embeddings made with it stay. And a chosen model imported, whose folder went by hand, is said to
 * come back by an import, not a download.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Engine } from '../../main/engine/engine.js';
import { DEFAULT_MODEL_ID } from '../../main/models/catalogue.js';
import { HF_MODEL, IMMICH_MODEL, copyModel, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

const HF = 'tiny-clip-hf';
const IMMICH = 'tiny-clip-immich';

describe('removing a model', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let data: string;
  let models: string;
  let engine: Engine;
  const installedIds = async () => (await engine.listModels()).installed.map((model) => model.id);

  // The library indexed with the HF model, then switched to the Immich one, which serves it now.
  beforeEach(async () => {
    scratch = await tempDir();
    data = path.join(scratch.dir, 'data');
    models = path.join(data, 'models');
    const folder = path.join(scratch.dir, 'Photos');
    await copyPhotos((await fixturePhotos()).slice(0, 3), folder);
    engine = new Engine({ dataDir: data, provider: 'cpu' });
    await engine.importModel(HF_MODEL);
    await engine.importModel(IMMICH_MODEL);
    await engine.updateSettings({ model: HF });
    await (await engine.addFolders([folder])).indexing.done;
    await engine.updateSettings({ model: IMMICH });
    await engine.index().done;
    expect(engine.library().servingModel()).toBe(IMMICH);
  });
  afterEach(async () => {
    await engine.dispose();
    await scratch.cleanup();
  });

  it('deletes an imported model’s copy in the data folder, frees its size, and keeps the library’s embeddings made with it', async () => {
    const listed = (await engine.listModels()).installed.find((model) => model.id === HF);
    expect(listed?.bytes).toBeGreaterThan(0);
    const removed = await engine.removeModel(HF);
    expect(removed).toEqual({ id: HF, dir: path.join(models, HF), bytes: listed?.bytes, embeddings: 3 });
    expect(existsSync(path.join(models, HF))).toBe(false);
    expect(await installedIds()).toEqual([IMMICH]);
    // The folder it was imported from is the person's: untouched.
    expect(existsSync(path.join(HF_MODEL, 'config.json'))).toBe(true);
    expect(engine.library().storage.embeddings.count(HF)).toBe(3);
    // Imported again, it searches with what the library kept: nothing to embed.
    await engine.importModel(HF_MODEL);
    await engine.updateSettings({ model: HF });
    expect((await engine.index().done).embedded).toBe(0);
  });

  it('refuses the model in use, and the one the library is still searched with, and removes neither', async () => {
    await expect(engine.removeModel(IMMICH)).rejects.toMatchObject({ code: 'bad-input', message: `${IMMICH} is the model Lumen uses now, so it cannot be removed: choose another model first, then remove it.` });
    // Chosen in Settings, the HF model indexes nothing in the CLI's engine until asked: the Immich one still serves searches.
    await engine.updateSettings({ model: HF });
    await expect(engine.removeModel(IMMICH)).rejects.toMatchObject({
      code: 'bad-input',
      message: `The library is searched with ${IMMICH} until the model chosen now has indexed every photo: remove it once that indexing is done.`,
    });
    await expect(engine.removeModel(HF)).rejects.toMatchObject({ code: 'bad-input' });
    expect(await installedIds()).toEqual([HF, IMMICH]);
  });

  it('knows the model in use by the store’s folder, not one of its name in the current folder', async () => {
    // `cd ~/models && lumen models remove my-clip`: the name, looked for there first, was that folder, and the chosen model went.
    await engine.updateSettings({ model: HF });
    const here = path.join(scratch.dir, 'elsewhere');
    await mkdir(path.join(here, HF), { recursive: true });
    const cwd = process.cwd();
    process.chdir(here);
    try {
      await expect(engine.removeModel(HF)).rejects.toMatchObject({ code: 'bad-input', message: `${HF} is the model Lumen uses now, so it cannot be removed: choose another model first, then remove it.` });
    } finally {
      process.chdir(cwd);
    }
    expect(await installedIds()).toEqual([HF, IMMICH]);
  });

  it('lets a copy loaded from the removed folder go', async () => {
    // Chosen, the HF model serves once indexing is done: the Immich one, loaded for searches meanwhile, is in use no more.
    await engine.updateSettings({ model: HF });
    const loaded = await engine.searchModel();
    expect(loaded.id).toBe(IMMICH);
    await engine.index().done;
    expect(engine.library().servingModel()).toBe(HF);
    const dispose = vi.spyOn(loaded, 'dispose');
    await engine.removeModel(IMMICH);
    expect(dispose).toHaveBeenCalledOnce();
    expect((await engine.searchModel()).id).toBe(HF);
    // Renamed aside and deleted: nothing of it is left in the store.
    expect(await readdir(models)).toEqual([HF]);
  });

  it('refuses a name no model has, a path, and a model still downloading, and removes nothing', async () => {
    for (const id of ['no-such-model', '..', '.', path.join(models, HF), HF_MODEL, `${HF}/config.json`]) {
      await expect(engine.removeModel(id), id).rejects.toMatchObject({ code: 'not-found', message: `No installed model is called "${id}": nothing was removed.` });
    }
    await mkdir(path.join(models, '.partial'), { recursive: true });
    await writeFile(path.join(models, '.partial', `${DEFAULT_MODEL_ID}.lock`), String(process.pid));
    await expect(engine.removeModel(DEFAULT_MODEL_ID)).rejects.toMatchObject({ code: 'bad-input', message: `${DEFAULT_MODEL_ID} is still downloading, so it is not installed yet: cancel its download instead.` });
    expect(await installedIds()).toEqual([HF, IMMICH]);
    expect(existsSync(HF_MODEL)).toBe(true);
  });

  it('removes a broken model, and a link in the store as the link alone: the folder it leads to stays', async () => {
    await mkdir(path.join(models, 'half-copied'));
    await writeFile(path.join(models, 'half-copied', 'config.json'), '{}');
    const elsewhere = await copyModel(HF_MODEL, scratch.dir, 'my-models-drive');
    await symlink(elsewhere, path.join(models, 'linked'));
    const listing = await engine.listModels();
    expect(listing.broken).toEqual([expect.objectContaining({ id: 'half-copied', bytes: 2 })]);
    expect(listing.installed.find((model) => model.id === 'linked')?.bytes).toBe(0);

    expect(await engine.removeModel('half-copied')).toMatchObject({ bytes: 2 });
    expect(await engine.removeModel('linked')).toMatchObject({ bytes: 0 });
    expect(await readdir(models)).toEqual([HF, IMMICH]);
    expect(existsSync(path.join(elsewhere, 'config.json'))).toBe(true);
  });

  it('says a chosen model imported, its folder deleted by hand, comes back by importing its folder again', async () => {
    await rm(path.join(models, IMMICH), { recursive: true });
    const { modelProblem } = await engine.status();
    expect(modelProblem).toEqual({
      kind: 'missing',
      model: IMMICH,
      downloadable: false,
      message: `The model ${IMMICH}, which this library's photos were embedded with, is no longer installed (${path.join(models, IMMICH)} is gone). Import its folder again (\`lumen models import DIR --name ${IMMICH}\`), or give another model (--model).`,
    });
  });
});
