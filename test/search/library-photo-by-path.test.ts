/**
 * A file the CLI names that is a photo of the library is that photo, as `#id` is (Note [A library
 * photo by its path] in main/search/search.ts): left out of its own results, so that the cutoff is
 * measured from the photos most like it. A file from outside the library, and bytes dropped on the
 * window, stay images from outside. A query file the decoder fails on is said as indexing says it.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Library } from '../../main/library/library.js';
import type { ClipModel } from '../../main/models/clip.js';
import { PhotoSearch, type SearchPage } from '../../main/search/search.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos, loadFixtureModel, openLibrary, type FixturePhoto } from '../helpers/library.js';

const files = { imageFiles: true };
const ranking = (page: SearchPage) => ({ ids: page.results.map((hit) => [hit.photoId, hit.score]), total: page.total, belowCutoff: page.belowCutoff });

describe('a photo named by its path in a query', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let model: ClipModel;
  let library: Library;
  let search: PhotoSearch;
  let photos: FixturePhoto[];
  let inLibrary: string[];

  beforeAll(async () => {
    scratch = await tempDir();
    model = await loadFixtureModel(IMMICH_MODEL);
    photos = (await fixturePhotos()).filter((_, i) => i % 2 === 0);
    inLibrary = await copyPhotos(photos, path.join(scratch.dir, 'Photos'));
    library = openLibrary(path.join(scratch.dir, 'data'));
    expect((await library.index(model, { folders: (await library.addFolders([path.join(scratch.dir, 'Photos')])).folders })).failed).toEqual([]);
    search = new PhotoSearch(library, model);
  });
  afterAll(async () => {
    await library.close();
    await model.dispose();
    await scratch.cleanup();
  });

  it('is that photo, left out of its results and ranked as `similar` and #id rank it, its matches above the cutoff', async () => {
    const file = inLibrary[3] as string;
    const photo = library.resolvePhoto(file);
    const byId = await search.similar(photo.photoId, { limit: 100 });
    expect(byId.results.length).toBeGreaterThan(1);
    for (const named of [file, path.relative(process.cwd(), file)]) {
      const page = await search.search(named, { limit: 100 }, undefined, files);
      expect(page.results.map((hit) => hit.photoId)).not.toContain(photo.photoId);
      expect(ranking(page)).toEqual(ranking(byId));
      expect(ranking(page)).toEqual(ranking(await search.search(`#${photo.photoId}`, { limit: 100 })));
    }
    // A term of a combined query too, as #id is.
    const combined = await search.search(`a photo of a star. + ${file}`, { limit: 100, showAll: true }, undefined, files);
    expect(combined.results.map((hit) => hit.photoId)).not.toContain(photo.photoId);
    expect(ranking(combined)).toEqual(ranking(await search.search(`a photo of a star. + #${photo.photoId}`, { limit: 100, showAll: true })));
  });

  it('stays an image from outside when it is a file outside the library or bytes dropped on the window: the library’s copy is found', async () => {
    const file = inLibrary[3] as string;
    const photo = library.resolvePhoto(file);
    // The fixture the library's file was copied from: the same picture, not a photo of the library.
    const outside = (photos[3] as FixturePhoto).file;
    expect((await search.search(outside, { limit: 5 }, undefined, files)).results[0]?.photoId).toBe(photo.photoId);
    expect((await search.similar(outside, { limit: 5 })).results[0]?.photoId).toBe(photo.photoId);
    // Bytes have no path: even a library photo's are searched by as an image.
    expect((await search.similar(await readFile(file), { limit: 5 })).results[0]?.photoId).toBe(photo.photoId);
  });

  it('says a query file the decoder fails on as indexing says it, not in the decoder’s words', async () => {
    const whole = inLibrary[0] as string;
    const truncated = path.join(scratch.dir, 'truncated.jpg');
    await writeFile(truncated, (await readFile(whole)).subarray(0, Math.floor((await stat(whole)).size / 2)));
    const said = { code: 'image-undecodable', message: 'truncated.jpg is truncated (an incomplete copy or download?).' };
    await expect(search.search(truncated, { limit: 5 }, undefined, files)).rejects.toMatchObject(said);
    await expect(search.search(`a photo of a star. + ${truncated}`, { limit: 5 }, undefined, files)).rejects.toMatchObject(said);
    await expect(search.similar(truncated, { limit: 5 })).rejects.toMatchObject(said);
    // What was already in Lumen's words stays so.
    const empty = path.join(scratch.dir, 'empty.jpg');
    await writeFile(empty, '');
    await expect(search.similar(empty)).rejects.toMatchObject({ code: 'image-undecodable', message: `${empty} is empty (0 bytes): an incomplete copy or download?` });
  });
});
