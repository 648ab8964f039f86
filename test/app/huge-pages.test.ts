/** Huge pages for the engine's process, where its own launches show they pay (Note [Huge pages where they pay] in main/app/huge-pages.ts). */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TRIAL_LAUNCHES, engineEnv, readTowerStarts, recordTowerStart, startedWithHugePages, useHugePages } from '../../main/app/huge-pages.js';
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
      for (let launch = 0; launch < 2 * TRIAL_LAUNCHES; launch++) {
        const hugePages = useHugePages(dir);
        trial.push(hugePages);
        // The faster way's first start is slow (a cold disk): one start does not decide.
        recordTowerStart(dir, hugePages, hugePages === slowerWay ? 900 + launch : launch < 2 ? 5000 : 300 + launch);
      }
      expect(trial).toEqual([true, false, true, false, true, false]);
      expect(useHugePages(dir)).toBe(expected);
      await cleanup();
    }
  });

  it('try the other way once every tenth launch, and a way that gets slower loses its place, judged on the latest starts', async () => {
    const { dir, cleanup } = await tempDir();
    for (const ms of [400, 420, 410]) recordTowerStart(dir, true, ms);
    for (const ms of [300, 310, 305]) recordTowerStart(dir, false, ms);
    const chosen: boolean[] = [];
    for (let launch = 6; launch < 20; launch++) {
      const hugePages = useHugePages(dir);
      chosen.push(hugePages);
      recordTowerStart(dir, hugePages, hugePages ? 410 : 305);
    }
    // The 10th and the 20th launches try huge pages again.
    expect(chosen.map((hugePages, i) => (hugePages ? i + 6 : null)).filter((launch) => launch !== null)).toEqual([9, 19]);
    for (const ms of [700, 800]) recordTowerStart(dir, false, ms);
    expect(readTowerStarts(dir)).toMatchObject({ withHugePages: [410, 410, 410], without: [305, 700, 800], launches: 22 });
    expect(useHugePages(dir)).toBe(true);
    await cleanup();
  });

  it('a record that is missing or not one of its own counts as no launch', async () => {
    const { dir, cleanup } = await tempDir();
    const file = path.join(dir, 'tower-starts.json');
    const none = { withHugePages: [], without: [], launches: 0 };
    for (const content of ['{', 'null', '[]', '{"withHugePages":[1],"without":["2"],"launches":2}', '{"withHugePages":[-1],"without":[],"launches":1}', '{"without":[],"launches":0}', '{"withHugePages":[],"without":[]}', '{"withHugePages":[],"without":[],"launches":-1}']) {
      writeFileSync(file, content);
      expect(readTowerStarts(dir)).toEqual(none);
    }
    recordTowerStart(dir, false, 12.6);
    expect(readTowerStarts(dir)).toEqual({ withHugePages: [], without: [13], launches: 1 });
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
    expect(readTowerStarts(dataDir)).toEqual({ withHugePages: [expect.any(Number)], without: [], launches: 1 });
    await launch(2);
    expect(readTowerStarts(dataDir)).toEqual({ withHugePages: [expect.any(Number)], without: [expect.any(Number)], launches: 2 });
    await cleanup();
  }, 90_000);
});
