/**
 * Photos taken out of the library while work on them is under way (their folder excluded or
 * removed, a file deleted and re-scanned). Reading text (Note [Read while it left] in
 * main/storage/ocr-store.ts) stores nothing for them and fails nothing: a photo's text asked for
 * says the photo left, and a job goes on; tagging stores no tags for them. Each case makes the
 * race certain: the folder goes as the work starts on the photos.
 */
import path from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { Engine } from '../../main/engine/engine.js';
import { OcrModel } from '../../main/ocr/ocr.js';
import { Tagger } from '../../main/tags/tagger.js';
import { shapesVocabulary } from '../tags/shapes.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

let scratch: { dir: string; cleanup: () => Promise<void> };
let engine: Engine;
let folder: string;

beforeEach(async () => {
  scratch = await tempDir();
  folder = path.join(scratch.dir, 'Photos');
  await copyPhotos((await fixturePhotos()).slice(0, 3), folder);
  engine = new Engine({ dataDir: path.join(scratch.dir, 'data'), model: IMMICH_MODEL, provider: 'cpu' });
  await (await engine.addFolders([folder])).indexing.done;
});

afterEach(async () => {
  vi.restoreAllMocks();
  await engine.dispose();
  await scratch.cleanup();
});

/** The first folder added leaves the library while `method` of `type` first works: once it has read what it needs, before its answer is stored. */
function folderLeavesIn<T extends object, K extends keyof T & string>(type: { prototype: T }, method: K): void {
  const original = type.prototype[method] as (...args: unknown[]) => Promise<unknown>;
  let left = false;
  vi.spyOn(type.prototype, method as never).mockImplementation((async function (this: T, ...args: unknown[]) {
    const answer = await original.apply(this, args);
    if (!left) {
      left = true;
      await engine.removeFolder(engine.library().folders().find((each) => each.path === folder)!.id);
    }
    return answer;
  }) as never);
}

it('says a photo left the library when it did while its text was read, and stores nothing for it', async () => {
  const photo = engine.library().resolvePhoto(1);
  folderLeavesIn(OcrModel, 'recognize');
  await expect(engine.photoText(photo.photoId, { read: true })).rejects.toMatchObject({ code: 'not-found', message: `${path.basename(photo.path)} left the library while its text was being read (its folder was re-scanned, excluded or removed).` });
  expect(engine.library().storage.ocr.counts()).toEqual({ read: 0, skipped: 0, failed: 0, withText: 0 });
});

it('goes on reading when a photo leaves the library under a job, counting nothing for it', async () => {
  folderLeavesIn(OcrModel, 'recognize');
  expect(await engine.readText({ all: true }).done).toEqual({ read: 0, withText: 0, skipped: 0, failed: [] });
});

it('tags the photos still in the library when the others leave while their tags are decided', async () => {
  const other = path.join(scratch.dir, 'More photos');
  await copyPhotos((await fixturePhotos()).slice(3, 6), other);
  await (await engine.addFolders([other])).indexing.done;
  folderLeavesIn(Tagger, 'decide');
  // A vocabulary of the fixture's shapes, which gives each photo a tag to store; saved, it starts tagging, which this joins.
  await engine.saveVocabulary(shapesVocabulary());
  await engine.tagLibrary().done;
  const photos = engine.library().storage.photos.allPhotos();
  expect(photos.map((photo) => photo.path.startsWith(other + path.sep))).toEqual([true, true, true]);
  const tagged = engine.library().storage.tags.counts().reduce((sum, tag) => sum + tag.photos, 0);
  expect(tagged).toBeGreaterThanOrEqual(3);
});
