import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../main/core/errors.js';
import { OcrModel, decodeForOcr } from '../../main/ocr/ocr.js';
import { renderShapes, renderText } from './helpers.js';

let ocr: OcrModel;

beforeAll(async () => {
  ocr = await OcrModel.load({ provider: 'cpu' });
});

afterAll(async () => {
  await ocr.dispose();
});

describe('OcrModel', () => {
  it('reads clean text line by line, in reading order, with boxes around it', async () => {
    const photo = await renderText({ lines: ['Receipt from Lisboa', 'Total 42.50 EUR'], size: 32 });
    const { lines } = await ocr.recognize(photo);
    // Spaces are a guess from the recogniser's gaps (Note [Recovered spaces]); the characters are not.
    expect(lines.map((line) => line.text.replace(/\s+/g, ''))).toEqual(['ReceiptfromLisboa', 'Total42.50EUR']);
    expect(lines[0]!.text).toBe('Receipt from Lisboa');
    for (const line of lines) {
      expect(line.confidence).toBeGreaterThan(0.8);
      expect(line.confidence).toBeLessThanOrEqual(1);
    }
    const [x, y, w, h] = lines[0]!.box;
    // The first baseline is at y = 140 of 480, text starts at x = 60 of 640.
    expect(x).toBeGreaterThan(0.05);
    expect(x).toBeLessThan(60 / 640 + 0.01);
    expect(y).toBeLessThan(140 / 480);
    expect(y + h).toBeGreaterThan(140 / 480);
    expect(w).toBeGreaterThan(0.4);
    expect(x + w).toBeLessThanOrEqual(1);
  });

  it('reads a tilted line on a textured background, in another font', async () => {
    const photo = await renderText({ lines: ['Mercado da Ribeira'], size: 36, rotation: -5, font: 'DejaVu Serif', textured: true });
    const { lines } = await ocr.recognize(photo);
    expect(lines.map((line) => line.text)).toEqual(['Mercado da Ribeira']);
  });

  it('finds no text where there is none', async () => {
    expect((await ocr.recognize(await renderShapes())).lines).toEqual([]);
  });

  it('applies EXIF orientation before reading', async () => {
    const upright = await renderText({ lines: ['Porto 1987'], size: 40 });
    const sideways = await sharp(upright).rotate(90).withMetadata({ orientation: 8 }).jpeg().toBuffer();
    const image = await decodeForOcr(sideways);
    expect([image.width, image.height]).toEqual([640, 480]);
    expect((await ocr.recognize(image)).lines.map((line) => line.text)).toEqual(['Porto 1987']);
  });

  it('says which file it cannot read', async () => {
    await expect(ocr.recognize('/nonexistent/photo.jpg')).rejects.toMatchObject({ code: 'image-unreadable' });
    await expect(ocr.recognize(Buffer.from('not an image'))).rejects.toBeInstanceOf(UserError);
  });
});
