/** Which folders below a library folder the Folder filter lists (Note [Folders worth choosing]), where a library folder lies inside another. */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { folderChoices } from '../../main/engine/photo-info.js';
import { Storage } from '../../main/storage/storage.js';
import { tempDir } from '../helpers/fixtures.js';

describe('the folders worth choosing', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  beforeEach(async () => {
    scratch = await tempDir();
  });
  afterEach(async () => {
    await scratch.cleanup();
  });

  it('keeps a folder that narrows to fewer photos than the folder it is in, a library folder below that one counted', () => {
    const storage = Storage.open(path.join(scratch.dir, 'data'));
    const roots = ['/p', '/p/a/x/linked'];
    const [outer, inner] = roots.map((root) => storage.library.addFolder(root, []));
    const files: Array<[string, number | undefined]> = [
      ['/p/a/b/c.jpg', outer],
      ['/p/a/x/linked/d.jpg', inner],
    ];
    files.forEach(([file, folderId], i) => {
      const image = { created: { contentHash: `hash-${i}`, format: 'jpeg', width: 4, height: 3, thumbnail: null, takenAt: null, cameraMake: null, cameraModel: null, lens: null, latitude: null, longitude: null, orientation: null } };
      storage.library.writeBatch('m', [{ path: file, folderId: folderId as number, size: 1, mtimeMs: 1, image, vector: null }], []);
    });
    // /p/a narrows to both photos, as /p does; /p/a/b to one, so it is a choice of its own.
    expect(folderChoices(roots, storage).map(({ path: dir, depth, photos }) => [dir, depth, photos])).toEqual([
      ['/p', 0, 1],
      ['/p/a/b', 2, 1],
      ['/p/a/x/linked', 0, 1],
    ]);
    storage.close();
  });
});
