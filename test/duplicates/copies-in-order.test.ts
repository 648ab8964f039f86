/** The order of a group's copies (Note [Copies in order]) and the sidecars a find sees (Note [Sidecars go along]). */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duplicatesInfo } from '../../main/engine/photo-info.js';
import type { DuplicateFileRow } from '../../main/storage/duplicates-store.js';
import type { Storage } from '../../main/storage/storage.js';
import { tempDir } from '../helpers/fixtures.js';
import { ChainFinder, vectorAt } from './chain-finder.js';

// Unit vectors 20° apart in turn, cut at cosine 0.9 (about 25.8°): one chain, of which only the
// image at 20° is beside the keep at 0°. Image 5 is a content two files share.
const ANGLES = new Map([
  [1, 0],
  [2, 20],
  [3, 40],
  [4, 60],
]);
const NEIGHBOURS = new Map([...ANGLES].map(([id, degrees]) => [id, vectorAt(degrees)]));
const VECTORS = new Map([...NEIGHBOURS, [5, vectorAt(180)]]);

describe('a group’s copies as a find gives them', () => {
  let scratch: Awaited<ReturnType<typeof tempDir>>;
  let finder: ChainFinder;
  const at = (name: string) => path.join(scratch.dir, name);

  beforeAll(async () => {
    scratch = await tempDir();
    await mkdir(at('main'));
    await mkdir(at('other'));
    const rows: DuplicateFileRow[] = [];
    const row = (photoId: number, imageId: number, name: string, side: number): DuplicateFileRow => ({
      photoId,
      imageId,
      contentHash: `hash-${imageId}`,
      wholeHash: `whole-${imageId}`,
      path: at(name),
      fileSize: 100,
      mtimeMs: 0,
      width: side,
      height: side,
      takenAt: null,
      cameraMake: null,
      cameraModel: null,
      lens: null,
      latitude: null,
      longitude: null,
    });
    // The copy beside the keep sorts last by path; the ones joined through others first.
    for (const [imageId, name] of [
      [1, 'keep.jpg'],
      [2, 'z-beside.jpg'],
      [3, 'a-far.jpg'],
      [4, 'b-far.jpg'],
    ] as const) {
      await writeFile(at(name), `photo ${imageId}`);
      rows.push(row(imageId * 10, imageId, name, imageId === 1 ? 2000 : 1000));
    }
    // Byte-identical copies; the one with the person's sidecar has the longer name.
    for (const [photoId, name] of [
      [50, 'main/photo_030.jpg'],
      [51, 'other/x.jpg'],
    ] as const) {
      await writeFile(at(name), 'the same bytes');
      rows.push(row(photoId, 5, name, 1000));
    }
    await writeFile(at('main/photo_030.jpg.xmp'), '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="5"/></rdf:RDF></x:xmpmeta>');
    const storage = {
      duplicates: { files: (ids: readonly number[]) => rows.filter((file) => ids.includes(file.imageId)), sharedImages: () => [5], sharpness: () => undefined, saveSharpness: () => {} },
      embeddings: { vectorsOf: (_model: string, ids: Iterable<number>) => new Map([...ids].map((id) => [id, VECTORS.get(id) as Float32Array])) },
    };
    finder = new ChainFinder(storage as unknown as Partial<Storage>, NEIGHBOURS);
  });

  afterAll(async () => {
    await scratch.cleanup();
  });

  it('gives the keep, then the copies suggested for the trash, then those joined only through others, by path within each', async () => {
    const group = (await finder.find()).groups.find((found) => found.keep === at('keep.jpg'));
    expect(group?.paths).toEqual(['keep.jpg', 'z-beside.jpg', 'a-far.jpg', 'b-far.jpg'].map(at));
    expect(group?.joinedThroughOthers).toEqual(['a-far.jpg', 'b-far.jpg'].map(at));
  });

  it('keeps the copy with the person’s XMP sidecar, and tells the app its sidecar', async () => {
    const report = await finder.find();
    const group = report.groups.find((found) => found.paths.includes(at('other/x.jpg')));
    expect(group?.keep).toBe(at('main/photo_030.jpg'));
    expect(group?.reason).toMatch(/^with an XMP sidecar \(photo_030\.jpg\.xmp\)/);
    const photos = duplicatesInfo(report).groups.find((found) => found.keep === 50)?.photos ?? [];
    expect(photos.map((photo) => [photo.name, photo.sidecars])).toEqual([
      ['photo_030.jpg', ['photo_030.jpg.xmp']],
      ['x.jpg', undefined],
    ]);
  });
});
