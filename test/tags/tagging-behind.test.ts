/**
 * Tagger.behind, which the app asks as an index run ends (Note [Tagging catches up] in
 * main/engine/index-job.ts): behind until a run has tagged every photo with the vocabulary and
 * the refined tags in use, then not, without embedding anything; behind again once they change.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Library } from '../../main/library/library.js';
import type { ClipModel } from '../../main/models/clip.js';
import { Tags } from '../../main/tags/index.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos, loadFixtureModel, openLibrary } from '../helpers/library.js';
import { shapesVocabulary } from './shapes.js';

describe('whether tagging is behind', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let model: ClipModel;
  let library: Library;
  let tags: Tags;
  /** The photos of squares and circles, by id. */
  const shapeOf = new Map<number, string>();

  beforeAll(async () => {
    scratch = await tempDir();
    model = await loadFixtureModel(IMMICH_MODEL);
    const photos = await fixturePhotos();
    const chosen = [...photos.filter((photo) => photo.shape === 'square').slice(0, 10), ...photos.filter((photo) => photo.shape === 'circle').slice(0, 10)];
    const files = await copyPhotos(chosen, path.join(scratch.dir, 'Photos'));
    library = openLibrary(path.join(scratch.dir, 'data'));
    await library.index(model, { folders: (await library.addFolders([path.join(scratch.dir, 'Photos')])).folders });
    files.forEach((file, i) => shapeOf.set(library.resolvePhoto(file).photoId, chosen[i]!.shape));
    tags = new Tags(library, async () => model);
    await tags.vocabulary.save(shapesVocabulary());
  });
  afterAll(async () => {
    await library.close();
    await model.dispose();
    await scratch.cleanup();
  });

  it('is behind until a run, and not after it with a refined tag in use, embedding nothing to tell', async () => {
    expect(await tags.tagger.behind()).toBe(true);
    // The person's "circle" is what the prompt calls a square: verdicts that refine it.
    for (const [id, shape] of shapeOf) await tags.verdicts.give([id], 'circle', shape === 'square' ? 'confirm' : 'reject');
    await tags.tagger.run();
    expect(tags.refinements.reports(model.id).find((report) => report.tag === 'circle')).toMatchObject({ status: 'refined' });

    const embed = vi.spyOn(model, 'embedTexts');
    try {
      expect(await tags.tagger.behind()).toBe(false);
      // Set back to zero-shot, the circle scores otherwise: behind until the next run.
      tags.refinements.setRefinementEnabled('circle', false);
      expect(await tags.tagger.behind()).toBe(true);
      tags.refinements.setRefinementEnabled('circle', true);
      expect(await tags.tagger.behind()).toBe(false);
      expect(embed).not.toHaveBeenCalled();
    } finally {
      embed.mockRestore();
    }
  });

  it('is behind with another vocabulary', async () => {
    await tags.tagger.run();
    expect(await tags.tagger.behind()).toBe(false);
    const edited = shapesVocabulary();
    edited.tags.find((tag) => tag.name === 'square')!.threshold = 0.5;
    await tags.vocabulary.save(edited);
    expect(await tags.tagger.behind()).toBe(true);
    await tags.tagger.run();
    expect(await tags.tagger.behind()).toBe(false);
  });
});
