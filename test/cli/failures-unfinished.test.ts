/**
 * `lumen failures` with no file failed says only what is true: a run that did not finish (Ctrl-C,
 * a kill, a full disk) indexed no more than it reached, as `lumen status` says.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Storage } from '../../main/storage/storage.js';
import { cli } from '../helpers/cli-main.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, execLibrary, fixturePhotos } from '../helpers/library.js';

const MODEL = ['--model', IMMICH_MODEL, '--provider', 'cpu'];

/** Marks the last index run of the library in `data` as stopped, as Ctrl-C, a kill or a full disk leaves it. */
function stopRun(data: string): void {
  const storage = Storage.open(data);
  storage.library.markIndexRun('unfinished');
  storage.close();
}

describe('failures with none failed', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };

  beforeAll(async () => {
    scratch = await tempDir();
  });
  afterAll(() => scratch.cleanup());

  it('says every file was indexed only after a run that finished', async () => {
    const data = path.join(scratch.dir, 'data');
    const folder = path.join(scratch.dir, 'Photos');
    await copyPhotos((await fixturePhotos()).slice(0, 3), folder);
    expect((await cli('index', folder, '--data', data, ...MODEL)).code).toBe(0);
    expect(await cli('failures', '--data', data, ...MODEL)).toMatchObject({ code: 0, stdout: 'No file failed to index: every file in the library was indexed.\n' });

    stopRun(data);
    const stopped = await cli('failures', '--data', data, ...MODEL);
    expect(stopped.stdout).toBe('No file failed to index, but the last index run has not finished (3 photos embedded): the files it had not reached are not indexed yet (`lumen index` goes on).\n');
    expect(JSON.parse((await cli('failures', '--data', data, ...MODEL, '--json')).stdout)).toEqual([]);

    // A run that finished, with a photo it stored since lost its embedding: not every file is indexed.
    expect((await cli('index', '--data', data, ...MODEL)).code).toBe(0);
    execLibrary(data, 'DELETE FROM embeddings WHERE image_id = (SELECT min(image_id) FROM embeddings)');
    expect((await cli('failures', '--data', data, ...MODEL)).stdout).toBe('No file failed to index; 1 photo is not embedded yet (`lumen index` embeds it).\n');
  });

  it('says none is embedded yet where the first run stopped before it stored a photo, as status does', async () => {
    const data = path.join(scratch.dir, 'first-run');
    const empty = path.join(scratch.dir, 'Empty');
    await mkdir(empty);
    expect((await cli('index', empty, '--data', data, ...MODEL)).code).toBe(0);
    stopRun(data);
    expect((await cli('status', '--data', data, ...MODEL)).stdout).toMatch(/none embedded yet: the last index run did not finish/);
    const failures = await cli('failures', '--data', data, ...MODEL);
    expect(failures).toMatchObject({ code: 0, stdout: 'No file failed to index, but the last index run has not finished (none embedded yet): the files it had not reached are not indexed yet (`lumen index` goes on).\n' });
  });
});
