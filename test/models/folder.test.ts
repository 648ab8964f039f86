import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readModelFolder } from '../../main/models/folder.js';
import { HF_MODEL, IMMICH_MODEL, copyModel, tempDir } from '../helpers/fixtures.js';

describe('model folders', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  beforeEach(async () => (scratch = await tempDir()));
  afterEach(() => scratch.cleanup());

  it('reads the Immich layout with every setting from its config files', async () => {
    const spec = await readModelFolder(IMMICH_MODEL);
    expect(spec.layout).toBe('immich');
    expect(spec.dim).toBeGreaterThan(0);
    expect(spec.image.preprocessing).toMatchObject({ size: 64, interpolation: 'bicubic', resizeMode: 'shortest' });
    expect(spec.image.preprocessing.mean[0]).toBeCloseTo(0.48145466, 8);
    expect(spec.text.contextLength).toBe(16);
    expect(spec.image.modelPath).toBe(path.join(IMMICH_MODEL, 'visual', 'model.onnx'));
  });

  it('reads the Hugging Face layout and maps PIL resample codes', async () => {
    const spec = await readModelFolder(HF_MODEL);
    expect(spec.layout).toBe('hf');
    expect(spec.dim).toBe((await readModelFolder(IMMICH_MODEL)).dim);
    expect(spec.image.preprocessing).toMatchObject({ size: 64, interpolation: 'bicubic', resizeMode: 'shortest' });
    expect(spec.text.contextLength).toBe(16);

    const dir = await copyModel(HF_MODEL, scratch.dir);
    const configPath = path.join(dir, 'preprocessor_config.json');
    const config = JSON.parse(await readFile(configPath, 'utf8'));
    await writeFile(configPath, JSON.stringify({ ...config, resample: 2, size: { height: 64, width: 64 }, do_center_crop: false }));
    expect((await readModelFolder(dir)).image.preprocessing).toMatchObject({ interpolation: 'bilinear', resizeMode: 'squash' });
  });

  it('honours resize_mode squash, SigLIP text clean-up and a context other than 77', async () => {
    const dir = await copyModel(IMMICH_MODEL, scratch.dir);
    const prePath = path.join(dir, 'visual', 'preprocess_cfg.json');
    await writeFile(prePath, JSON.stringify({ ...JSON.parse(await readFile(prePath, 'utf8')), resize_mode: 'squash', interpolation: 'bilinear' }));
    const configPath = path.join(dir, 'config.json');
    const config = JSON.parse(await readFile(configPath, 'utf8'));
    config.text_cfg = { ...config.text_cfg, context_length: 64, tokenizer_kwargs: { clean: 'canonicalize' } };
    await writeFile(configPath, JSON.stringify(config));
    const spec = await readModelFolder(dir);
    expect(spec.image.preprocessing).toMatchObject({ resizeMode: 'squash', interpolation: 'bilinear' });
    expect(spec.text).toMatchObject({ contextLength: 64, clean: 'canonicalize' });
  });

  it('names the missing file', async () => {
    const dir = await copyModel(IMMICH_MODEL, scratch.dir);
    await rm(path.join(dir, 'textual', 'tokenizer.json'));
    await expect(readModelFolder(dir)).rejects.toMatchObject({ code: 'model-invalid', message: expect.stringContaining('textual/tokenizer.json') });
  });

  it('rejects a config that is not JSON, or has the wrong fields, with the file named', async () => {
    const dir = await copyModel(HF_MODEL, scratch.dir);
    await writeFile(path.join(dir, 'config.json'), '{ not json');
    await expect(readModelFolder(dir)).rejects.toMatchObject({ code: 'model-invalid', message: expect.stringContaining('config.json is not valid JSON') });
    await writeFile(path.join(dir, 'config.json'), JSON.stringify({ projection_dim: 'big' }));
    await expect(readModelFolder(dir)).rejects.toMatchObject({ code: 'model-invalid', message: expect.stringContaining('projection_dim') });
  });

  it('tells a missing folder from a folder that is not a model', async () => {
    await expect(readModelFolder(path.join(scratch.dir, 'nope'))).rejects.toMatchObject({ code: 'model-missing' });
    await expect(readModelFolder(scratch.dir)).rejects.toMatchObject({ code: 'bad-input', message: expect.stringContaining('not a CLIP model folder') });
  });
});
