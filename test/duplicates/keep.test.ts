import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseKeep, measureSharpness, type KeepCandidate } from '../../main/duplicates/keep.js';
import { tempDir } from '../helpers/fixtures.js';
import { randomScene, renderScene, seeded } from '../helpers/scenes.js';

const bare = { takenAt: null, camera: null, lens: null, hasLocation: false };
const copy = (name: string, width: number, height: number, extra: Partial<KeepCandidate> = {}): KeepCandidate => ({ path: `/p/${name}`, width, height, fileSize: 1000, ...bare, ...extra });

describe('chooseKeep', () => {
  it('keeps the largest copy and says so, measuring no sharpness when sizes differ', async () => {
    const asked: string[] = [];
    const choice = await chooseKeep([copy('small.jpg', 2000, 1500), copy('big.jpg', 4000, 3000), copy('mid.jpg', 3000, 2250)], async (c) => {
      asked.push(c.path);
      return 1;
    });
    expect(choice).toEqual({ keep: '/p/big.jpg', reason: 'largest (4000 × 3000)' });
    expect(asked).toEqual([]);
  });

  it('between copies of one size keeps the sharpest, and between the largest two of three says both', async () => {
    const sharpness: Record<string, number> = { '/p/a.jpg': 50, '/p/b.jpg': 80, '/p/c.jpg': 500 };
    const burst = await chooseKeep([copy('a.jpg', 4000, 3000), copy('b.jpg', 4000, 3000)], async (c) => sharpness[c.path] ?? null);
    expect(burst).toEqual({ keep: '/p/b.jpg', reason: 'sharpest; the same size as the others' });
    const mixed = await chooseKeep([copy('a.jpg', 4000, 3000), copy('b.jpg', 4000, 3000), copy('c.jpg', 1000, 750)], async (c) => sharpness[c.path] ?? null);
    expect(mixed).toEqual({ keep: '/p/b.jpg', reason: 'largest (4000 × 3000) and sharpest' });
  });

  it('then the most metadata, then the largest file; a copy that cannot be decoded counts as least sharp', async () => {
    const sharp = async (c: KeepCandidate) => (c.path.includes('broken') ? null : 100);
    const stripped = copy('sent.jpg', 4000, 3000, { fileSize: 5000 });
    const original = copy('camera.jpg', 4000, 3000, { takenAt: 1, camera: 'FUJIFILM X-T5', hasLocation: true, fileSize: 4000 });
    expect(await chooseKeep([stripped, original], sharp)).toEqual({ keep: '/p/camera.jpg', reason: 'with the most metadata (date, camera, place); the same size and sharpness as the others' });
    const resaved = copy('resaved.jpg', 4000, 3000, { fileSize: 900_000 });
    const first = copy('first.jpg', 4000, 3000, { fileSize: 2_400_000 });
    expect((await chooseKeep([resaved, first, copy('broken.jpg', 4000, 3000, { fileSize: 9_000_000 })], sharp)).reason).toBe(
      // The metadata is alike between the two sharpest only: not said of all.
      'sharpest and largest file (2.4 MB); the same size as the others',
    );
  });

  it('keeps the first path among identical copies, and the only copy alone', async () => {
    expect(await chooseKeep([copy('b.jpg', 10, 10), copy('a.jpg', 10, 10)], async () => 1)).toEqual({
      keep: '/p/a.jpg',
      reason: 'all copies have the same size, sharpness, metadata and file size; kept the first by path',
    });
    expect(await chooseKeep([copy('only.jpg', 10, 10)], async () => 1)).toEqual({ keep: '/p/only.jpg', reason: 'the only copy' });
  });

  it('keeps the copy named as the original among identical ones: a copy’s name adds to it, a backup nests deeper', async () => {
    const same = 'all copies have the same size, sharpness, metadata and file size';
    for (const named of ['IMG_0412 (1).jpg', 'IMG_0412 copy.jpg', 'IMG_0412-2.jpg', 'Copy of IMG_0412.jpg']) {
      expect(await chooseKeep([copy(named, 10, 10), copy('IMG_0412.jpg', 10, 10)], async () => 1)).toEqual({ keep: '/p/IMG_0412.jpg', reason: `${same}; kept the one with the shortest name` });
    }
    expect(await chooseKeep([copy('backup/2019/IMG_0412.jpg', 10, 10), copy('2019/IMG_0412.jpg', 10, 10)], async () => 1)).toEqual({
      keep: '/p/2019/IMG_0412.jpg',
      reason: `${same}; kept the one with the shortest path`,
    });
    // Among copies a criterion leaves alike too, said as such: what the smaller copy has alike is not said of all.
    const big = { fileSize: 900_000 };
    expect(await chooseKeep([copy('big copy.jpg', 1680, 1050, big), copy('small.jpg', 800, 500, { fileSize: 90_000 }), copy('big.jpg', 1680, 1050, big)], async () => 1)).toEqual({
      keep: '/p/big.jpg',
      reason: 'largest (1680 × 1050); 1 other copy is as good, with the same sharpness, metadata and file size: kept the one with the shortest name',
    });
    expect((await chooseKeep([copy('big copy.jpg', 20, 20), copy('big.jpg', 20, 20), copy('small.jpg', 10, 10)], async () => 1)).keep).toBe('/p/big.jpg');
  });

  it('keeps the copy with an XMP sidecar before a larger file or a shorter name, and says why (Note [Sidecars go along])', async () => {
    const rated = copy('main/photo_030.jpg', 10, 10, { sidecars: ['photo_030.jpg.xmp'] });
    expect(await chooseKeep([rated, copy('other/x.jpg', 10, 10)], async () => 1)).toEqual({
      keep: '/p/main/photo_030.jpg',
      reason: 'with an XMP sidecar (photo_030.jpg.xmp), where apps keep its rating and tags; the same size, sharpness and metadata as the others',
    });
    expect((await chooseKeep([rated, copy('other/x.jpg', 10, 10, { fileSize: 9000 })], async () => 1)).keep).toBe('/p/main/photo_030.jpg');
    // Copies that all have one are told apart by what comes after, and not said to have the same sidecars.
    expect(await chooseKeep([rated, copy('other/x.jpg', 10, 10, { sidecars: ['x.xmp', 'x.jpg.xmp'] })], async () => 1)).toEqual({
      keep: '/p/other/x.jpg',
      reason: 'all copies have the same size, sharpness, metadata and file size; kept the one with the shortest name',
    });
    // More metadata still comes first.
    expect((await chooseKeep([rated, copy('other/x.jpg', 10, 10, { camera: 'FUJIFILM X-T5' })], async () => 1)).keep).toBe('/p/other/x.jpg');
  });

  it('keeps the file that links lead to when nothing else tells identical copies apart (Note [One file, many paths])', async () => {
    expect(await chooseKeep([copy('a.jpg', 10, 10), copy('z.jpg', 10, 10, { links: ['/p/a-link.jpg', '/p/b-link.jpg'] })], async () => 1)).toEqual({
      keep: '/p/z.jpg',
      reason: 'reached through 2 links too, which moving it would break; the same size, sharpness, metadata and file size as the others',
    });
    // A larger copy still wins over a linked one.
    expect((await chooseKeep([copy('a.jpg', 20, 20), copy('z.jpg', 10, 10, { links: ['/p/a-link.jpg'] })], async () => 1)).keep).toBe('/p/a.jpg');
  });
});

describe('measureSharpness', () => {
  let scratch: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    scratch = await tempDir();
  });
  afterAll(async () => scratch.cleanup());

  it('finds a frame with shake less sharp than the same frame without, at any size', async () => {
    const frame = await sharp(await renderScene(randomScene(seeded(3)))).resize(1600).jpeg({ quality: 95 }).toBuffer();
    const files = {
      sharp: path.join(scratch.dir, 'sharp.jpg'),
      shaken: path.join(scratch.dir, 'shaken.jpg'),
      smaller: path.join(scratch.dir, 'smaller.jpg'),
    };
    await sharp(frame).toFile(files.sharp);
    await sharp(frame).blur(4).jpeg({ quality: 95 }).toFile(files.shaken);
    await sharp(frame).resize(1200).jpeg({ quality: 95 }).toFile(files.smaller);
    const [crisp, shaken, smaller] = await Promise.all([measureSharpness(files.sharp), measureSharpness(files.shaken), measureSharpness(files.smaller)]);
    expect(shaken).toBeLessThan(crisp / 2);
    // Measured at one size, a resized copy of a sharp frame is still far sharper than a shaken one.
    expect(smaller).toBeGreaterThan(shaken * 2);
  });
});
