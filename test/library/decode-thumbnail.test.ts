/** The grid thumbnail of an image with alpha shows what a person sees (Note [Thumbnails over a background]). */
import sharp, { type Sharp } from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodePhoto } from '../../main/library/decode.js';
import type { ImagePreprocessing } from '../../main/models/folder.js';
import { EXACT_ALPHA_MAX_PIXELS } from '../../main/models/preprocess.js';

const PRE: ImagePreprocessing = { size: 32, mean: [0, 0, 0], std: [1, 1, 1], interpolation: 'bicubic', resizeMode: 'shortest' };
/** The light grey of Note [Thumbnails over a background]. */
const BACKGROUND = 224;

/** A logo: an orange block on a transparent field whose pixels are stored 0,0,0,0, as most editors write them. */
function logo(): Sharp {
  const width = 400;
  const height = 300;
  const pixels = Buffer.alloc(width * height * 4);
  for (let y = 100; y < 200; y++) for (let x = 100; x < 300; x++) pixels.set([255, 128, 0, 255], (y * width + x) * 4);
  return sharp(pixels, { raw: { width, height, channels: 4 } });
}

/** The RGB of pixel (x, y) of an encoded image. */
async function rgbAt(image: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return [...data.subarray(at, at + 3)];
}

describe('thumbnails of images with alpha', () => {
  const encodings = {
    png: (image: Sharp) => image.png(),
    // Lossless and exact, so libwebp keeps the black under transparent pixels.
    webp: (image: Sharp) => image.webp({ lossless: true, exact: true }),
    gif: (image: Sharp) => image.gif(),
  };

  it.each(Object.keys(encodings) as Array<keyof typeof encodings>)('shows a transparent %s over a light grey, not the black under its transparent pixels, while the model still sees black', async (format) => {
    const photo = await encodings[format](logo()).toBuffer();
    const decoded = await decodePhoto(photo, PRE, { withThumbnail: true });
    const thumbnail = decoded.thumbnail as Buffer;
    expect(await sharp(thumbnail).metadata()).toMatchObject({ width: 256, height: 192 });
    for (const value of await rgbAt(thumbnail, 8, 8)) expect(Math.abs(value - BACKGROUND)).toBeLessThanOrEqual(4);
    const centre = await rgbAt(thumbnail, 128, 96);
    expect(centre[0]).toBeGreaterThan(240);
    expect(Math.abs((centre[1] as number) - 128)).toBeLessThanOrEqual(12);
    expect(centre[2]).toBeLessThan(16);
    // The model's input keeps PIL's convert("RGB") (Note [Alpha before resampling]): a transparent corner is the black stored there.
    const plane = PRE.size * PRE.size;
    expect([0, 1, 2].map((channel) => decoded.tensor[channel * plane])).toEqual([0, 0, 0]);
  });

  it('does so too for an image above EXACT_ALPHA_MAX_PIXELS, resized in one streaming pass', { timeout: 60_000 }, async () => {
    const side = 5000;
    expect(side * side).toBeGreaterThan(EXACT_ALPHA_MAX_PIXELS);
    const photo = await sharp({ create: { width: side, height: side, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .png({ compressionLevel: 1 })
      .toBuffer();
    const decoded = await decodePhoto(photo, PRE, { withThumbnail: true });
    const { channels } = await sharp(decoded.thumbnail as Buffer).stats();
    for (const { min, max } of channels) {
      expect(Math.abs(min - BACKGROUND)).toBeLessThanOrEqual(4);
      expect(Math.abs(max - BACKGROUND)).toBeLessThanOrEqual(4);
    }
    expect(decoded.tensor.every((value) => value === 0)).toBe(true);
  });
});
