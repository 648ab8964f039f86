/**
 * Note [A model replaced under its name] in main/models/fingerprint.ts: another model put in the
 * place of one the library knows, under its name and with vectors of the same size, is told
 * apart by its files, and the library's vectors of that name are forgotten with what was learnt
 * from them, to be embedded again; the same model copied again is the same. The two fixture
 * models are two exports (Immich's layout and Hugging Face's) of one tiny CLIP: other files.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../main/engine/engine.js';
import { Library } from '../../main/library/library.js';
import type { ClipModel } from '../../main/models/clip.js';
import { HF_MODEL, IMMICH_MODEL, copyModel, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, execLibrary, fixturePhotos, loadFixtureModel, openLibrary, queryLibrary } from '../helpers/library.js';

describe('a model replaced under its name', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let dataDir: string;
  let modelDir: string;
  let library: Library;
  const models: ClipModel[] = [];

  /** The model now in `modelDir`, from `source`'s files (copied again: other file times and inodes). */
  async function installed(source: string): Promise<ClipModel> {
    await rm(modelDir, { recursive: true, force: true });
    await copyModel(source, path.dirname(modelDir), path.basename(modelDir));
    const model = await loadFixtureModel(modelDir);
    models.push(model);
    return model;
  }

  const fingerprint = () => queryLibrary<string>(dataDir, "SELECT value FROM meta WHERE key = 'model_fingerprint:clip'")[0];

  /** A library of 4 photos indexed with the Immich export as `clip`, its fingerprint kept. */
  async function indexed(): Promise<void> {
    const folder = path.join(scratch.dir, 'Photos');
    await copyPhotos((await fixturePhotos()).slice(0, 4), folder);
    const model = await installed(IMMICH_MODEL);
    expect((await library.index(model, { folders: (await library.addFolders([folder])).folders })).embedded).toBe(4);
    // Taken in the background by the first use.
    await expect.poll(fingerprint, { timeout: 5000 }).toBeDefined();
  }

  beforeEach(async () => {
    scratch = await tempDir();
    dataDir = path.join(scratch.dir, 'data');
    modelDir = path.join(scratch.dir, 'models', 'clip');
    library = openLibrary(dataDir);
  });
  afterEach(async () => {
    await library.close();
    for (const model of models.splice(0)) await model.dispose();
    await scratch.cleanup();
  });

  it('forgets its vectors and what was learnt from them, only that model’s, and the next run embeds the photos again', async () => {
    await indexed();
    const learnt = ['tag_embeddings', 'tag_state', 'duplicate_calibrations', 'tag_refinements'];
    execLibrary(
      dataDir,
      `INSERT INTO tag_embeddings VALUES ('clip', 'k', x'00'), ('other', 'k', x'00');
       INSERT INTO tag_state VALUES ('clip', 'f', 3), ('other', 'f', 3);
       INSERT INTO duplicate_calibrations (model, edit, scene, photos, updated_at) VALUES ('clip', 0.9, 0.8, 4, 0), ('other', 0.9, 0.8, 4, 0);
       INSERT INTO tag_refinements VALUES ('clip', 'dog', 'f', NULL, '{}', 0), ('other', 'dog', 'f', NULL, '{}', 0);`,
    );
    const served = await library.vectorIndex('clip', 64);
    expect(served.size).toBe(4);

    const other = await installed(HF_MODEL);
    expect(await library.checkModel(other)).toBe(4);
    expect(library.storage.embeddings.count('clip')).toBe(0);
    for (const table of learnt) expect(queryLibrary<string>(dataDir, `SELECT model FROM ${table} ORDER BY model`)).toEqual(['other']);
    // Its index, loaded before, went with them.
    const reopened = await library.vectorIndex('clip', 64);
    expect(reopened).not.toBe(served);
    await reopened.ready();
    expect(reopened.size).toBe(0);
    // That model loaded again is the one the library now knows.
    const again = await loadFixtureModel(modelDir);
    models.push(again);
    expect(await library.checkModel(again)).toBe(0);

    expect(await library.index(other)).toMatchObject({ embedded: 4, unchanged: 0 });
    expect(reopened.size).toBe(4);
  });

  it.each(['visual', 'textual'])('forgets nothing for a copy cut short (its %s tower), says it cannot load, and knows the files put back', async (tower) => {
    await indexed();
    const graph = path.join(modelDir, tower, 'model.onnx');
    const whole = await readFile(graph);
    await writeFile(graph, whole.subarray(0, Math.floor(whole.length / 3)));
    const cut = await loadFixtureModel(modelDir);
    models.push(cut);
    await expect(library.checkModel(cut)).rejects.toMatchObject({ code: 'model-invalid', message: expect.stringMatching(/^Cannot load .*model\.onnx: cpu: .*[^.]\. The file may be damaged: download the model again\.$/) });
    expect(library.storage.embeddings.count('clip')).toBe(4);
    await writeFile(graph, whole);
    const putBack = await loadFixtureModel(modelDir);
    models.push(putBack);
    expect(await library.checkModel(putBack)).toBe(0);
    expect(library.storage.embeddings.count('clip')).toBe(4);
  });

  it('takes the same model copied again as the same, and one whose settings changed as another', async () => {
    await indexed();
    const before = fingerprint();
    expect(await library.checkModel(await installed(IMMICH_MODEL))).toBe(0);
    expect(library.storage.embeddings.count('clip')).toBe(4);
    // The same hash, the files as they stand now.
    const after = fingerprint();
    expect(JSON.parse(after as string).sha256).toBe(JSON.parse(before as string).sha256);
    expect(after).not.toBe(before);

    const config = path.join(IMMICH_MODEL, 'visual', 'preprocess_cfg.json');
    const edited = JSON.parse(await readFile(config, 'utf8')) as { mean: number[] };
    await installed(IMMICH_MODEL);
    await writeFile(path.join(modelDir, 'visual', 'preprocess_cfg.json'), JSON.stringify({ ...edited, mean: edited.mean.map((value) => value / 2) }));
    const model = await loadFixtureModel(modelDir);
    models.push(model);
    expect(await library.checkModel(model)).toBe(4);
  });

  it('counts the weights an export keeps beside a graph, and no other file there', async () => {
    await indexed();
    const again = async () => {
      const model = await loadFixtureModel(modelDir);
      models.push(model);
      return library.checkModel(model);
    };
    await writeFile(path.join(modelDir, 'visual', 'model.onnx.bak'), 'an old copy');
    expect(await again()).toBe(0);
    await writeFile(path.join(modelDir, 'visual', 'model.onnx_data'), 'weights');
    expect(await again()).toBe(4);
  });

  it('is told apart by the engine: `lumen search`, a reader, says what to do, and `lumen index` forgets, says so in its log and embeds the photos again', async () => {
    await indexed();
    await library.close();
    await installed(HF_MODEL);
    const logged: string[] = [];
    const engine = new Engine({ dataDir, model: modelDir, provider: 'cpu', log: (message) => logged.push(message) });
    try {
      await expect(engine.search('a photo of a circle.')).rejects.toMatchObject({ code: 'model-invalid' });
      expect((await engine.index().done).embedded).toBe(4);
      expect(logged).toContain("The model clip is not the one the library's photos were embedded with (its files changed): their 4 vectors were forgotten, and an index run with it embeds them again.");
      expect((await engine.search('a photo of a circle.', { showAll: true })).results).toHaveLength(4);
    } finally {
      await engine.dispose();
      library = openLibrary(dataDir);
    }
  });

  it('has the app’s engine, the library’s writer, drop tagging’s scores kept in memory with the vectors forgotten', async () => {
    await indexed();
    await library.close();
    await installed(HF_MODEL);
    const engine = new Engine({ dataDir, model: modelDir, provider: 'cpu', app: true });
    try {
      const tagging = engine.tags();
      expect((await engine.search('a photo of a circle.', { showAll: true })).results).toEqual([]);
      expect(engine.tags()).not.toBe(tagging);
    } finally {
      await engine.dispose();
      library = openLibrary(dataDir);
    }
  });

  it('is refused by a reader, which cannot forget, saying what to do', async () => {
    await indexed();
    await library.close();
    const other = await installed(HF_MODEL);
    library = Library.open(dataDir, { readonly: true });
    await expect(library.checkModel(other)).rejects.toMatchObject({
      code: 'model-invalid',
      message: "The model clip is not the one this library's photos were embedded with (its files changed since), so its searches would not match them. Let the library be indexed again with it (Lumen does so as it starts, or run `lumen index`), then search.",
    });
    expect(library.storage.embeddings.count('clip')).toBe(4);
  });
});
