/** Note [Models kept beside the library] in main/library/model-place.ts. */
import { cp } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../main/engine/engine.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos, queryLibrary } from '../helpers/library.js';

describe('a model installed in the data folder', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  const engines: Engine[] = [];
  const engineOn = (dataDir: string, model?: string) => {
    const engine = new Engine({ dataDir, ...(model ? { model } : {}), provider: 'cpu' });
    engines.push(engine);
    return engine;
  };

  beforeEach(async () => (scratch = await tempDir()));
  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.dispose();
    await scratch.cleanup();
  });

  it('is the copy’s own in a copied data folder, and a model from elsewhere is known by its whole path', async () => {
    const data = path.join(scratch.dir, 'data');
    const photos = path.join(scratch.dir, 'Photos');
    await copyPhotos((await fixturePhotos()).slice(0, 2), photos);
    const first = engineOn(data);
    const { id } = await first.importModel(IMMICH_MODEL);
    await (await first.addFolders([photos])).indexing.done;
    expect(first.library().servingModelReference()).toBe(path.join(data, 'models', id));
    await first.dispose();

    const copy = path.join(scratch.dir, 'copy');
    await cp(data, copy, { recursive: true });
    expect(engineOn(copy).library().servingModelReference()).toBe(path.join(copy, 'models', id));

    // A model indexed from a folder outside the data folder stays where it is.
    const other = path.join(scratch.dir, 'other');
    const elsewhere = engineOn(other, IMMICH_MODEL);
    await (await elsewhere.addFolders([photos])).indexing.done;
    expect(queryLibrary<string>(other, "SELECT value FROM meta WHERE key LIKE 'model_dir:%'")).toEqual([IMMICH_MODEL]);
    expect(elsewhere.library().servingModelReference()).toBe(IMMICH_MODEL);
  });
});
