import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ClipModel } from '../../main/models/clip.js';
import { ModelSession } from '../../main/models/session.js';
import { TextTokenizer } from '../../main/models/tokenizer.js';
import { dot } from '../../main/models/vectors.js';
import { FIXTURES, HF_MODEL, IMMICH_MODEL, PHOTOS, SHAPES, copyModel, cosine, loadReference, norm, tempDir, type Reference } from '../helpers/fixtures.js';

async function shapePhotos(): Promise<Array<{ file: string; shape: string }>> {
  const photos: Array<{ file: string; shape: string }> = [];
  for (const shape of SHAPES) {
    for (const name of await readdir(path.join(PHOTOS, 'shapes', shape))) photos.push({ file: path.join(PHOTOS, 'shapes', shape, name), shape });
  }
  return photos;
}

describe.each([
  ['immich', IMMICH_MODEL],
  ['hf', HF_MODEL],
])('CLIP model, %s layout', (_, dir) => {
  let model: ClipModel;
  let reference: Reference;
  beforeAll(async () => {
    model = await ClipModel.load(dir, { provider: 'cpu' });
    reference = await loadReference();
  });
  afterAll(() => model.dispose());

  it('runs on the CPU provider and reports it', async () => {
    expect(await model.providers()).toEqual({ image: 'cpu', text: 'cpu' });
  });

  it('starts the text graph alone ahead of a query, which then uses it (Note [Warm start])', async () => {
    const fresh = await ClipModel.load(dir, { provider: 'cpu' });
    try {
      expect(fresh.startedProviders()).toEqual({ image: null, text: null });
      fresh.startTextSession();
      // Starting, not waited for (Note [Status starts no tower]); then opened.
      expect(fresh.startedProviders()).toEqual({ image: null, text: null });
      await fresh.startedTextSessionPlan();
      expect(fresh.startedProviders()).toEqual({ image: null, text: 'cpu' });
      const [text] = reference.texts;
      expect(cosine(await fresh.embedText(text!.text), text!.embedding)).toBeGreaterThan(0.9999);
    } finally {
      await fresh.dispose();
    }
  });

  it('gives the reference text embeddings, unit length', async () => {
    const vectors = await model.embedTexts(reference.texts.map((t) => t.text));
    vectors.forEach((vector, i) => {
      expect(norm(vector)).toBeCloseTo(1, 5);
      expect(cosine(vector, reference.texts[i]!.embedding)).toBeGreaterThan(0.9999);
    });
  });

  it('gives the reference image embeddings from the reference tensors, and close ones from the files', async () => {
    for (const image of reference.images) {
      const tensor = new Float32Array((await readFile(path.join(FIXTURES, image.pixels))).buffer.slice(0));
      const [fromTensor] = await model.embedTensors([tensor]);
      expect(cosine(fromTensor!, image.embedding)).toBeGreaterThan(0.9999);
      const [fromFile] = await model.embedImageList([path.join(FIXTURES, image.path)]);
      expect(fromFile && 'vector' in fromFile && cosine(fromFile.vector, image.embedding)).toBeGreaterThan(0.98);
    }
  });

  it('asks each tower only for its embedding, and hands it inputs it never reads again (Note [Batches handed over])', async () => {
    const runs = vi.spyOn(ModelSession.prototype, 'runEach');
    try {
      const tensor = new Float32Array((await readFile(path.join(FIXTURES, reference.images[0]!.pixels))).buffer.slice(0));
      await model.embedTensors([tensor]);
      await model.embedText('a handed-over text, never embedded before');
      const asked = runs.mock.calls.map(([, options]) => options);
      expect(asked).toEqual([
        { fetches: [expect.stringMatching(/^(embedding|image_embeds)$/)], handOver: true },
        { fetches: [expect.stringMatching(/^(embedding|text_embeds)$/)], handOver: true },
      ]);
      // The caller's own photo stays its own: the tower was handed a batch made from it.
      expect(tensor.length).toBeGreaterThan(0);
    } finally {
      runs.mockRestore();
    }
  });

  it('classifies held-out photos zero-shot with high accuracy', async () => {
    const photos = await shapePhotos();
    const prompts = await model.embedTexts(SHAPES.map((shape) => `a photo of a ${shape}.`));
    const results = await model.embedImageList(photos.map((p) => p.file), { batchSize: 8 });
    let correct = 0;
    results.forEach((result, i) => {
      if (!('vector' in result)) throw result.error;
      const scores = prompts.map((prompt) => dot(prompt, result.vector));
      if (SHAPES[scores.indexOf(Math.max(...scores))] === photos[i]!.shape) correct++;
    });
    expect(photos.length).toBeGreaterThanOrEqual(40);
    expect(correct / photos.length).toBeGreaterThanOrEqual(0.9);
  });

  it('keeps going past photos that fail, and returns each result with its index', async () => {
    const photos = (await shapePhotos()).slice(0, 5).map((p) => p.file);
    const sources = [photos[0]!, path.join(FIXTURES, 'missing.jpg'), photos[1]!, Buffer.from('not an image'), ...photos.slice(2)];
    const results = await model.embedImageList(sources, { batchSize: 4, decodeConcurrency: 3 });
    expect(results.map((r) => ('vector' in r ? 'ok' : r.error.code))).toEqual(['ok', 'image-unreadable', 'ok', 'image-undecodable', 'ok', 'ok', 'ok']);
    results.forEach((r, i) => expect(r.index).toBe(i));
    const [single] = await model.embedImageList([photos[1]!]);
    expect(cosine((results[2] as { vector: Float32Array }).vector, (single as { vector: Float32Array }).vector)).toBeGreaterThan(0.99999);
  });

  it('answers a repeated query from the cache', async () => {
    const first = await model.embedText('a red circle on a striped grey background');
    expect(await model.embedText('a red circle on a striped grey background')).toBe(first);
  });

  it('tokenizes a long text again after its encode failed, not keeping the failure (Note [Long texts tokenized once])', async () => {
    const long = 'a red circle and a blue square drawn side by side on a striped grey background';
    vi.spyOn(TextTokenizer.prototype, 'encode').mockImplementationOnce(() => {
      throw new Error('tokenizer failed');
    });
    try {
      await expect(model.readOf(long)).rejects.toThrow('tokenizer failed');
      const read = await model.readOf(long);
      expect(read === null || long.startsWith(read)).toBe(true);
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('stops when cancelled', async () => {
    const photos = (await shapePhotos()).map((p) => p.file);
    const controller = new AbortController();
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const result of model.embedImages(photos, { signal: controller.signal, batchSize: 2 })) {
          seen.push(result.index);
          if (seen.length === 3) controller.abort();
        }
      })(),
    ).rejects.toMatchObject({ code: 'cancelled' });
    expect(seen.length).toBeLessThan(photos.length);
  });
});

describe('embedding more texts than the cache holds', () => {
  it('answers every text, also when others evict them from the cache meanwhile', async () => {
    const small = await ClipModel.load(IMMICH_MODEL, { provider: 'cpu', textCacheSize: 4 });
    try {
      const texts = Array.from({ length: 10 }, (_, i) => `a photo of shape ${i}`);
      const [many, other] = await Promise.all([small.embedTexts(texts), small.embedTexts(['a red star', 'a blue circle', 'a green cross', 'a grey square', 'a yellow triangle'])]);
      expect(many).toHaveLength(10);
      for (const vector of [...many, ...other]) expect(norm(vector)).toBeCloseTo(1, 4);
      expect(many[3]).toEqual(await small.embedText(texts[3] as string));
    } finally {
      await small.dispose();
    }
  });
});

describe('both layouts of one model', () => {
  it('give the same embeddings, batched or not', async () => {
    const immich = await ClipModel.load(IMMICH_MODEL, { provider: 'cpu' });
    const hf = await ClipModel.load(HF_MODEL, { provider: 'cpu' });
    try {
      const texts = ['a photo of a star.', 'two yellow triangles on a dotted pink background', 'x'];
      const [a, b] = [await immich.embedTexts(texts), await hf.embedTexts(texts)];
      texts.forEach((_, i) => expect(cosine(a[i]!, b[i]!)).toBeGreaterThan(0.9999));
      const photos = (await readdir(path.join(PHOTOS, 'shapes', 'star'))).slice(0, 6).map((n) => path.join(PHOTOS, 'shapes', 'star', n));
      const one = await immich.embedImageList(photos);
      const batched = await hf.embedImageList(photos, { batchSize: 4 });
      one.forEach((r, i) => expect(cosine((r as { vector: Float32Array }).vector, (batched[i] as { vector: Float32Array }).vector)).toBeGreaterThan(0.9999));
    } finally {
      await Promise.all([immich.dispose(), hf.dispose()]);
    }
  });
});

describe('damaged model folders', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => (scratch = await tempDir()));
  afterAll(() => scratch.cleanup());

  it('reports a corrupt .onnx clearly, and other models still work', async () => {
    const dir = await copyModel(IMMICH_MODEL, scratch.dir, 'corrupt-onnx');
    const file = path.join(dir, 'visual', 'model.onnx');
    const bytes = await readFile(file);
    await writeFile(file, bytes.subarray(0, bytes.length / 3));
    const broken = await ClipModel.load(dir, { provider: 'cpu' });
    await expect(broken.embedImageList([path.join(PHOTOS, 'reference', (await readdir(path.join(PHOTOS, 'reference')))[0]!)])).rejects.toMatchObject({
      code: 'model-invalid',
      message: expect.stringContaining('visual/model.onnx'),
    });
    // The text tower of the same folder is intact and still works.
    expect(norm(await broken.embedText('a photo of a circle.'))).toBeCloseTo(1, 5);
    await broken.dispose();
  });

  it('reports a tokenizer.json that fails to parse', async () => {
    const dir = await copyModel(HF_MODEL, scratch.dir, 'bad-tokenizer');
    await writeFile(path.join(dir, 'tokenizer.json'), '{"model": {"type": "BPE", "vocab": ');
    const broken = await ClipModel.load(dir, { provider: 'cpu' });
    await expect(broken.embedText('a dog')).rejects.toMatchObject({ code: 'model-invalid', message: expect.stringContaining('tokenizer.json') });
    await broken.dispose();
  });

  it('rejects a model whose output does not match its configured dimension', async () => {
    const dir = await copyModel(HF_MODEL, scratch.dir, 'wrong-dim');
    const configPath = path.join(dir, 'config.json');
    const config = JSON.parse(await readFile(configPath, 'utf8'));
    await writeFile(configPath, JSON.stringify({ ...config, projection_dim: config.projection_dim + 1 }));
    const broken = await ClipModel.load(dir, { provider: 'cpu' });
    await expect(broken.embedText('a dog')).rejects.toMatchObject({ code: 'model-invalid', message: expect.stringContaining('dimensions') });
    await broken.dispose();
  });
});
