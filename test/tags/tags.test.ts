import { cp, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { JobControl } from '../../main/jobs/job.js';
import type { Library } from '../../main/library/library.js';
import type { ClipModel } from '../../main/models/clip.js';
import { scoreWithModel, Tags, type TagProgress } from '../../main/tags/index.js';
import { loadDefaultVocabulary, type Vocabulary } from '../../main/tags/vocabulary.js';
import { IMMICH_MODEL, PHOTOS, SHAPES, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos, loadFixtureModel, openLibrary } from '../helpers/library.js';
import { shapesVocabulary } from './shapes.js';

interface Captions {
  images: Array<{ path: string; captions: string[] }>;
}

describe('tagging a library', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let model: ClipModel;
  let library: Library;
  let tags: Tags;
  let folder: string;
  /** Shape of each single-shape photo, by photo id. */
  const shapeOf = new Map<number, string>();
  /** Shapes named in each scene's caption, by photo id. */
  const sceneShapes = new Map<number, string[]>();

  const photoId = (file: string) => library.resolvePhoto(file).photoId;
  const tagNames = (id: number) => tags.verdicts.tagsOf(id).tags.map((t) => t.tag).sort();
  const withThreshold = (vocabulary: Vocabulary, name: string, threshold: number): Vocabulary => ({
    ...vocabulary,
    tags: vocabulary.tags.map((tag) => (tag.name === name ? { ...tag, threshold } : tag)),
  });

  beforeAll(async () => {
    scratch = await tempDir();
    folder = path.join(scratch.dir, 'Photos');
    model = await loadFixtureModel(IMMICH_MODEL);
    const photos = await fixturePhotos();
    const files = await copyPhotos(photos, path.join(folder, 'Shapes'));
    await cp(path.join(PHOTOS, 'scenes'), path.join(folder, 'Scenes'), { recursive: true });
    library = openLibrary(path.join(scratch.dir, 'data'));
    const summary = await library.index(model, { folders: (await library.addFolders([folder])).folders });
    expect(summary.failed).toEqual([]);
    files.forEach((file, i) => shapeOf.set(photoId(file), photos[i]!.shape));
    const captions = JSON.parse(await readFile(path.join(PHOTOS, 'captions.json'), 'utf8')) as Captions;
    for (const entry of captions.images) {
      const id = photoId(path.join(folder, 'Scenes', path.basename(entry.path)));
      sceneShapes.set(id, SHAPES.filter((shape) => entry.captions.join(' ').includes(shape) || entry.captions.join(' ').includes(shape === 'cross' ? 'crosses' : `${shape}s`)));
    }
    tags = new Tags(library, async () => model);
  });
  afterAll(async () => {
    await library.close();
    await model.dispose();
    await scratch.cleanup();
  });

  it('starts from the default vocabulary and keeps the person’s own', async () => {
    expect((await tags.vocabulary.get()).tags.length).toBe((await loadDefaultVocabulary()).tags.length);
    await tags.vocabulary.save(shapesVocabulary());
    expect((await tags.vocabulary.get()).tags.map((t) => t.name)).toEqual([...SHAPES]);
    await expect(tags.vocabulary.save({ templates: ['a photo of {} {}'], tags: [] })).rejects.toThrow(/templates\[0\] must contain \{\} exactly once/);
  });

  it('tags each photo with what it shows, as a background job with progress', async () => {
    const progress: TagProgress[] = [];
    const summary = await tags.tagger.run(new JobControl(), (p) => progress.push(p));
    expect(summary).toMatchObject({ model: model.id, images: 110, incremental: false, tagsEmbedded: 6, removed: 0 });
    expect(summary.tagsScored.sort()).toEqual(['(background)', ...SHAPES].sort());
    expect(progress.at(-1)).toMatchObject({ phase: 'scoring', done: 110, total: 110 });

    let right = 0;
    let wrong = 0;
    for (const [id, shape] of shapeOf) {
      const names = tagNames(id);
      if (names.includes(shape)) right++;
      wrong += names.filter((tag) => tag !== shape).length;
      // A star is never taken for a circle (its points resemble a cross or triangle, not a circle).
      if (shape === 'star') expect(names).not.toContain('circle');
    }
    expect(right / shapeOf.size).toBeGreaterThanOrEqual(0.95);
    expect(wrong / shapeOf.size).toBeLessThan(0.25);

    // Multi-label: some multi-object scenes get several tags, every one of them right.
    const several = [...sceneShapes].filter(([id, shapes]) => {
      const names = tagNames(id);
      return names.length >= 2 && names.every((tag) => shapes.includes(tag));
    });
    expect(several.length).toBeGreaterThanOrEqual(1);

    const first = tags.verdicts.tagsOf([...shapeOf.keys()][0]!);
    expect(first.tags[0]).toMatchObject({ source: 'auto', model: model.id, score: expect.any(Number), cosine: expect.any(Number) });
    const counts = tags.verdicts.counts();
    expect(counts.find((c) => c.tag === 'star')?.photos).toBeGreaterThanOrEqual(16);
  });

  it('gives a photo two tags when both fit', async () => {
    const vocabulary = shapesVocabulary();
    vocabulary.tags.push({ name: 'pointy', prompts: ['star', 'triangle'] });
    const stars = [...shapeOf].filter(([, shape]) => shape === 'star').map(([id]) => library.storage.embeddings.vectorOfPhoto(model.id, id)!);
    const scored = await scoreWithModel(model, vocabulary, stars, undefined, (m, t) => tags.tagger.embedTags(m, t));
    const both = scored.assigned.filter((names) => names.includes('star') && names.includes('pointy'));
    expect(both.length / stars.length).toBeGreaterThanOrEqual(0.5);
    for (const names of scored.assigned) expect(names).not.toContain('circle');
  });

  it('summarises folders into album tags', () => {
    const albums = tags.albums();
    const stars = albums.find((album) => album.name === 'star')!;
    expect(stars.photos).toBe(16);
    expect(stars.tags[0]).toMatchObject({ tag: 'star', photos: expect.any(Number) });
    expect(stars.tags[0]!.share).toBeGreaterThanOrEqual(0.9);
    expect(stars.tags[0]!.meanScore).toBeGreaterThan(0.5);
    expect(stars.label).toMatch(/^star: star/);
    const scenes = albums.find((album) => album.name === 'Scenes')!;
    expect(scenes.photos).toBe(30);
    expect(scenes.tags.length).toBeGreaterThanOrEqual(2);
    const selection = tags.summarise([...shapeOf].filter(([, shape]) => shape === 'circle' || shape === 'square').map(([id]) => id));
    expect(selection.map((t) => t.tag).slice(0, 2).sort()).toEqual(['circle', 'square']);
    expect(selection[0]!.share).toBeCloseTo(0.5, 1);
  });

  it('never overrides a person’s verdict, and tightening a threshold removes auto tags', async () => {
    const [circle, circle2] = [...shapeOf].filter(([, shape]) => shape === 'circle').map(([id]) => id);
    const square = [...shapeOf].find(([, shape]) => shape === 'square')![0];
    expect(tagNames(circle!)).toContain('circle');
    await tags.verdicts.give([circle!], 'Circle', 'reject');
    await tags.verdicts.give([square], 'star', 'confirm');
    expect(tags.verdicts.tagsOf(circle!)).toMatchObject({ rejected: ['circle'] });
    expect(tags.verdicts.tagsOf(square).tags).toContainEqual(expect.objectContaining({ tag: 'star', source: 'person' }));

    // The strictest threshold a tag can have: only certain photos keep it.
    const vocabulary = withThreshold(withThreshold(shapesVocabulary(), 'circle', 1), 'star', 1);
    await tags.vocabulary.save(vocabulary);
    const summary = await tags.tagger.run();
    expect(summary.incremental).toBe(false);
    expect(summary.tagsEmbedded).toBe(0);
    expect(summary.tagsScored).toEqual([]);
    expect(summary.removed).toBeGreaterThan(20);
    expect(tagNames(circle2!)).not.toContain('circle');
    expect(tags.verdicts.tagsOf(circle!).rejected).toEqual(['circle']);
    expect(tagNames(circle!)).not.toContain('circle');
    expect(tags.verdicts.tagsOf(square).tags).toContainEqual(expect.objectContaining({ tag: 'star', source: 'person' }));

    // Back to normal: the rejected tag stays off, the confirmed one stays on.
    await tags.vocabulary.save(shapesVocabulary());
    await tags.tagger.run();
    expect(tagNames(circle2!)).toContain('circle');
    expect(tagNames(circle!)).not.toContain('circle');
    expect(tags.verdicts.tagsOf(square).tags).toContainEqual(expect.objectContaining({ tag: 'star', source: 'person' }));

    // Withdrawing the verdict hands the tag back to the tagger at once.
    await tags.verdicts.give([circle!], 'circle', 'clear');
    expect(tagNames(circle!)).toContain('circle');
    expect(tags.verdicts.tagsOf(circle!).tags.find((t) => t.tag === 'circle')?.source).toBe('auto');
    await tags.verdicts.give([square], 'star', 'clear');
    expect(tagNames(square)).not.toContain('star');

    // One verdict on many photos reads the vocabulary once, not once a photo.
    const reads = vi.spyOn(tags.vocabulary, 'get');
    await tags.verdicts.give([...shapeOf.keys()].slice(0, 20), 'star', 'confirm');
    expect(reads).toHaveBeenCalledTimes(1);
    reads.mockRestore();
    await tags.verdicts.give([...shapeOf.keys()].slice(0, 20), 'star', 'clear');

    await expect(tags.verdicts.give([square], 'hexagon', 'confirm')).rejects.toThrow(/no tag "hexagon" in the vocabulary/);
    await expect(tags.verdicts.give([99999], 'star', 'confirm')).rejects.toThrow(/no photo #99999/);
  });

  it('re-embeds and re-scores only the edited tag, and only new photos when nothing changed', async () => {
    const spy = vi.spyOn(model, 'embedTexts');
    try {
      const unchanged = await tags.tagger.run();
      expect(unchanged).toMatchObject({ incremental: true, images: 0, tagsEmbedded: 0, tagsScored: [] });
      expect(spy).not.toHaveBeenCalled();

      const edited = shapesVocabulary();
      edited.tags.find((tag) => tag.name === 'star')!.prompts = ['star', 'stars'];
      await tags.vocabulary.save(edited);
      const summary = await tags.tagger.run();
      expect(summary).toMatchObject({ incremental: false, images: 110, tagsEmbedded: 1, tagsScored: ['star'] });
      expect(spy).toHaveBeenCalledTimes(1);
      expect(spy.mock.calls[0]![0]).toHaveLength(2 * 4);
      expect(spy.mock.calls[0]![0]).toContain('a picture of a stars.');
    } finally {
      spy.mockRestore();
    }

    // A fresh tagger (a new process) finds the tag embeddings in the database.
    const fresh = new Tags(library, async () => model).tagger;
    const spy2 = vi.spyOn(model, 'embedTexts');
    try {
      const summary = await fresh.run(undefined, undefined, { full: true });
      expect(summary).toMatchObject({ images: 110, tagsEmbedded: 0 });
      expect(spy2).not.toHaveBeenCalled();
      expect(summary.added + summary.removed).toBe(0);
    } finally {
      spy2.mockRestore();
    }
  });

  it('tags new photos incrementally, and pauses, resumes and cancels', async () => {
    // Three more stars, re-encoded so they are new content, not duplicates.
    const extra = path.join(folder, 'Later');
    await mkdir(extra, { recursive: true });
    const files: string[] = [];
    for (const [i, photo] of (await fixturePhotos()).filter((p) => p.shape === 'star').slice(0, 3).entries()) {
      const file = path.join(extra, `new-star-${i}.jpg`);
      await sharp(photo.file).jpeg({ quality: 77 }).toFile(file);
      files.push(file);
    }
    await library.index(model, { folders: library.folders() });
    const summary = await tags.tagger.run();
    expect(summary).toMatchObject({ incremental: true, images: 3 });
    for (const file of files) expect(tagNames(photoId(file))).toContain('star');

    // Cancelled before it starts scoring: nothing changes, and the next run does the work.
    await tags.vocabulary.save(withThreshold(shapesVocabulary(), 'square', 0.5));
    const control = new JobControl();
    control.cancel();
    await expect(tags.tagger.run(control)).rejects.toMatchObject({ code: 'cancelled' });
    const paused = new JobControl();
    paused.pause();
    const run = tags.tagger.run(paused);
    await new Promise((resolve) => setTimeout(resolve, 50));
    paused.resume();
    expect(await run).toMatchObject({ images: 113, incremental: false });
  });

  it('measures the tagger on the tags people confirmed and rejected', async () => {
    const stars = [...shapeOf].filter(([, shape]) => shape === 'star').map(([id]) => id);
    const crosses = [...shapeOf].filter(([, shape]) => shape === 'cross').map(([id]) => id);
    for (const id of stars.slice(0, 4)) await tags.verdicts.give([id], 'star', 'confirm');
    // Crosses the tagger also calls stars are its false positives; the evaluation must see them.
    const mistaken = crosses.slice(0, 3).filter((id) => tagNames(id).includes('star')).length;
    for (const id of crosses.slice(0, 3)) await tags.verdicts.give([id], 'star', 'reject');
    const report = await tags.evaluateLabelled();
    expect(report).toMatchObject({ photos: 7, confirmed: 4, rejected: 3, top1: 1, top5: 1, recall: 1 });
    expect(report.precision).toBeCloseTo(4 / (4 + mistaken));
    expect(report.accuracy).toBeCloseTo((7 - mistaken) / 7);
    expect(report.perTag['star']).toMatchObject({ confirmed: 4, rejected: 3, recall: 1 });
  });

  it('keeps the prompts of a refined tag embedded: a full run after another tag is edited embeds only that one', async () => {
    await tags.vocabulary.save(shapesVocabulary());
    // The person's "circle" is what the prompt calls a square: a prompt that misleads, which verdicts refine.
    const ofShape = (wanted: string) => [...shapeOf].filter(([, shape]) => shape === wanted).map(([id]) => id);
    for (const id of ofShape('square').slice(0, 10)) await tags.verdicts.give([id], 'circle', 'confirm');
    for (const id of ofShape('circle').slice(0, 10)) await tags.verdicts.give([id], 'circle', 'reject');
    await tags.tagger.run(undefined, undefined, { full: true });
    const refined = tags.refinements.reports(model.id).find((report) => report.tag === 'circle');
    expect(refined, refined?.reason).toMatchObject({ status: 'refined' });
    const spy = vi.spyOn(model, 'embedTexts');
    try {
      const edited = shapesVocabulary();
      edited.tags.find((tag) => tag.name === 'square')!.prompts = ['square', 'squares'];
      await tags.vocabulary.save(edited);
      expect(await tags.tagger.run()).toMatchObject({ incremental: false, tagsEmbedded: 1 });
      expect(spy.mock.calls.flatMap(([texts]) => texts).filter((text) => !text.includes('square'))).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });
});
