import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupJson, groupText } from '../../main/cli/duplicates.js';
import { duplicatesInfo } from '../../main/engine/photo-info.js';
import type { DuplicateFileRow } from '../../main/storage/duplicates-store.js';
import type { Storage } from '../../main/storage/storage.js';
import { tempDir } from '../helpers/fixtures.js';
import { ChainFinder, vectorAt } from './chain-finder.js';

// Unit vectors 20° apart in turn: each is within the cut (cosine 0.9, about 25.8°) of the next,
// so single linkage joins all four, but C (40°) and D (60°) are far from A.
const ANGLES = { 1: 0, 2: 20, 3: 40, 4: 60 } as const;
const VECTORS = new Map(Object.entries(ANGLES).map(([id, degrees]) => [Number(id), vectorAt(degrees)]));

describe('copies suggested for the trash in a chained group', () => {
  let scratch: Awaited<ReturnType<typeof tempDir>>;
  let finder: ChainFinder;
  const pathOf = (imageId: number) => path.join(scratch.dir, `photo-${imageId}.jpg`);

  beforeAll(async () => {
    scratch = await tempDir();
    const rows: DuplicateFileRow[] = [];
    for (const imageId of VECTORS.keys()) {
      await writeFile(pathOf(imageId), `photo ${imageId}`);
      // Photo 1 is the largest, so it is the copy suggested to keep.
      const side = imageId === 1 ? 2000 : 1000;
      rows.push({ photoId: imageId * 10, imageId, contentHash: `hash-${imageId}`, wholeHash: `whole-${imageId}`, path: pathOf(imageId), fileSize: 100, mtimeMs: 0, width: side, height: side, takenAt: null, cameraMake: null, cameraModel: null, lens: null, latitude: null, longitude: null });
    }
    const storage = {
      duplicates: { files: (ids: readonly number[]) => rows.filter((row) => ids.includes(row.imageId)), sharedImages: () => [], sharpness: () => undefined, saveSharpness: () => {} },
      embeddings: { vectorsOf: (_model: string, ids: Iterable<number>) => new Map([...ids].map((id) => [id, VECTORS.get(id) as Float32Array])) },
    };
    finder = new ChainFinder(storage as unknown as Partial<Storage>, VECTORS);
  });

  afterAll(async () => {
    await scratch.cleanup();
  });

  it('joins A~B~C~D into one group but suggests for the trash only the copies within the cut of the keep', async () => {
    const report = await finder.find();
    expect(report.groups).toHaveLength(1);
    const [group] = report.groups;
    expect(group?.keep).toBe(pathOf(1));
    expect([...(group?.paths ?? [])].sort()).toEqual([1, 2, 3, 4].map(pathOf));
    // The app's answer: C and D are shown, but only B is marked for the trash at first.
    const photos = duplicatesInfo(report).groups[0]?.photos ?? [];
    expect(photos.map((photo) => [photo.id, photo.joinedThroughOthers ?? false])).toEqual([
      [10, false],
      [20, false],
      [30, true],
      [40, true],
    ]);
  });

  it('says in the CLI’s listing and JSON which copies are alike to another, not to the keep', async () => {
    const [group] = (await finder.find()).groups;
    if (!group) throw new Error('no group');
    expect(groupJson(group).joinedThroughOthers).toEqual([3, 4].map(pathOf));
    const lines = groupText(group, 1).split('\n');
    expect(lines.filter((line) => line.endsWith('(alike to another copy, not to the keep)')).map((line) => line.trim().split(' ')[0])).toEqual([3, 4].map(pathOf));
    expect(lines.some((line) => line.trim() === pathOf(2))).toBe(true);
  });
});
