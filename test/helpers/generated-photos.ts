/**
 * Many small, distinct photos made fast for soak tests: blocks of colour on a background, drawn
 * as raw pixels from a seeded generator and encoded as JPEG by sharp (about a millisecond each).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';

/** A small seeded generator (mulberry32): the same photos on every run. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SIDE = 48;

/** Writes `count` distinct JPEGs under `dir`, 500 to a subfolder; returns their paths. */
export async function generatePhotos(dir: string, count: number, seed = 1): Promise<string[]> {
  const random = seeded(seed);
  const files: string[] = [];
  const pixels = Buffer.alloc(SIDE * SIDE * 3);
  for (let i = 0; i < count; i++) {
    const background = [random() * 255, random() * 255, random() * 255];
    for (let p = 0; p < SIDE * SIDE; p++) pixels.set(background, p * 3);
    for (let block = 0; block < 3; block++) {
      const colour = [random() * 255, random() * 255, random() * 255];
      const x0 = Math.floor(random() * SIDE);
      const y0 = Math.floor(random() * SIDE);
      const w = 4 + Math.floor(random() * 20);
      const h = 4 + Math.floor(random() * 20);
      for (let y = y0; y < Math.min(SIDE, y0 + h); y++) for (let x = x0; x < Math.min(SIDE, x0 + w); x++) pixels.set(colour, (y * SIDE + x) * 3);
    }
    const file = path.join(dir, `set-${Math.floor(i / 500)}`, `photo-${i}.jpg`);
    if (i % 500 === 0) await mkdir(path.dirname(file), { recursive: true });
    await sharp(pixels, { raw: { width: SIDE, height: SIDE, channels: 3 } }).jpeg({ quality: 85 }).toFile(file);
    files.push(file);
  }
  return files;
}
