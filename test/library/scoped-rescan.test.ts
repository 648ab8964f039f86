/**
 * Note [Re-scan where it changed]: a run asked for some folders under a library folder walks
 * them and what is under them, and nothing else, with the exclusions and default skips of the
 * library folder; when a photo it knew there is gone, it walks the whole library, and a folder
 * deleted since the change was seen is walked from the nearest folder still there.
 */
import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Library } from '../../main/library/library.js';
import { walkStarts, widenScope, type IndexScope } from '../../main/library/scope.js';
import type { FolderRow } from '../../main/storage/library-store.js';
import { tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixtureModelAndPhotos, openLibrary, queryLibrary } from '../helpers/library.js';

describe('a re-scan of the folders where something changed', () => {
  const fixture = fixtureModelAndPhotos();
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let root: string;
  let library: Library;
  let folder: FolderRow;
  const index = (options: { within?: IndexScope } = {}) => library.index(fixture.model, options);

  beforeEach(async () => {
    scratch = await tempDir();
    root = path.join(scratch.dir, 'Photos');
    library = openLibrary(path.join(scratch.dir, 'data'));
    // Two photos in each of Photos/a, Photos/b and Photos/b/inner.
    await copyPhotos(fixture.photos.slice(0, 6), root, (_photo, i) => ['a', 'b', path.join('b', 'inner')][i % 3] as string);
    [folder] = (await library.addFolders([root])).folders as [FolderRow];
    await index();
  });
  afterEach(async () => {
    await library.close();
    await scratch.cleanup();
  });

  const paths = () => queryLibrary<string>(library.dataDir, 'SELECT path FROM files ORDER BY path').map((file) => path.relative(root, file));
  const within = (...dirs: string[]) => ({ within: new Map([[folder.id, dirs.map((dir) => path.join(root, dir))]]) });

  it('walks only the folders asked for, and indexes what is new there', async () => {
    await copyPhotos(fixture.photos.slice(6, 7), root, () => 'a');
    await rm(path.join(root, paths().find((file) => path.dirname(file) === 'b') as string));
    const scoped = await index(within('a'));
    expect(scoped).toMatchObject({ embedded: 1, unchanged: 2, removed: 0, failed: [] });
    // The photo deleted from b is still known: b was not walked.
    expect(paths().filter((file) => path.dirname(file) === 'b')).toHaveLength(2);
    expect(await index()).toMatchObject({ embedded: 0, unchanged: 6, removed: 1 });
  });

  it('walks the whole library when a photo it knew there is gone, so a move to a folder not asked for stays a move', async () => {
    const moving = paths().find((file) => file.startsWith('a/')) as string;
    await rename(path.join(root, moving), path.join(root, 'b', 'inner', path.basename(moving)));
    expect(await index(within('a'))).toMatchObject({ embedded: 0, unchanged: 5, moved: 1, removed: 0, copies: 0 });
    expect(paths()).toContain(path.join('b', 'inner', path.basename(moving)));
  });

  it('does nothing, and says nothing, when the folder asked for was removed from the library since', async () => {
    await library.removeFolder(folder.id);
    expect(await index(within('a'))).toMatchObject({ embedded: 0, unchanged: 0, removed: 0, failed: [] });
    await expect(index()).rejects.toMatchObject({ code: 'bad-input', message: 'The library has no folders yet. Add a folder of photos first.' });
  });

  it('walks a folder deleted since its change was seen from the nearest folder still there', async () => {
    await rm(path.join(root, 'b', 'inner'), { recursive: true });
    const summary = await index(within(path.join('b', 'inner', 'deeper')));
    expect(summary).toMatchObject({ embedded: 0, removed: 2, failed: [] });
    expect(paths().filter((file) => file.startsWith('b/'))).toHaveLength(2);
    expect(paths().filter((file) => file.startsWith('a/'))).toHaveLength(2);
  });

  it('keeps the library folder’s exclusions and default skips below it', async () => {
    // Files by their path from the library folder, a folder by its own.
    await library.setExcludes(folder.id, ['a/skipped/*.jpg', 'b/left-out']);
    const into = [path.join('a', 'skipped'), path.join('b', 'left-out', 'deeper'), '@eaDir'];
    await copyPhotos(fixture.photos.slice(6, 9), root, (_photo, i) => into[i] as string);
    const summary = await index(within(...into));
    expect(summary).toMatchObject({ embedded: 0, unchanged: 0, failed: [] });
    expect(paths()).toHaveLength(6);
  });

  it('leaves a whole run that stopped unfinished, unless it walked the whole library itself', async () => {
    library.storage.library.markIndexRun('unfinished');
    await index(within('a'));
    expect(library.status().unfinishedRun).toBe(true);
    await rm(path.join(root, paths().find((file) => file.startsWith('a/')) as string));
    expect(await index(within('a'))).toMatchObject({ removed: 1, unchanged: 5 });
    expect(library.status().unfinishedRun).toBe(false);
  });
});

describe('scopes', () => {
  it('widen to everything, or to the union of the folders asked for', () => {
    expect(widenScope(null, 'everything')).toBe('everything');
    expect(widenScope(new Map([[1, ['/p/a']]]), 'everything')).toBe('everything');
    expect(widenScope('everything', new Map([[1, ['/p/a']]]))).toBe('everything');
    expect(widenScope(new Map([[1, ['/p/a']]]), new Map([[1, ['/p/b']], [2, ['/q']]]))).toEqual(
      new Map([
        [1, ['/p/a', '/p/b']],
        [2, ['/q']],
      ]),
    );
  });

  it('start each walk at the outermost folder asked for that is still there, inside the library folder', async () => {
    const scratch = await tempDir();
    try {
      const top = path.join(scratch.dir, 'Photos');
      await mkdir(path.join(top, 'a', 'b'), { recursive: true });
      await mkdir(path.join(top, 'c'), { recursive: true });
      const at = (...parts: string[]) => path.join(top, ...parts);
      expect(await walkStarts(top, [at('a', 'b'), at('c'), at('a')])).toEqual([at('a'), at('c')]);
      expect(await walkStarts(top, [at('a', 'gone', 'deeper'), at('c')])).toEqual([at('a'), at('c')]);
      expect(await walkStarts(top, [at('c'), path.join(scratch.dir, 'elsewhere')])).toEqual([top]);
      expect(await walkStarts(top, [at('gone')])).toEqual([top]);
      // Folders that cannot be looked into: a link to itself, a file taken for a folder.
      await symlink(at('loop'), at('loop'));
      await writeFile(at('c', 'file.jpg'), 'x');
      expect(await walkStarts(top, [at('loop', 'x'), at('c', 'file.jpg', 'x')])).toEqual([top]);
      expect(await walkStarts(top, [at('c', 'file.jpg', 'x')])).toEqual([at('c')]);
    } finally {
      await scratch.cleanup();
    }
  });
});
