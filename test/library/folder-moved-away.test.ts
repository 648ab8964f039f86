/** Note [A folder moved away] in main/library/library.ts. */
import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engineHandlers } from '../../main/engine/calls.js';
import { Engine } from '../../main/engine/engine.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

describe('a library folder moved and added again at its new place', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let engine: Engine;

  beforeEach(async () => {
    scratch = await tempDir();
    engine = new Engine({ dataDir: path.join(scratch.dir, 'data'), model: IMMICH_MODEL });
  });
  afterEach(async () => {
    await engine.dispose();
    await scratch.cleanup();
  });

  it('is said to be there, and the old place removed forgets no photo, album or tag', async () => {
    const before = path.join(scratch.dir, 'Photos');
    const after = path.join(scratch.dir, 'Drive', 'Photos');
    await copyPhotos((await fixturePhotos()).slice(0, 4), before);
    await (await engine.addFolders([before])).indexing.done;
    const calls = engineHandlers(engine);
    const shown = await calls['photos.timeline']({ filters: {}, first: 100 } as never);
    const album = await calls['albums.save']({ name: 'Trip', photoIds: shown.ids.slice(0, 2) });
    await calls['tags.verdict']({ photoIds: shown.ids.slice(0, 1), tag: 'harbour', verdict: 'add' } as never);

    await mkdir(path.dirname(after));
    await rename(before, after);
    const summary = await (await engine.addFolders([after])).indexing.done;
    expect(summary.unreachable).toEqual([
      {
        path: before,
        message: `The folder ${before} is gone (moved, deleted, or its drive not mounted); its 4 photos are kept. Every one of its photos is also in ${after}: if the folder moved there, remove ${before} from the library to forget its old place (the photos, their tags and albums stay, in ${after}).`,
      },
    ]);

    const old = engine.library().folders().find((folder) => folder.path === before)!;
    await engine.removeFolder(old.id);
    const albumPhotos = await calls['albums.photos']({ id: album.id });
    expect(albumPhotos.ids).toHaveLength(2);
    expect(albumPhotos.names.every((name) => name.length > 0)).toBe(true);
    expect((await calls['tags.photos']({ tag: 'harbour' })).ids).toHaveLength(1);
    expect(engine.library().status()).toMatchObject({ photos: 4 });
  });
});
