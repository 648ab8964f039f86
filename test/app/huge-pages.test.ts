/** Huge pages for the engine's process, where its own launches show they pay (Note [Huge pages where they pay] in main/app/huge-pages.ts). */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { engineEnv, readTowerStarts, recordTowerStart, startedWithHugePages, useHugePages } from '../../main/app/huge-pages.js';
import { forkEngine } from '../../main/app/preview-engine.js';
import { readTextTowerHint } from '../../main/app/text-tower-hint.js';
import { Engine } from '../../main/engine/engine.js';
import { IMMICH_MODEL, ROOT, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

describe('huge pages', () => {
  it('are asked of glibc with one arena, keeping the environment and any tunables already set, and only when chosen', () => {
    const chosen = engineEnv(true, { HOME: '/home/a' });
    expect(chosen).toEqual({ HOME: '/home/a', GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1:glibc.malloc.arena_max=1' });
    expect(engineEnv(true, { GLIBC_TUNABLES: 'glibc.malloc.tcache_count=16' })).toEqual({ GLIBC_TUNABLES: 'glibc.malloc.tcache_count=16:glibc.malloc.hugetlb=1:glibc.malloc.arena_max=1' });
    expect(engineEnv(false, { HOME: '/home/a' })).toEqual({ HOME: '/home/a' });
    expect(startedWithHugePages(chosen)).toBe(true);
    expect(startedWithHugePages(engineEnv(false, { GLIBC_TUNABLES: 'glibc.malloc.tcache_count=16' }))).toBe(false);
  });

  it('are tried on alternate launches, with them first, then kept the way whose starts are shorter', async () => {
    for (const [slowerWay, expected] of [[true, false], [false, true]] as const) {
      const { dir, cleanup } = await tempDir();
      const trial: boolean[] = [];
      for (let launch = 0; launch < 4; launch++) {
        const hugePages = useHugePages(dir);
        trial.push(hugePages);
        recordTowerStart(dir, hugePages, hugePages === slowerWay ? 900 + launch : 300 + launch);
      }
      expect(trial).toEqual([true, false, true, false]);
      expect(useHugePages(dir)).toBe(expected);
      await cleanup();
    }
  });

  it('a way that gets slower loses its place to the other, judged on the latest starts', async () => {
    const { dir, cleanup } = await tempDir();
    for (const ms of [400, 420]) recordTowerStart(dir, true, ms);
    for (const ms of [300, 310]) recordTowerStart(dir, false, ms);
    expect(useHugePages(dir)).toBe(false);
    for (const ms of [700, 800]) recordTowerStart(dir, false, ms);
    expect(readTowerStarts(dir)).toEqual({ withHugePages: [400, 420], without: [310, 700, 800] });
    expect(useHugePages(dir)).toBe(true);
    await cleanup();
  });

  it('a record that is missing or not one of its own counts as no launch', async () => {
    const { dir, cleanup } = await tempDir();
    const file = path.join(dir, 'tower-starts.json');
    for (const content of ['{', 'null', '[]', '{"withHugePages":[1],"without":["2"]}', '{"withHugePages":[-1],"without":[]}', '{"without":[]}']) {
      writeFileSync(file, content);
      expect(readTowerStarts(dir)).toEqual({ withHugePages: [], without: [] });
    }
    recordTowerStart(dir, false, 12.6);
    expect(readTowerStarts(dir)).toEqual({ withHugePages: [], without: [13] });
    await cleanup();
  });

  it('each launch of the engine process times its text tower’s start, the way the record chose', async () => {
    const { dir, cleanup } = await tempDir();
    const dataDir = path.join(dir, 'data');
    const photos = path.join(dir, 'photos');
    await copyPhotos((await fixturePhotos()).slice(0, 2), photos);
    const engine = new Engine({ dataDir, model: IMMICH_MODEL });
    await (await engine.addFolders([photos])).indexing.done;
    await engine.dispose();
    const launchesTimed = () => {
      const { withHugePages, without } = readTowerStarts(dataDir);
      return withHugePages.length + without.length;
    };
    const launch = async (recorded: number) => {
      const launched = forkEngine({ dataDir, resourcesDir: path.join(ROOT, 'resources'), model: IMMICH_MODEL }, () => {}, () => {});
      try {
        await expect.poll(() => readTextTowerHint(dataDir), { timeout: 20_000 }).not.toBeNull();
        expect(await launched.call('search.query', { query: 'a red star' })).toMatchObject({ total: expect.any(Number) });
        // Recorded before the first search is answered, for a process asked one search and stopped.
        expect(launchesTimed()).toBe(recorded);
      } finally {
        await launched.shutdown();
      }
    };
    // The first launch starts no tower early: none is recorded yet (Note [Text tower first]).
    await launch(0);
    await launch(1);
    expect(readTowerStarts(dataDir)).toEqual({ withHugePages: [expect.any(Number)], without: [] });
    await launch(2);
    expect(readTowerStarts(dataDir)).toEqual({ withHugePages: [expect.any(Number)], without: [expect.any(Number)] });
    await cleanup();
  }, 90_000);
});
