/**
 * Note [No folder left to go on with] in main/storage/library-store.ts: the mark of an index run
 * that did not finish goes with the last library folder, so `lumen status` (and the app's
 * Settings, from the same LibraryStatus.unfinishedRun) no longer says `lumen index` goes on.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Storage } from '../../main/storage/storage.js';
import { cli } from '../helpers/cli-main.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

const MODEL = ['--model', IMMICH_MODEL, '--provider', 'cpu'];

/** Marks the last index run of the library in `data` as stopped, as a kill leaves it. */
function stopRun(data: string): void {
  const storage = Storage.open(data);
  storage.library.markIndexRun('unfinished');
  storage.close();
}

async function unfinishedRun(data: string): Promise<{ said: boolean; json: boolean }> {
  const text = await cli('status', '--data', data, ...MODEL);
  const json = JSON.parse((await cli('status', '--data', data, ...MODEL, '--json')).stdout) as { library: { unfinishedRun: boolean } };
  return { said: /did not finish/.test(text.stdout), json: json.library.unfinishedRun };
}

describe('an unfinished index run and the folders it was about', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let folders: string[];

  beforeAll(async () => {
    scratch = await tempDir();
    const photos = await fixturePhotos();
    folders = [path.join(scratch.dir, 'One'), path.join(scratch.dir, 'Two')];
    await copyPhotos(photos.slice(0, 2), folders[0] as string);
    await copyPhotos(photos.slice(2, 4), folders[1] as string);
  });
  afterAll(() => scratch.cleanup());

  it('is not said once the only folder is removed', async () => {
    const data = path.join(scratch.dir, 'only');
    const [folder] = folders as [string];
    expect((await cli('index', folder, '--data', data, ...MODEL)).code).toBe(0);
    stopRun(data);
    expect(await unfinishedRun(data)).toEqual({ said: true, json: true });
    expect((await cli('folders', '--remove', folder, '--data', data)).code).toBe(0);
    expect(await unfinishedRun(data)).toEqual({ said: false, json: false });
  });

  it('is still said while a folder it may not have reached is left', async () => {
    const data = path.join(scratch.dir, 'two');
    expect((await cli('index', ...folders, '--data', data, ...MODEL)).code).toBe(0);
    stopRun(data);
    expect((await cli('folders', '--remove', folders[0] as string, '--data', data)).code).toBe(0);
    expect(await unfinishedRun(data)).toEqual({ said: true, json: true });
  });
});
