/**
 * A library indexed with a model given by its folder, which has gone since (moved or deleted):
 * commands that use the library's model say where it was, not that the person named no model.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli-main.js';
import { IMMICH_MODEL, copyModel, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

describe('a library whose model folder is gone', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let data: string;
  let modelDir: string;

  beforeAll(async () => {
    scratch = await tempDir();
    data = path.join(scratch.dir, 'data');
    const folder = path.join(scratch.dir, 'Photos');
    await copyPhotos((await fixturePhotos()).slice(0, 3), folder);
    modelDir = await copyModel(IMMICH_MODEL, scratch.dir, 'tiny-clip-moved');
    expect((await cli('index', folder, '--data', data, '--model', modelDir, '--provider', 'cpu')).code).toBe(0);
    await rm(modelDir, { recursive: true });
  });
  afterAll(() => scratch.cleanup());

  it('says where the model was for a search and an index run, and a --model given is used as ever', async () => {
    for (const argv of [['search', 'a circle'], ['index']]) {
      const gone = await cli(...argv, '--data', data, '--provider', 'cpu');
      expect(gone.stderr).toBe(
        `lumen ${argv[0]}: The model tiny-clip-moved, which this library's photos were embedded with, was in ${modelDir}, and that folder is gone. Give its folder where it is now (--model FOLDER), or install a model (see \`lumen models list\`).\n`,
      );
      expect(gone.code).not.toBe(0);
    }
    // A name the person gives is theirs: said as before.
    expect((await cli('search', 'a circle', '--data', data, '--model', 'tiny-clip-moved')).stderr).toMatch(/No model folder or catalogue model named "tiny-clip-moved"/);
  });
});
