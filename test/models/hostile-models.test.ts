/**
 * Model folders with impossible settings are refused when they load, with one clear message,
 * before any photo is touched; and no model output that is not a usable vector is ever stored.
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClipModel } from '../../main/models/clip.js';
import { readModelFolder } from '../../main/models/folder.js';
import { isUsableEmbedding } from '../../main/models/vectors.js';
import { HF_MODEL, IMMICH_MODEL, copyModel, tempDir } from '../helpers/fixtures.js';
import { fixturePhotos, openLibrary } from '../helpers/library.js';

let scratch: { dir: string; cleanup: () => Promise<void> };
let copies = 0;
beforeAll(async () => (scratch = await tempDir()));
afterAll(() => scratch.cleanup());

/** A copy of a fixture model with one JSON file edited; JSON text, so 1e999 stays infinite. */
async function hostile(source: string, file: string, edit: (json: Record<string, unknown>) => void, raw?: (text: string) => string): Promise<string> {
  const dir = await copyModel(source, scratch.dir, `hostile-${copies++}`);
  const target = path.join(dir, file);
  const json = JSON.parse(await readFile(target, 'utf8')) as Record<string, unknown>;
  edit(json);
  const text = JSON.stringify(json);
  await writeFile(target, raw ? raw(text) : text);
  return dir;
}

async function refusal(dir: string): Promise<string> {
  const error = await readModelFolder(dir).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toMatchObject({ code: 'model-invalid' });
  return (error as Error).message;
}

describe('model folders with impossible settings', () => {
  it('refuses an image_std of 0 (every input would be infinite)', async () => {
    const dir = await hostile(IMMICH_MODEL, 'visual/preprocess_cfg.json', (json) => (json['std'] = [0.26, 0, 0.27]));
    expect(await refusal(dir)).toMatch(/preprocess_cfg\.json .*std.*positive/);
  });

  it('refuses a negative image_std', async () => {
    const dir = await hostile(HF_MODEL, 'preprocessor_config.json', (json) => (json['image_std'] = [0.26, -0.26, 0.27]));
    expect(await refusal(dir)).toMatch(/preprocessor_config\.json .*image_std.*positive/);
  });

  it('refuses a mean or std that is not finite', async () => {
    const std = await hostile(IMMICH_MODEL, 'visual/preprocess_cfg.json', (json) => (json['std'] = [0.26, 123456789, 0.27]), (text) => text.replace('123456789', '1e999'));
    expect(await refusal(std)).toMatch(/preprocess_cfg\.json .*std/);
    const mean = await hostile(HF_MODEL, 'preprocessor_config.json', (json) => (json['image_mean'] = [0.4, 123456789, 0.4]), (text) => text.replace('123456789', '-1e999'));
    expect(await refusal(mean)).toMatch(/preprocessor_config\.json .*image_mean/);
  });

  it('refuses an image size of 0', async () => {
    const dir = await hostile(IMMICH_MODEL, 'visual/preprocess_cfg.json', (json) => (json['size'] = [0, 0]));
    expect(await refusal(dir)).toMatch(/preprocess_cfg\.json .*size.*between 1 and 4096/);
  });

  it('refuses an image size above 4096', async () => {
    const immich = await hostile(IMMICH_MODEL, 'visual/preprocess_cfg.json', (json) => (json['size'] = 5000));
    expect(await refusal(immich)).toMatch(/preprocess_cfg\.json .*size.*between 1 and 4096/);
    const hf = await hostile(HF_MODEL, 'preprocessor_config.json', (json) => (json['crop_size'] = { height: 100000, width: 100000 }));
    expect(await refusal(hf)).toMatch(/preprocessor_config\.json .*crop_size.*between 1 and 4096/);
  });

  it('refuses a text context shorter than 2 tokens', async () => {
    const immich = await hostile(IMMICH_MODEL, 'config.json', (json) => ((json['text_cfg'] as Record<string, unknown>)['context_length'] = 1));
    expect(await refusal(immich)).toMatch(/config\.json .*context_length.*at least 2/);
    const hf = await hostile(HF_MODEL, 'config.json', (json) => ((json['text_config'] as Record<string, unknown>)['max_position_embeddings'] = 1));
    expect(await refusal(hf)).toMatch(/config\.json .*max_position_embeddings.*at least 2/);
  });

  it('refuses a negative model_max_length', async () => {
    const dir = await hostile(HF_MODEL, 'tokenizer_config.json', (json) => (json['model_max_length'] = -5));
    expect(await refusal(dir)).toMatch(/tokenizer_config\.json .*model_max_length.*at least 2/);
  });

  it('refuses an embedding size its graphs do not produce, for either tower, before any photo is read', async () => {
    const dir = await hostile(IMMICH_MODEL, 'config.json', (json) => (json['embed_dim'] = 65));
    const model = await ClipModel.load(dir, { provider: 'cpu' });
    try {
      await expect(model.loadImageTower()).rejects.toMatchObject({ code: 'model-invalid', message: expect.stringMatching(/visual\/model\.onnx produces embeddings of 64 dimensions, but .*config\.json says 65/) });
      await expect(model.embedText('a dog')).rejects.toMatchObject({ code: 'model-invalid', message: expect.stringMatching(/textual\/model\.onnx produces embeddings of 64 dimensions/) });
    } finally {
      await model.dispose();
    }
  });
});

describe('model outputs that are not vectors', () => {
  it('tells a usable embedding from NaN, infinite and zero ones', () => {
    expect(isUsableEmbedding(new Float32Array([0.6, 0.8]))).toBe(true);
    expect(isUsableEmbedding(new Float32Array([0.6, Number.NaN]))).toBe(false);
    expect(isUsableEmbedding(new Float32Array([Number.POSITIVE_INFINITY, 0]))).toBe(false);
    expect(isUsableEmbedding(new Float32Array(4))).toBe(false);
  });

  it('refuses NaN from the image tower', async () => {
    const model = await ClipModel.load(IMMICH_MODEL, { provider: 'cpu' });
    try {
      const side = model.spec.image.preprocessing.size;
      await expect(model.embedTensors([new Float32Array(3 * side * side).fill(Number.NaN)])).rejects.toMatchObject({
        code: 'model-invalid',
        message: expect.stringMatching(/unusable embedding/),
      });
    } finally {
      await model.dispose();
    }
  });

  it('stops indexing with a model whose std is tiny enough to overflow, storing nothing', async () => {
    const dir = await hostile(IMMICH_MODEL, 'visual/preprocess_cfg.json', (json) => (json['std'] = [1e-30, 1e-30, 1e-30]));
    const model = await ClipModel.load(dir, { provider: 'cpu' });
    const folder = path.join(scratch.dir, 'photos-for-tiny-std');
    await mkdir(folder);
    for (const [i, photo] of (await fixturePhotos()).slice(0, 4).entries()) await copyFile(photo.file, path.join(folder, `${i}.jpg`));
    const library = openLibrary(path.join(scratch.dir, 'data-tiny-std'));
    try {
      await expect(library.index(model, { folders: (await library.addFolders([folder])).folders })).rejects.toMatchObject({
        code: 'model-invalid',
        message: expect.stringMatching(/unusable embedding.*0 photos indexed/),
      });
      expect(library.storage.embeddings.count(model.id)).toBe(0);
    } finally {
      await library.close();
      await model.dispose();
    }
  });
});
