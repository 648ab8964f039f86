/** The Folder filter's choices (`photos.folders`) for libraries that tests cannot make on disk: a drive's top, a share, folders inside folders. */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { folderKey } from '../../main/core/folder-key.js';
import { folderChoices } from '../../main/engine/photo-info.js';
import { Storage } from '../../main/storage/storage.js';
import { tempDir } from '../helpers/fixtures.js';

describe('the folders to narrow to', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  beforeEach(async () => {
    scratch = await tempDir();
  });
  afterEach(async () => {
    await scratch.cleanup();
  });

  /** A library of these folders, and these files in them (in the first folder, or the one a file names by its place in `roots`), in a fresh data folder. */
  function library(roots: string[], files: Array<string | [file: string, root: number]>): Storage {
    const storage = Storage.open(path.join(scratch.dir, String(roots.length + files.length)));
    const ids = roots.map((root) => storage.library.addFolder(root, []));
    files.forEach((entry, i) => {
      const [file, root] = typeof entry === 'string' ? [entry, 0] : entry;
      const image = { created: { contentHash: `hash-${i}`, format: 'jpeg', width: 4, height: 3, thumbnail: null, takenAt: null, cameraMake: null, cameraModel: null, lens: null, latitude: null, longitude: null, orientation: null } };
      storage.library.writeBatch('m', [{ path: file, folderId: ids[root] as number, size: 1, mtimeMs: 1, ctimeMs: 1, image, vector: null }], []);
    });
    return storage;
  }

  it('lists a library folder at the top of a drive or a share, and the folders below it, named as the filter names them', () => {
    const posix = library(['/'], ['/top.jpg', '/DCIM/a.jpg', '/DCIM/100/b.jpg']);
    expect(folderChoices(['/'], posix)).toEqual([
      { key: folderKey('/'), alike: [], path: '/', depth: 0, photos: 3 },
      { key: folderKey('/DCIM'), alike: [], path: '/DCIM', depth: 1, photos: 2 },
      { key: folderKey('/DCIM/100'), alike: [], path: '/DCIM/100', depth: 2, photos: 1 },
    ]);
    posix.close();
  });

  it('counts a folder under the innermost library folder it is in', () => {
    const nested = library(['/p', '/p/linked'], ['/p/a.jpg', '/p/linked/b.jpg', '/p/linked/x/c.jpg']);
    expect(folderChoices(['/p', '/p/linked'], nested).map(({ path: dir, depth, photos }) => [dir, depth, photos])).toEqual([
      ['/p', 0, 1],
      ['/p/linked', 0, 2],
      ['/p/linked/x', 1, 1],
    ]);
    nested.close();
  });

  it('keeps a folder that narrows to fewer photos than the folder it is in, a library folder below that one counted (Note [Folders worth choosing])', () => {
    const roots = ['/p', '/p/a/x/linked'];
    const storage = library(roots, ['/p/a/b/c.jpg', ['/p/a/x/linked/d.jpg', 1]]);
    // /p/a narrows to both photos, as /p does; /p/a/b to one, so it is a choice of its own.
    expect(folderChoices(roots, storage).map(({ path: dir, depth, photos }) => [dir, depth, photos])).toEqual([
      ['/p', 0, 1],
      ['/p/a/b', 2, 1],
      ['/p/a/x/linked', 0, 1],
    ]);
    storage.close();
  });
});
