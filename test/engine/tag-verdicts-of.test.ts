/**
 * `tags.verdictsOf` through the engine's call table over a real Engine: which selected photos the
 * person confirmed a tag on or rejected it on, read before a verdict so that its Undo gives each
 * back what it had (Note [Undo a verdict on a selection] in renderer/src/components/selection-verdict.ts).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineHandlers, type EngineHandlers } from '../../main/engine/calls.js';
import { Engine } from '../../main/engine/engine.js';
import { IMMICH_MODEL, SHAPES, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

const VOCABULARY = { templates: ['a photo of a {}.'], tags: SHAPES.map((shape) => ({ name: shape, prompts: [shape] })) };

describe('tags.verdictsOf', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let engine: Engine;
  let calls: EngineHandlers;

  beforeAll(async () => {
    scratch = await tempDir();
    const photos = path.join(scratch.dir, 'Pictures');
    await copyPhotos(await fixturePhotos(), photos);
    engine = new Engine({ dataDir: path.join(scratch.dir, 'data'), model: IMMICH_MODEL });
    await (await engine.addFolders([photos])).indexing.done;
    calls = engineHandlers(engine);
    await calls['vocabulary.import']({ json: JSON.stringify(VOCABULARY) });
    await engine.tagLibrary().done;
  });
  afterAll(async () => {
    await engine.dispose();
    await scratch.cleanup();
  });

  it('names the photos confirmed, added by hand and rejected, in any capitals, and none the tagger’s alone', async () => {
    const [confirmed, rejected, tagger, added] = (await calls['tags.photos']({ tag: 'star' })).ids as [number, number, number, number];
    await calls['tags.verdict']({ photoIds: [confirmed], tag: 'star', verdict: 'confirm' });
    await calls['tags.verdict']({ photoIds: [rejected], tag: 'star', verdict: 'reject' });
    expect(await calls['tags.verdictsOf']({ photoIds: [confirmed, rejected, tagger], tag: 'STAR' })).toEqual({ confirmed: [confirmed], rejected: [rejected] });

    await calls['tags.verdict']({ photoIds: [added], tag: 'Holiday', verdict: 'add' });
    expect(await calls['tags.verdictsOf']({ photoIds: [added, tagger], tag: 'holiday' })).toEqual({ confirmed: [added], rejected: [] });
  });
});
