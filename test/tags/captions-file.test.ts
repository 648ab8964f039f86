/**
 * A captions file for `eval-retrieval` names each photo once (Note [Each photo once] in
 * evaluate.ts), and an empty caption is said in words, by the image it belongs to.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClipModel } from '../../main/models/clip.js';
import { evaluateRetrieval } from '../../main/tags/evaluate.js';
import { HF_MODEL, PHOTOS, tempDir } from '../helpers/fixtures.js';

describe('a captions file', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let model: ClipModel;

  beforeAll(async () => {
    scratch = await tempDir();
    model = await ClipModel.load(HF_MODEL, { provider: 'cpu' });
  });

  afterAll(async () => {
    await model?.dispose();
    await scratch?.cleanup();
  });

  async function captionsFile(images: unknown[]): Promise<string> {
    const file = path.join(scratch.dir, 'captions.json');
    await writeFile(file, JSON.stringify({ images }));
    return file;
  }

  it('that lists a photo twice is refused, naming the photo and both places', async () => {
    const dune = path.join(PHOTOS, 'scenes', 'scene-0.jpg');
    const file = await captionsFile([
      { path: dune, captions: ['sand'] },
      { path: path.join(PHOTOS, 'scenes', 'scene-1.jpg'), captions: ['sea'] },
      { path: path.join(PHOTOS, 'scenes', '.', 'scene-0.jpg'), captions: ['sand'] },
    ]);
    await expect(evaluateRetrieval(model, file)).rejects.toMatchObject({
      code: 'bad-input',
      message: `The captions file ${file} lists the photo ${path.join(PHOTOS, 'scenes', '.', 'scene-0.jpg')} twice, as image 1 and image 3: give each photo once, with all its captions.`,
    });
  });

  it('with an empty caption or path says which image, in words', async () => {
    const photo = path.join(PHOTOS, 'scenes', 'scene-0.jpg');
    const emptyCaption = await captionsFile([{ path: photo, captions: ['sand'] }, { path: photo, captions: ['sea', ' '] }]);
    await expect(evaluateRetrieval(model, emptyCaption)).rejects.toThrow(`is not valid: image 2 (${photo}) has an empty caption. It should look like`);
    const emptyPath = await captionsFile([{ path: '', captions: ['sand'] }]);
    await expect(evaluateRetrieval(model, emptyPath)).rejects.toThrow('is not valid: image 1 has an empty path. It should look like');
  });
});
