/**
 * The editor's evaluation when it measured none of the person's verdicts: it says why, as the CLI
 * does (Note [Verdicts not measured]), through the engine's call table over a real Engine.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineHandlers, type EngineHandlers } from '../../main/engine/calls.js';
import { Engine } from '../../main/engine/engine.js';
import { IMMICH_MODEL, SHAPES, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

const VOCABULARY = { templates: ['a photo of a {}.'], tags: SHAPES.map((shape) => ({ name: shape, prompts: [shape] })) };

describe('the app’s evaluation of verdicts it cannot measure', () => {
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

  it('says there are no verdicts yet only when there are none', async () => {
    const evaluation = await calls['vocabulary.evaluate']({ vocabulary: VOCABULARY });
    expect(evaluation.unmeasured).toBe('No confirmed or rejected tags yet. Confirm or reject tags in the viewer, then evaluate again.');
  });

  it('names the tags the verdicts are on when the vocabulary has none of them', async () => {
    const ids = (await calls['tags.photos']({ tag: 'star' })).ids.slice(0, 3);
    await calls['tags.verdict']({ photoIds: ids, tag: 'everything', verdict: 'add' });
    await calls['tags.verdict']({ photoIds: ids.slice(0, 1), tag: 'bulkadded', verdict: 'add' });
    const evaluation = await calls['vocabulary.evaluate']({ vocabulary: VOCABULARY });
    expect(evaluation.edited.confirmed + evaluation.edited.rejected).toBe(0);
    expect(evaluation.unmeasured).toMatch(/^None of the library’s 4 confirmed or rejected tags are tags of this vocabulary: they are on ("everything", "bulkadded"|"bulkadded", "everything")\. Add those tags to the vocabulary to measure them\.$/);
  });

  it('says nothing of the kind once verdicts are measured', async () => {
    const [star] = (await calls['tags.photos']({ tag: 'star' })).ids;
    await calls['tags.verdict']({ photoIds: [star as number], tag: 'star', verdict: 'confirm' });
    expect((await calls['vocabulary.evaluate']({ vocabulary: VOCABULARY })).unmeasured).toBeNull();
  });
});
