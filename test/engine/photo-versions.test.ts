/**
 * Note [Photo versions] (main/app/photo-route.ts): a photo edited in place keeps its id, and
 * everything the app is told of it (the timeline, search results, its details) carries a new
 * version, so that the window asks for its new picture; the other photos keep theirs.
 */
import { readFile, writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineHandlers, type EngineHandlers } from '../../main/engine/calls.js';
import { Engine } from '../../main/engine/engine.js';
import { callSchemas } from '../../preload/contract.js';
import { tempDir } from '../helpers/fixtures.js';
import { indexedEngine } from '../helpers/library.js';

describe('a photo edited in place', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let engine: Engine;
  let calls: EngineHandlers;

  beforeAll(async () => {
    scratch = await tempDir();
    engine = await indexedEngine(scratch.dir, 6);
    calls = engineHandlers(engine);
  });
  afterAll(async () => {
    await engine?.dispose();
    await scratch.cleanup();
  });

  /** Each photo's version as the timeline, the search results and the details tell it, by id. */
  async function versions(): Promise<{ timeline: Map<number, number>; search: Map<number, number>; details: Map<number, number> }> {
    const timeline = await calls['photos.timeline']({ filters: {} });
    const page = await calls['search.query'](callSchemas['search.query'].parse({ query: 'a photo', options: { limit: 50, showAll: true } }));
    const details = await Promise.all(timeline.ids.map((id) => calls['photos.details']({ id })));
    return {
      timeline: new Map(timeline.ids.map((id, at) => [id, timeline.versions[at] as number])),
      search: new Map(page.results.map((hit) => [hit.id, hit.version])),
      details: new Map(details.map((photo) => [photo.id, photo.version])),
    };
  }

  it('has a new version wherever the app is told of it, the same in each, and the others keep theirs', async () => {
    const before = await versions();
    expect(before.timeline.size).toBe(6);
    expect(before.search).toEqual(before.timeline);
    expect(before.details).toEqual(before.timeline);

    const edited = [...before.timeline.keys()][0] as number;
    const file = engine.library().resolvePhoto(edited).path;
    // Rotated in another app: new bytes at the same path, and the same photo id after the next run.
    await writeFile(file, await sharp(await readFile(file)).rotate(90).jpeg({ quality: 95 }).toBuffer());
    await engine.index().done;

    const after = await versions();
    expect([...after.timeline.keys()].sort()).toEqual([...before.timeline.keys()].sort());
    expect(after.timeline.get(edited)).not.toBe(before.timeline.get(edited));
    expect(after.search).toEqual(after.timeline);
    expect(after.details).toEqual(after.timeline);
    for (const [id, version] of before.timeline) if (id !== edited) expect(after.timeline.get(id)).toBe(version);
  });
});
