/**
 * A tag the person renamed keeps their verdicts: in the template editor's live preview before the
 * rename is saved, and when a reset or an import brings back the name it was renamed from (Note
 * [Tags back to their names] in main/tags/library-vocabulary.ts). Through the engine's call table,
 * over a library whose built-in vocabulary is the fixture model's shapes.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineHandlers, type EngineHandlers } from '../../main/engine/calls.js';
import { Engine } from '../../main/engine/engine.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';
import { shapesVocabulary } from './shapes.js';

const BUILT_IN = shapesVocabulary();

/** The built-in vocabulary with `triangle` called `name`, and any tags added. */
function renamed(name: string, added: string[] = []) {
  return { ...BUILT_IN, tags: [...BUILT_IN.tags.map((tag) => (tag.name === 'triangle' ? { ...tag, name } : tag)), ...added.map((tag) => ({ name: tag, prompts: [tag] }))] };
}

describe('the verdicts on a renamed tag', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let engine: Engine;
  let calls: EngineHandlers;
  /** Photos the tagger gives `triangle` that the person rejected it on, and one they confirmed. */
  let rejected: number[];
  let confirmed: number;

  const verdicts = () => engine.library().storage.tags.labelled().map(({ tag, rejected: no }) => `${tag}${no ? ' ✕' : ' ✓'}`);
  const tagged = async (tag: string) => (await calls['tags.photos']({ tag })).ids;

  beforeAll(async () => {
    scratch = await tempDir();
    const resources = path.join(scratch.dir, 'resources');
    await mkdir(path.join(resources, 'vocabulary'), { recursive: true });
    await writeFile(path.join(resources, 'vocabulary', 'default.json'), JSON.stringify(BUILT_IN));
    const photos = path.join(scratch.dir, 'Pictures');
    await copyPhotos((await fixturePhotos()).filter((_, i) => i % 2 === 0), photos);
    engine = new Engine({ dataDir: path.join(scratch.dir, 'data'), model: IMMICH_MODEL, resourcesDir: resources });
    await (await engine.addFolders([photos])).indexing.done;
    calls = engineHandlers(engine);
    await engine.tagLibrary().done;
    const triangles = await tagged('triangle');
    expect(triangles.length).toBeGreaterThan(4);
    rejected = triangles.slice(0, 2);
    confirmed = triangles[2] as number;
    await calls['tags.verdict']({ photoIds: rejected, tag: 'triangle', verdict: 'reject' });
    await calls['tags.verdict']({ photoIds: [confirmed], tag: 'triangle', verdict: 'confirm' });
  });
  afterAll(async () => {
    await engine.dispose();
    await scratch.cleanup();
  });

  it('previews a rename as the same as saved, the person’s verdicts honoured', async () => {
    const saved = await calls['vocabulary.preview']({ vocabulary: BUILT_IN, tag: 'triangle' });
    expect(saved.photos.map((photo) => photo.id)).not.toContain(rejected[0]);
    const preview = await calls['vocabulary.preview']({ vocabulary: renamed('three-sided'), tag: 'three-sided', renames: [{ from: 'triangle', to: 'three-sided' }] });
    expect(preview).toMatchObject({ tag: 'three-sided', count: saved.count, gainedCount: 0, lostCount: 0 });
    expect(preview.photos.map((photo) => photo.id)).toEqual(saved.photos.map((photo) => photo.id));
  });

  it('carries them back to the built-in name a reset brings back, through renames in a row', async () => {
    await calls['vocabulary.save']({ vocabulary: renamed('three-sided', ['hexagon']), renames: [{ from: 'triangle', to: 'three-sided' }] });
    await engine.tagLibrary().done;
    await calls['tags.verdict']({ photoIds: [confirmed], tag: 'hexagon', verdict: 'reject' });
    await calls['vocabulary.save']({ vocabulary: renamed('trigon', ['six-sided']), renames: [{ from: 'three-sided', to: 'trigon' }, { from: 'hexagon', to: 'six-sided' }] });
    await engine.tagLibrary().done;
    expect(verdicts().sort()).toEqual(['six-sided ✕', 'trigon ✓', 'trigon ✕', 'trigon ✕']);

    await calls['vocabulary.reset']({});
    await engine.tagLibrary().done;
    // A tag the person made goes with the reset; their verdict on it stays where it was.
    expect(verdicts().sort()).toEqual(['six-sided ✕', 'triangle ✓', 'triangle ✕', 'triangle ✕']);
    const triangles = await tagged('triangle');
    expect(triangles).toContain(confirmed);
    expect(triangles.filter((id) => rejected.includes(id))).toEqual([]);
    expect((await calls['tags.ofPhoto']({ id: rejected[0] as number })).rejected).toEqual(['triangle']);
  });

  it('carries them back to the name an imported vocabulary has, and leaves them on a name it also keeps', async () => {
    await calls['vocabulary.save']({ vocabulary: renamed('three-sided'), renames: [{ from: 'triangle', to: 'three-sided' }] });
    await engine.tagLibrary().done;
    await calls['vocabulary.import']({ json: JSON.stringify(BUILT_IN) });
    await engine.tagLibrary().done;
    expect(verdicts().filter((verdict) => !verdict.startsWith('six-sided')).sort()).toEqual(['triangle ✓', 'triangle ✕', 'triangle ✕']);
    expect((await tagged('triangle')).filter((id) => rejected.includes(id))).toEqual([]);

    // A file that still has the tag's new name keeps it, and its verdicts, whatever else it has.
    await calls['vocabulary.save']({ vocabulary: renamed('three-sided'), renames: [{ from: 'triangle', to: 'three-sided' }] });
    await calls['vocabulary.import']({ json: JSON.stringify(renamed('three-sided', ['triangle'])) });
    await engine.tagLibrary().done;
    expect(verdicts().filter((verdict) => !verdict.startsWith('six-sided')).sort()).toEqual(['three-sided ✓', 'three-sided ✕', 'three-sided ✕']);
  });
});
