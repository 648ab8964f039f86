/**
 * Note [Work without text] in main/models/fingerprint.ts: a library indexed with a model whose
 * text tower's file is damaged since. Work that embeds no text (near-duplicates, photos like a
 * photo or an image) runs, asked as the CLI asks it and through the window's calls, without the
 * text tower; a text search, tagging and an index run say it cannot load; nothing is forgotten.
 * Once the image tower's file changed too, that work waits for the whole comparison again.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { engineHandlers } from '../../main/engine/calls.js';
import { Engine } from '../../main/engine/engine.js';
import { IMMICH_MODEL, copyModel, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos, queryLibrary } from '../helpers/library.js';

describe('a text tower damaged after indexing', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let dataDir: string;
  let modelDir: string;
  /** A photo that is not in the library. */
  let outside: string;
  let engine: Engine;

  const cannotLoad = (tower: string) => ({ code: 'model-invalid', message: expect.stringContaining(`Cannot load ${path.join(modelDir, tower, 'model.onnx')}`) });
  const embedded = () => queryLibrary<number>(dataDir, "SELECT COUNT(*) FROM embeddings WHERE model = 'clip'")[0];
  /** An engine as a new CLI process starts one, over the model as it stands now. */
  const started = () => new Engine({ dataDir, model: modelDir, provider: 'cpu' });

  beforeAll(async () => {
    scratch = await tempDir();
    dataDir = path.join(scratch.dir, 'data');
    modelDir = await copyModel(IMMICH_MODEL, scratch.dir, 'clip');
    const photos = await fixturePhotos();
    outside = (photos[6] as { file: string }).file;
    const folder = path.join(scratch.dir, 'Photos');
    await copyPhotos(photos.slice(0, 6), folder);
    const indexing = started();
    try {
      await (await indexing.addFolders([folder])).indexing.done;
      // Taken in the background by the first use: the model's files as they were are known.
      await vi.waitFor(() => expect(queryLibrary(dataDir, "SELECT value FROM meta WHERE key = 'model_fingerprint:clip'")).toHaveLength(1), { timeout: 5000 });
    } finally {
      await indexing.dispose();
    }
    await writeFile(path.join(modelDir, 'textual', 'model.onnx'), randomBytes(1000));
    engine = started();
  });
  afterAll(async () => {
    await engine.dispose();
    await scratch.cleanup();
  });

  it('finds near-duplicates and photos like a photo by its id or like an image file, and embeds an image file, as the CLI asks', async () => {
    expect((await engine.duplicates.find().done).images).toBe(6);
    const likeFirst = await engine.search('#1', { showAll: true });
    expect(likeFirst.results.map((hit) => hit.photoId).sort()).toEqual([2, 3, 4, 5, 6]);
    expect((await engine.similar(1, { showAll: true })).results).toHaveLength(5);
    expect((await engine.search(outside, { showAll: true }, undefined, { imageFiles: true })).results).toHaveLength(6);
    // `lumen embed-image` too.
    expect(await engine.embedImages([outside])).toHaveLength(1);
  });

  it('answers the window’s calls for similar photos, a dropped image and near-duplicates', async () => {
    const calls = engineHandlers(engine);
    expect((await calls['search.similar']({ photoId: 2 })).model).toBe('clip');
    expect((await calls['search.image']({ bytes: await readFile(outside) })).model).toBe('clip');
    expect((await calls['duplicates.find']({})).images).toBe(6);
  });

  it('says the text tower cannot load for a text search, tagging and an index run, and forgets no vector', async () => {
    await expect(engine.search('a photo of a circle.')).rejects.toMatchObject(cannotLoad('textual'));
    await expect(engine.search('#1 + circle')).rejects.toMatchObject(cannotLoad('textual'));
    await expect(engine.tagLibrary().done).rejects.toMatchObject(cannotLoad('textual'));
    await expect(engine.index().done).rejects.toMatchObject(cannotLoad('textual'));
    expect(embedded()).toBe(6);
  });

  it('has work without text wait for the whole comparison once the image tower changed too: refused, nothing forgotten', async () => {
    const graph = path.join(modelDir, 'visual', 'model.onnx');
    // Written again, the same bytes: a file that no longer stands as it did is told only by the whole comparison.
    await writeFile(graph, await readFile(graph));
    await engine.dispose();
    engine = started();
    await expect(engine.similar(1)).rejects.toMatchObject(cannotLoad('textual'));
    await expect(engine.duplicates.find().done).rejects.toMatchObject(cannotLoad('textual'));
    expect(embedded()).toBe(6);
  });
});
