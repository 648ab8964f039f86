import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImagePreprocessing } from '../../main/models/folder.js';
import { toModelInput } from '../../main/models/preprocess.js';
import { FIXTURES, loadReference, tempDir } from '../helpers/fixtures.js';

const CLIP: ImagePreprocessing = {
  size: 64,
  mean: [0.48145466, 0.4578275, 0.40821073],
  std: [0.26862954, 0.26130258, 0.27577711],
  interpolation: 'bicubic',
  resizeMode: 'shortest',
};

/** Pixel (x, y) of a CHW tensor, de-normalised back to 0..255. */
function pixel(tensor: Float32Array, x: number, y: number, pre = CLIP): number[] {
  const plane = pre.size * pre.size;
  return [0, 1, 2].map((c) => Math.round(((tensor[c * plane + y * pre.size + x] as number) * pre.std[c]! + pre.mean[c]!) * 255));
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

describe('preprocessing', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => (scratch = await tempDir()));
  afterAll(() => scratch.cleanup());

  it('matches the reference tensors computed with PIL, for RGB, grey and RGBA images', async () => {
    const reference = await loadReference();
    expect(reference.images.length).toBeGreaterThanOrEqual(3);
    for (const image of reference.images) {
      const expected = new Float32Array((await readFile(path.join(FIXTURES, image.pixels))).buffer.slice(0));
      const actual = await toModelInput(path.join(FIXTURES, image.path), CLIP);
      expect(actual.length).toBe(expected.length);
      let total = 0;
      for (let i = 0; i < actual.length; i++) total += Math.abs((actual[i] as number) - (expected[i] as number));
      // libvips and PIL round differently in the last bit of resampling; a mean error this small is invisible.
      expect(total / actual.length, image.path).toBeLessThan(0.03);
    }
  });

  it('applies EXIF orientation before cropping', async () => {
    // 80x40, left half red, right half blue; orientation 6 means "rotate 90° clockwise to view".
    const left = await sharp({ create: { width: 40, height: 40, channels: 3, background: '#ff0000' } }).png().toBuffer();
    const photo = await sharp({ create: { width: 80, height: 40, channels: 3, background: '#0000ff' } })
      .composite([{ input: left, left: 0, top: 0 }])
      .jpeg({ quality: 100 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const tensor = await toModelInput(photo, CLIP);
    // Viewed upright the photo is 40 wide, 80 high: red on top, blue at the bottom.
    const top = pixel(tensor, 32, 2);
    const bottom = pixel(tensor, 32, 61);
    expect(top[0]).toBeGreaterThan(200);
    expect(top[2]).toBeLessThan(60);
    expect(bottom[2]).toBeGreaterThan(200);
    expect(bottom[0]).toBeLessThan(60);
  });

  it('centre-crops with shortest and keeps the whole frame with squash', async () => {
    // 192x64: green | red | green thirds. Shortest-side crop sees only red; squash sees all three.
    const red = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#ff0000' } }).png().toBuffer();
    const photo = await sharp({ create: { width: 192, height: 64, channels: 3, background: '#00ff00' } })
      .composite([{ input: red, left: 64, top: 0 }])
      .png()
      .toBuffer();
    const cropped = await toModelInput(photo, CLIP);
    expect(pixel(cropped, 2, 32)[0]).toBeGreaterThan(200);
    const squashed = await toModelInput(photo, { ...CLIP, resizeMode: 'squash' });
    expect(pixel(squashed, 2, 32)[1]).toBeGreaterThan(200);
    expect(pixel(squashed, 32, 32)[0]).toBeGreaterThan(200);
  });

  it('scales small images up and turns grey and 16-bit images into RGB', async () => {
    const tiny = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#336699' } }).png().toBuffer();
    expect(pixel(await toModelInput(tiny, CLIP), 40, 40)).toEqual([0x33, 0x66, 0x99]);
    const grey = await sharp({ create: { width: 70, height: 70, channels: 3, background: '#808080' } }).toColourspace('b-w').png().toBuffer();
    expect(pixel(await toModelInput(grey, CLIP), 10, 10)).toEqual([128, 128, 128]);
    const deep = await sharp({ create: { width: 70, height: 70, channels: 3, background: '#ff8000' } }).toColourspace('rgb16').png().toBuffer();
    const [r, g, b] = pixel(await toModelInput(deep, CLIP), 10, 10);
    expect(r).toBe(255);
    expect(Math.abs(g! - 128)).toBeLessThanOrEqual(1);
    expect(b).toBe(0);
  });

  it('decodes a large photo with shrink-on-load', async () => {
    const big = await sharp({ create: { width: 6000, height: 4000, channels: 3, background: '#20a040' } }).jpeg().toBuffer();
    const [r, g, b] = pixel(await toModelInput(big, CLIP), 30, 30);
    expect([Math.abs(r! - 0x20), Math.abs(g! - 0xa0), Math.abs(b! - 0x40)].every((d) => d <= 2)).toBe(true);
  });

  it('refuses a decompression bomb, a truncated file and a file that is not an image', async () => {
    const header = Buffer.alloc(13);
    header.writeUInt32BE(40_000, 0);
    header.writeUInt32BE(40_000, 4);
    header.set([8, 2, 0, 0, 0], 8);
    const bomb = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', header), pngChunk('IDAT', deflateSync(Buffer.alloc(1024))), pngChunk('IEND', Buffer.alloc(0))]);
    // Bytes dropped on the window are said as indexing says it of such a file, not in the decoder's words ("pixel limit").
    await expect(toModelInput(bomb, CLIP)).rejects.toMatchObject({ code: 'image-undecodable', message: 'The image is too large to decode safely.' });

    const jpeg = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 50 } } }).jpeg().toBuffer();
    const truncatedPath = path.join(scratch.dir, 'truncated.jpg');
    await writeFile(truncatedPath, jpeg.subarray(0, jpeg.length / 2));
    await expect(toModelInput(truncatedPath, CLIP)).rejects.toMatchObject({ code: 'image-undecodable', message: expect.stringContaining('truncated.jpg') });

    const textPath = path.join(scratch.dir, 'notes.jpg');
    await writeFile(textPath, 'this is not a photo');
    await expect(toModelInput(textPath, CLIP)).rejects.toMatchObject({ code: 'image-undecodable' });
    await expect(toModelInput(path.join(scratch.dir, 'missing.jpg'), CLIP)).rejects.toMatchObject({
      code: 'image-unreadable',
      message: expect.stringContaining('does not exist'),
    });
  });
});
