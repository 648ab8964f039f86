/** Note [Saved over a change] in main/tags/library-vocabulary.ts. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineHandlers, type EngineHandlers } from '../../main/engine/calls.js';
import { Engine } from '../../main/engine/engine.js';
import { tempDir } from '../helpers/fixtures.js';
import { indexedEngine } from '../helpers/library.js';

const BEGUN = { templates: ['a photo of a {}.'], tags: [{ name: 'circle', prompts: ['circle'] }, { name: 'lake', prompts: ['lake'] }] };

describe('a vocabulary saved from an edit', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let engine: Engine;
  let calls: EngineHandlers;

  beforeAll(async () => {
    scratch = await tempDir();
    engine = await indexedEngine(scratch.dir, 2);
    calls = engineHandlers(engine);
  });
  afterAll(async () => {
    await engine.dispose();
    await scratch.cleanup();
  });

  it('is refused where the vocabulary it began from was changed since, and saved where it was not', async () => {
    await calls['vocabulary.import']({ json: JSON.stringify(BEGUN) });
    const begunFrom = (await calls['vocabulary.get']({})).vocabulary;
    // Another window (or the command line) saves a change meanwhile.
    const theirs = { ...BEGUN, tags: [BEGUN.tags[0]!, { name: 'lake', prompts: ['lake'], threshold: 0.3 }] };
    await calls['vocabulary.save']({ vocabulary: theirs, basedOn: begunFrom });
    const mine = { ...BEGUN, tags: [{ name: 'circle', prompts: ['a round thing'] }, BEGUN.tags[1]!] };
    await expect(calls['vocabulary.save']({ vocabulary: mine, basedOn: begunFrom })).rejects.toMatchObject({ code: 'bad-input', message: expect.stringMatching(/^The templates were changed elsewhere .* Nothing was saved\.$/) });
    expect((await calls['vocabulary.get']({})).vocabulary.tags[1]).toMatchObject({ name: 'lake', threshold: 0.3 });
    // Begun again from what is saved now, it saves; and a save that names no beginning is as before.
    await calls['vocabulary.save']({ vocabulary: mine, basedOn: (await calls['vocabulary.get']({})).vocabulary });
    expect((await calls['vocabulary.get']({})).vocabulary.tags[0]).toMatchObject({ name: 'circle', prompts: ['a round thing'] });
    await calls['vocabulary.save']({ vocabulary: BEGUN });
    expect((await calls['vocabulary.get']({})).vocabulary).toEqual(BEGUN);
    await engine.tagLibrary().done.catch(() => {});
  });
});
