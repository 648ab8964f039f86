/**
 * Note [Thumbnails made again] in main/library/thumbnails.ts: a grid thumbnail gone or damaged in
 * the data folder is made again from the original as it is asked for; a whole one is served as
 * it is, and a photo whose original is gone too has none.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Library } from '../../main/library/library.js';
import { tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixtureModelAndPhotos, openLibrary, queryLibrary } from '../helpers/library.js';

describe('grid thumbnails', () => {
  const loaded = fixtureModelAndPhotos();
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let library: Library;

  beforeEach(async () => {
    scratch = await tempDir();
    library = openLibrary(path.join(scratch.dir, 'data'));
  });
  afterEach(async () => {
    await library.close();
    await scratch.cleanup();
  });

  it('are made again from the original where deleted, emptied or overwritten, and kept in the data folder', async () => {
    const folder = path.join(scratch.dir, 'Photos');
    const files = await copyPhotos(loaded.photos.slice(0, 5), folder);
    await library.index(loaded.model, { folders: await library.addFolders([folder]) });
    const rows = queryLibrary<{ id: number; path: string; thumbnail: string }>(library.dataDir, 'SELECT files.id, files.path, images.thumbnail FROM files JOIN images ON images.id = files.image_id ORDER BY files.path');
    const [deleted, overwritten, emptied, cut, whole] = rows.map((row) => ({ ...row, thumbnail: library.thumbnails.absolute(row.thumbnail) }));
    const made = await Promise.all(rows.map(async (row) => sharp(library.thumbnails.absolute(row.thumbnail)).metadata()));
    const originals = await Promise.all(files.map((file) => readFile(file)));
    const untouched = await stat(whole!.thumbnail);

    await rm(deleted!.thumbnail);
    await writeFile(overwritten!.thumbnail, randomBytes((await stat(overwritten!.thumbnail)).size));
    await writeFile(emptied!.thumbnail, '');
    await writeFile(cut!.thumbnail, (await readFile(cut!.thumbnail)).subarray(0, 100));

    for (const [i, photo] of [deleted, overwritten, emptied, cut].entries()) {
      const served = await library.photoImage(photo!.id, 'thumbnail');
      expect(served).toBe(photo!.thumbnail);
      expect(await sharp(await readFile(served)).metadata()).toMatchObject({ format: 'webp', width: made[i]!.width, height: made[i]!.height });
    }
    expect(await library.photoImage(whole!.id, 'thumbnail')).toBe(whole!.thumbnail);
    expect((await stat(whole!.thumbnail)).mtimeMs).toBe(untouched.mtimeMs);
    // The originals were only read.
    for (const [i, file] of files.entries()) expect((await readFile(file)).equals(originals[i]!)).toBe(true);
  });

  it('are none where the original is gone too', async () => {
    const folder = path.join(scratch.dir, 'Photos');
    const [file] = await copyPhotos(loaded.photos.slice(0, 1), folder);
    await library.index(loaded.model, { folders: await library.addFolders([folder]) });
    const [row] = queryLibrary<{ id: number; thumbnail: string }>(library.dataDir, 'SELECT files.id, images.thumbnail FROM files JOIN images ON images.id = files.image_id');
    await rm(library.thumbnails.absolute(row!.thumbnail));
    await rm(file!);
    await expect(library.photoImage(row!.id, 'thumbnail')).rejects.toMatchObject({ code: 'image-unreadable' });
  });
});
