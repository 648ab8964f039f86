/**
 * A photo named by a path that is not there is said not to exist (a typo, a file gone), as
 * `search` says it; a file that is there but not in the library is said to be outside it.
 * `lumen tags PATH` and `lumen text PATH` name photos through `resolvePhoto`.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Library } from '../../main/library/library.js';
import { tempDir } from '../helpers/fixtures.js';
import { fixturePhotos, openLibrary } from '../helpers/library.js';

describe('a photo named by a path', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let library: Library;

  beforeAll(async () => {
    scratch = await tempDir();
    library = openLibrary(path.join(scratch.dir, 'data'));
  });
  afterAll(async () => {
    await library.close();
    await scratch.cleanup();
  });

  it('that is not there is said not to exist', () => {
    const missing = path.join(scratch.dir, 'nonexist.jpg');
    expect(() => library.resolvePhoto(missing)).toThrow(expect.objectContaining({ code: 'not-found', message: `${missing} does not exist. Give the path of an indexed photo, or its id (#12).` }));
  });

  it('that is there but outside the library is said to be no photo of it', async () => {
    const outside = (await fixturePhotos())[0]!.file;
    expect(() => library.resolvePhoto(outside)).toThrow(expect.objectContaining({ code: 'not-found', message: `${outside} is not a photo in the library. Give the path of an indexed photo, or its id (#12).` }));
    expect(() => library.resolvePhoto('#12')).toThrow(expect.objectContaining({ code: 'not-found', message: 'There is no photo #12 in the library. Give a photo id from search results or a photo\'s path.' }));
  });
});
