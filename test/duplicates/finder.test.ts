import { copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuplicateFinder } from '../../main/duplicates/finder.js';
import type { Library } from '../../main/library/library.js';
import type { ClipModel } from '../../main/models/clip.js';
import { writeCopies } from '../helpers/duplicate-sets.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { loadFixtureModel, openLibrary } from '../helpers/library.js';

describe('DuplicateFinder on the fixture model', () => {
  let scratch: Awaited<ReturnType<typeof tempDir>>;
  let library: Library;
  let model: ClipModel;
  const expected: string[][] = [];
  let lonely: string[];

  beforeAll(async () => {
    scratch = await tempDir();
    const photos = path.join(scratch.dir, 'photos');
    await mkdir(path.join(photos, 'backup'), { recursive: true });
    // The first three originals come with a messenger's re-save, a half-size copy and a byte-identical backup.
    const { originals, groups } = await writeCopies(photos, 3);
    for (const [i, group] of groups.entries()) {
      const backup = path.join(photos, 'backup', path.basename(originals[i] as string));
      await copyFile(originals[i] as string, backup);
      expected.push([...group, backup].sort());
    }
    // An exact copy of the fourth alone: a group of byte-identical files.
    await copyFile(path.join(photos, 'triangle-original.jpg'), path.join(photos, 'backup', 'triangle-original.jpg'));
    lonely = [path.join(photos, 'backup', 'triangle-original.jpg'), path.join(photos, 'triangle-original.jpg')];
    model = await loadFixtureModel(IMMICH_MODEL);
    library = openLibrary(path.join(scratch.dir, 'data'));
    await library.index(model, { folders: (await library.addFolders([photos])).folders });
  });

  afterAll(async () => {
    await library.close();
    await model.dispose();
    await scratch.cleanup();
  });

  it('groups every copy of a photo, keeps a full-size original, and leaves other photos alone', async () => {
    const finder = new DuplicateFinder(library, model);
    const phases = new Set<string>();
    const report = await finder.find({ onProgress: (progress) => phases.add(progress.phase) });
    expect(report.images).toBe(11);
    expect(report.threshold).toBe(0.75);
    expect(report.calibration.edit).toBeGreaterThan(report.calibration.scene);
    expect(report.cosineCut).toBeCloseTo(report.calibration.scene + 0.75 * (report.calibration.edit - report.calibration.scene), 10);
    expect([...phases]).toEqual(['calibrating', 'searching', 'choosing']);
    const groups = report.groups.map((group) => [...group.paths].sort());
    expect(groups).toEqual(expect.arrayContaining([...expected, lonely]));
    expect(groups).toHaveLength(4);
    for (const group of report.groups) {
      expect(group.paths[0]).toBe(group.keep);
      expect(path.basename(group.keep)).toMatch(/-original\.jpg$/);
      expect(group.photos).toHaveLength(group.paths.length);
    }
    const exact = report.groups.find((group) => group.paths.length === 2);
    expect(exact?.similarity).toBeNull();
    // The copy outside the backup folder, though the backup's path sorts first.
    expect(exact?.keep).toBe(lonely[1]);
    expect(exact?.reason).toBe('all copies have the same size, sharpness, metadata and file size; kept the one with the shortest path');
    const circle = report.groups.find((group) => group.keep.includes('circle'));
    expect(circle?.similarity).toBeGreaterThan(0.75);
    expect(circle?.reason).toMatch(/^largest \(800 × \d+\)/);
  });

  it('calibrates a model once and keeps it in the library', async () => {
    const store = library.storage.duplicates;
    const stored = store.calibration(model.id);
    // Every image of the library: eleven, as the backups share their originals' images.
    expect(stored?.photos).toBe(11);
    const again = await new DuplicateFinder(library, model).calibration({ onProgress: () => expect.unreachable('calibrated twice') });
    expect(again).toEqual(stored);
  });

  it('calibrates again from photos it could not read only once the photos embedded change', async () => {
    const photos = path.join(scratch.dir, 'partly-gone');
    const { originals } = await writeCopies(photos, 2);
    const other = openLibrary(path.join(scratch.dir, 'partly-gone-data'));
    try {
      await other.index(model, { folders: (await other.addFolders([photos])).folders });
      // Gone since indexing, as on a drive not mounted: the sample holds them, calibrating cannot read them.
      await Promise.all(originals.map((file) => rm(file)));
      const calibrations = () => {
        let made = 0;
        return { onProgress: (progress: { phase: string; done: number }) => void (progress.phase === 'calibrating' && progress.done === 1 && made++), made: () => made };
      };
      const first = calibrations();
      const made = await new DuplicateFinder(other, model).calibration(first);
      expect(first.made()).toBe(1);
      expect(made.photos).toBeLessThan(other.storage.embeddings.count(model.id));
      const unchanged = calibrations();
      expect(await new DuplicateFinder(other, model).calibration(unchanged)).toMatchObject({ edit: made.edit, scene: made.scene, photos: made.photos });
      expect(unchanged.made()).toBe(0);
      // The next run forgets the photos gone, so the sample can differ.
      await other.index(model);
      const changed = calibrations();
      await new DuplicateFinder(other, model).calibration(changed);
      expect(changed.made()).toBe(1);
    } finally {
      await other.close();
    }
  });

  it('reads a stricter threshold as fewer photos alike, and refuses one off the scale', async () => {
    const finder = new DuplicateFinder(library, model);
    const loose = await finder.groupImages({ threshold: -1 });
    const strict = await finder.groupImages({ threshold: 2 });
    expect(strict.cosineCut).toBeGreaterThan(loose.cosineCut);
    const members = (result: typeof loose) => result.groups.reduce((sum, group) => sum + group.imageIds.length, 0);
    expect(members(strict)).toBeLessThanOrEqual(members(loose));
    // The byte-identical copies share an image, so they are one group whatever the threshold.
    expect(strict.groups.some((group) => group.imageIds.length === 1)).toBe(true);
    await expect(finder.groupImages({ threshold: 3 })).rejects.toThrow(/threshold must be a number from -1 to 2/);
  });

  it('asks for indexing first when the model has embedded nothing', async () => {
    const empty = openLibrary(path.join(scratch.dir, 'empty'));
    try {
      await expect(new DuplicateFinder(empty, model).find()).rejects.toThrow(/No photo in the library has an embedding from tiny-clip-immich\. Index the library/);
    } finally {
      await empty.close();
    }
  });
});
