/**
 * Note [Tags follow the model] in main/tags/tagger.ts: the tagger's tags come from the model that
 * tags now. Switching A → B → A (A's vectors kept) left B's tags in place, as A's state said its
 * run was done, and a run as the app starts it (incremental) tagged nothing.
 */
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Library } from '../../main/library/library.js';
import type { ClipModel } from '../../main/models/clip.js';
import { Tags } from '../../main/tags/index.js';
import { HF_MODEL, IMMICH_MODEL, SHAPES, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos, loadFixtureModel, openLibrary } from '../helpers/library.js';
import { shapesVocabulary } from './shapes.js';

describe('tagging after a switch of models and back', () => {
  let a: ClipModel;
  let b: ClipModel;
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let library: Library;
  /** The model tagging runs on, as the library's serving model is in the app. */
  let current: ClipModel;
  let tags: Tags;
  const folders = () => library.folders();
  /** The tagger's rows: which tag it gave which image, and under which model. */
  const autoRows = () =>
    library.storage.tags
      .tagsBetween(0, Number.MAX_SAFE_INTEGER)
      .filter((row) => row.source === 'auto')
      .map(({ imageId, tag, model }) => ({ imageId, tag, model }));

  beforeAll(async () => {
    a = await loadFixtureModel(IMMICH_MODEL);
    b = await loadFixtureModel(HF_MODEL);
    expect(a.id).not.toBe(b.id);
  });
  afterAll(async () => {
    await a.dispose();
    await b.dispose();
  });

  beforeEach(async () => {
    scratch = await tempDir();
    const photos = await fixturePhotos();
    // Two photos of each shape in each of two folders.
    const pick = (from: number) => SHAPES.flatMap((shape) => photos.filter((photo) => photo.shape === shape).slice(from, from + 2));
    await copyPhotos(pick(0), path.join(scratch.dir, 'First'));
    await copyPhotos(pick(2), path.join(scratch.dir, 'Second'));
    library = openLibrary(path.join(scratch.dir, 'data'));
    await library.addFolders([path.join(scratch.dir, 'First'), path.join(scratch.dir, 'Second')]);
    await library.index(a);
    current = a;
    tags = new Tags(library, async () => current);
    await tags.vocabulary.save(shapesVocabulary());
  });
  afterEach(async () => {
    await library.close();
    await scratch.cleanup();
  });

  it('tags with A again, every photo, in a run started as the app starts it', async () => {
    const first = await tags.tagger.run();
    const rowsOfA = autoRows();
    expect(rowsOfA.length).toBeGreaterThan(0);
    await library.index(b);
    current = b;
    expect(await tags.tagger.run()).toMatchObject({ model: b.id, images: first.images, incremental: false });
    expect(new Set(autoRows().map((row) => row.model))).toEqual(new Set([b.id]));

    current = a;
    const again = await tags.tagger.run();
    expect(again).toMatchObject({ model: a.id, images: first.images, incremental: false });
    expect(autoRows()).toEqual(rowsOfA);
    // Done with A now: the next run tags only what is new.
    expect(await tags.tagger.run()).toMatchObject({ images: 0, incremental: true });
  });

  it('tags with A again after B tagged only part of the library, as a run cancelled halfway leaves it', async () => {
    await tags.tagger.run();
    const rowsOfA = autoRows();
    const [first] = folders();
    // B's vectors cover the first folder alone: its run decides those photos and no others.
    await library.index(b, { folders: first ? [first] : [] });
    current = b;
    await tags.tagger.run();
    expect(new Set(autoRows().map((row) => row.model))).toEqual(new Set([a.id, b.id]));

    current = a;
    expect(await tags.tagger.run()).toMatchObject({ incremental: false });
    expect(autoRows()).toEqual(rowsOfA);
  });

  it('tags with A again where A’s state outlived B’s run, as in a library tagged before tags followed the model', async () => {
    await tags.tagger.run();
    const rowsOfA = autoRows();
    const stateOfA = library.storage.tags.state(a.id);
    await library.index(b);
    current = b;
    await tags.tagger.run();
    if (stateOfA) library.storage.tags.saveState(a.id, stateOfA.fingerprint, stateOfA.doneThrough);

    current = a;
    expect(await tags.tagger.run()).toMatchObject({ incremental: false });
    expect(autoRows()).toEqual(rowsOfA);
  });
});
