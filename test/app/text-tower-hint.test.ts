/** The text tower the engine started last, recorded for the next launch (Note [Text tower first] in main/app/engine-process.ts). */
import { statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { forkEngine } from '../../main/app/preview-engine.js';
import { readTextTowerHint, rememberTextTower, startTextTowerEarly } from '../../main/app/text-tower-hint.js';
import { Engine } from '../../main/engine/engine.js';
import { ModelSession } from '../../main/models/session.js';
import { IMMICH_MODEL, IMMICH_TEXT_PLAN, ROOT, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

const TEXT = IMMICH_TEXT_PLAN;
const quiet = () => {};

describe('text tower hint', () => {
  afterEach(async () => {
    await ModelSession.releaseUnclaimed();
    vi.restoreAllMocks();
  });

  it('is read back as written, and written again only when the tower changes', async () => {
    const { dir, cleanup } = await tempDir();
    expect(readTextTowerHint(dir)).toBeNull();
    await rememberTextTower(dir, TEXT);
    expect(readTextTowerHint(dir)).toEqual(TEXT);
    const file = path.join(dir, 'text-tower.json');
    utimesSync(file, 1, 1);
    await rememberTextTower(dir, { ...TEXT });
    expect(statSync(file).mtimeMs).toBe(1000);
    await rememberTextTower(dir, { ...TEXT, preference: 'webgpu' });
    expect(readTextTowerHint(dir)).toEqual({ ...TEXT, preference: 'webgpu' });
    await cleanup();
  });

  it('a file that is not one of its own is no hint', async () => {
    const { dir, cleanup } = await tempDir();
    const file = path.join(dir, 'text-tower.json');
    for (const content of ['{', '[]', 'null', '"x"', JSON.stringify({ ...TEXT, modelPath: 'relative/model.onnx' }), JSON.stringify({ ...TEXT, preference: 'quantum' }), JSON.stringify({ ...TEXT, thread: 'main' }), JSON.stringify({ preference: 'cpu' })]) {
      writeFileSync(file, content);
      expect(readTextTowerHint(dir)).toBeNull();
    }
    await cleanup();
  });

  it('starts the tower it names (none without a hint), which the engine’s own start then takes over', async () => {
    const { dir, cleanup } = await tempDir();
    const release = vi.spyOn(ModelSession.prototype, 'release');
    startTextTowerEarly(dir, quiet);
    await ModelSession.releaseUnclaimed();
    expect(release).not.toHaveBeenCalled();
    await rememberTextTower(dir, TEXT);
    startTextTowerEarly(dir, quiet);
    await ModelSession.releaseUnclaimed();
    expect(release).toHaveBeenCalledTimes(1);
    startTextTowerEarly(dir, quiet);
    const taken = await ModelSession.create(TEXT.modelPath, TEXT.preference, quiet, quiet, { thread: TEXT.thread });
    await ModelSession.releaseUnclaimed();
    expect(release).toHaveBeenCalledTimes(1);
    await taken.release();
    await cleanup();
  });

  it('the engine process records the text tower of the library it opens, for its next launch', async () => {
    const { dir, cleanup } = await tempDir();
    const dataDir = path.join(dir, 'data');
    const photos = path.join(dir, 'photos');
    await copyPhotos((await fixturePhotos()).slice(0, 3), photos);
    const engine = new Engine({ dataDir, model: IMMICH_MODEL });
    await (await engine.addFolders([photos])).indexing.done;
    // The library's writer starts the tower on its short-text graph (Note [Short texts]), and records that.
    const plan = await (await engine.searchModel()).startedTextSessionPlan();
    expect(path.dirname(plan.modelPath)).toBe(path.join(dataDir, 'graphs'));
    await engine.dispose();
    expect(readTextTowerHint(dataDir)).toBeNull();
    const launch = async () => {
      const launched = forkEngine({ dataDir, resourcesDir: path.join(ROOT, 'resources'), model: IMMICH_MODEL }, () => {}, () => {});
      try {
        await expect.poll(() => readTextTowerHint(dataDir), { timeout: 30_000 }).toEqual(plan);
        expect(await launched.call('search.query', { query: 'a red star' })).toMatchObject({ total: expect.any(Number) });
      } finally {
        await launched.shutdown();
      }
    };
    await launch();
    // A recorded tower that is gone (a model removed since) only costs its head start.
    await rememberTextTower(dataDir, { ...plan, modelPath: path.join(dir, 'removed', 'model.onnx') });
    await launch();
    await cleanup();
  }, 60_000);
});
