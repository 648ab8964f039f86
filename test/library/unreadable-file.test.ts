/**
 * A file the walk lists but cannot read (no permission, a network share gone: `stat` fails with
 * another error than "not found") is reported and kept as the library knew it, as a folder that
 * cannot be opened is; the run goes on. Tests run as root in CI, where permissions do not stop
 * `stat`, so the failure is made by a stand-in for `fs.statSync`.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Library } from '../../main/library/library.js';
import { tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixtureModelAndPhotos, openLibrary } from '../helpers/library.js';

const unreadable = vi.hoisted(() => new Set<string>());
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const statSync = ((file: string, options?: object) => {
    if (unreadable.has(String(file))) throw Object.assign(new Error(`EIO: i/o error, stat '${String(file)}'`), { code: 'EIO' });
    return fs.statSync(file, options);
  }) as typeof fs.statSync;
  return { ...fs, default: { ...fs, statSync }, statSync };
});

describe('a file the walk cannot read', () => {
  const fixture = fixtureModelAndPhotos();
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let library: Library;
  let files: string[];

  beforeEach(async () => {
    scratch = await tempDir();
    library = openLibrary(path.join(scratch.dir, 'data'));
    files = await copyPhotos(fixture.photos.slice(0, 3), path.join(scratch.dir, 'Photos'), () => '');
    await library.addFolders([path.join(scratch.dir, 'Photos')]);
    await library.index(fixture.model);
  });
  afterEach(async () => {
    unreadable.clear();
    await library.close();
    await scratch.cleanup();
  });

  it('is listed with why and kept, and the run goes on; readable again, it is as before', async () => {
    const [lost] = files as [string];
    unreadable.add(lost);
    await copyPhotos(fixture.photos.slice(3, 4), path.join(scratch.dir, 'Photos'), () => 'more');
    const summary = await library.index(fixture.model);
    expect(summary).toMatchObject({ embedded: 1, unchanged: 2, removed: 0 });
    expect(summary.failed).toEqual([{ path: lost, reason: 'unreadable', message: `${path.basename(lost)} could not be read: the disk reported a read error (EIO).` }]);
    expect(library.status().photos).toBe(4);

    unreadable.clear();
    expect(await library.index(fixture.model)).toMatchObject({ embedded: 0, unchanged: 4, removed: 0, failed: [] });
    expect(library.status()).toMatchObject({ photos: 4, failed: 0 });
  });
});
