/**
 * Byte-identical copies are one image, and the app shows one photo per image: the Tags list, a
 * tag's photos, the template editor's preview and `lumen tags` must all count them once.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../main/cli/index.js';
import type { EngineHandlers } from '../../main/engine/calls.js';
import { Engine } from '../../main/engine/engine.js';
import { IMMICH_MODEL, SHAPES, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos, taggedWith } from '../helpers/library.js';

const VOCABULARY = { templates: ['a photo of a {}.', 'a picture of a {}.'], tags: SHAPES.map((shape) => ({ name: shape, prompts: [shape] })) };

describe('tag counts in a library with byte-identical copies', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let data: string;
  let engine: Engine;
  let calls: EngineHandlers;
  /** Every file of the library: the originals, then two copies of each. */
  let files: string[];

  beforeAll(async () => {
    scratch = await tempDir();
    data = path.join(scratch.dir, 'data');
    const folder = path.join(scratch.dir, 'Pictures');
    const originals = await copyPhotos((await fixturePhotos()).filter((_, i) => i % 8 === 0), path.join(folder, 'Originals'));
    await mkdir(path.join(folder, 'Copies'), { recursive: true });
    const copies = originals.flatMap((file) => [1, 2].map((n) => path.join(folder, 'Copies', `${path.basename(file, '.jpg')} copy ${n}.jpg`)));
    for (const copy of copies) await copyFile(originals.find((file) => copy.includes(path.basename(file, '.jpg')))!, copy);
    files = [...originals, ...copies];
    engine = new Engine({ dataDir: data, model: IMMICH_MODEL });
    await (await engine.addFolders([folder])).indexing.done;
    calls = await taggedWith(engine, VOCABULARY);
  });
  afterAll(async () => {
    await engine.dispose();
    await scratch.cleanup();
  });

  const photoId = (file: string) => engine.library().resolvePhoto(file).photoId;

  it('indexes the copies as one image each', () => {
    const { files: fileCount, images } = engine.library().storage.library.counts();
    expect([fileCount, images]).toEqual([files.length, files.length / 3]);
  });

  it('says as many photos in the Tags list as the tag shows and the preview would give', async () => {
    const list = await calls['tags.list']({});
    expect(list.some((tag) => tag.photos > 0)).toBe(true);
    for (const tag of list) {
      const shown = await calls['tags.photos']({ tag: tag.name });
      const preview = await calls['vocabulary.preview']({ vocabulary: VOCABULARY, tag: tag.name });
      expect([tag.name, tag.photos, preview.count]).toEqual([tag.name, shown.ids.length, shown.ids.length]);
    }
  });

  it('counts a verdict given on a copy once, in the app and in `lumen tags`', async () => {
    const star = files.find((file) => path.basename(file).startsWith('star-') && file.includes('copy 2'))!;
    const circle = files.find((file) => path.basename(file).startsWith('circle-') && file.includes('copy 1'))!;
    await calls['tags.verdict']({ photoIds: [photoId(star)], tag: 'star', verdict: 'confirm' });
    await calls['tags.verdict']({ photoIds: [photoId(circle)], tag: 'circle', verdict: 'reject' });
    const list = await calls['tags.list']({});
    expect(list.find((tag) => tag.name === 'star')).toMatchObject({ confirmed: 1, rejected: 0 });
    expect(list.find((tag) => tag.name === 'circle')).toMatchObject({ confirmed: 0, rejected: 1 });
    for (const tag of list) expect([tag.name, tag.photos]).toEqual([tag.name, (await calls['tags.photos']({ tag: tag.name })).ids.length]);

    let stdout = '';
    expect(await main(['tags', '--data', data, '--json'], { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: () => true } })).toBe(0);
    const counts = (JSON.parse(stdout) as { counts: Array<{ tag: string; photos: number; confirmed: number; rejected: number }> }).counts;
    expect(Object.fromEntries(counts.map((count) => [count.tag, [count.photos, count.confirmed, count.rejected]]))).toEqual(
      Object.fromEntries(list.filter((tag) => tag.photos + tag.rejected > 0).map((tag) => [tag.name, [tag.photos, tag.confirmed, tag.rejected]])),
    );
  });
});
