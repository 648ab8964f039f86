/**
 * A find of near-duplicates while the library changes under it: the sharpness it measures for a
 * copy is stored only for the image that copy still shows, and a photo gone meanwhile never fails
 * the find.
 */
import { copyFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Engine } from '../../main/engine/engine.js';
import { writeCopies } from '../helpers/duplicate-sets.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { queryLibrary } from '../helpers/library.js';

/**
 * What happens to the next photo to be measured, after the find read the library's files and
 * before it decodes the photo: what it measures then is not what the library knows of that file.
 */
const beforeMeasuring: { next: ((file: string) => Promise<void>) | null } = { next: null };

vi.mock('../../main/duplicates/keep.js', async (original) => {
  const real = await original<typeof import('../../main/duplicates/keep.js')>();
  return {
    ...real,
    measureSharpness: async (file: string) => {
      const meanwhile = beforeMeasuring.next;
      beforeMeasuring.next = null;
      await meanwhile?.(file);
      return real.measureSharpness(file);
    },
  };
});

const { measureSharpness } = await import('../../main/duplicates/keep.js');

describe('sharpness measured while the library changes', () => {
  let scratch: Awaited<ReturnType<typeof tempDir>>;
  let engine: Engine;
  afterEach(async () => {
    beforeMeasuring.next = null;
    await engine.dispose();
    await scratch.cleanup();
  });

  /** A library of one shape's original, re-save and half-size copy, and `more` files. */
  const library = async (more: (photos: string) => Promise<void> = async () => {}) => {
    scratch = await tempDir();
    const photos = path.join(scratch.dir, 'Photos');
    await writeCopies(photos, 1);
    await more(photos);
    engine = new Engine({ dataDir: path.join(scratch.dir, 'data'), model: IMMICH_MODEL });
    await (await engine.addFolders([photos])).indexing.done;
    return photos;
  };
  const imageOf = (file: string) => engine.library().storage.photos.photoByPath(file)?.imageId;
  const storedSharpness = (imageId: number | undefined) => queryLibrary(path.join(scratch.dir, 'data'), 'SELECT sharpness FROM image_sharpness WHERE image_id = ?', imageId);
  /** Another app edits `file` in place (a heavy blur), and the watcher's re-scan takes it in. */
  const editInPlace = async (file: string) => {
    await writeFile(file, await sharp(file).blur(12).jpeg({ quality: 90 }).toBuffer());
    await engine.index().done;
  };

  it('finds the groups when a photo about to be measured is edited in place and its image forgotten', async () => {
    const photos = await library();
    const edited: string[] = [];
    beforeMeasuring.next = async (file) => {
      edited.push(file);
      await editInPlace(file);
    };
    const report = await engine.duplicates.find().done;
    expect(edited).toHaveLength(1);
    expect(report.groups.flatMap((group) => group.paths)).toContain(path.join(photos, 'circle-half.jpg'));
    // Nothing measured of the edited file is stored, for its old image or its new one.
    expect(storedSharpness(imageOf(edited[0] as string))).toEqual([]);
  });

  it('stores for an image only what its own content measures, when one of its files is edited before it is measured', async () => {
    // A byte-identical copy: one image, which keeps its other file when this one is edited.
    const photos = await library((dir) => copyFile(path.join(dir, 'circle-original.jpg'), path.join(dir, 'circle-original-copy.jpg')));
    const original = path.join(photos, 'circle-original.jpg');
    const image = imageOf(original);
    beforeMeasuring.next = editInPlace;
    await engine.duplicates.find().done;
    expect(imageOf(path.join(photos, 'circle-original-copy.jpg'))).not.toBe(image);
    expect(storedSharpness(image)).toEqual([await measureSharpness(original)]);
  });

  it('finds the groups when the photo about to be measured leaves the library', async () => {
    await library();
    beforeMeasuring.next = async () => {
      await engine.removeFolder(engine.library().folders()[0]!.id);
    };
    await expect(engine.duplicates.find().done).resolves.toMatchObject({ model: 'tiny-clip-immich' });
    expect(queryLibrary(path.join(scratch.dir, 'data'), 'SELECT COUNT(*) FROM image_sharpness')).toEqual([0]);
  });
});
