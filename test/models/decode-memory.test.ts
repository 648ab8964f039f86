/**
 * One decode's memory is bounded, and decodes together stay within the decode memory budget
 * (Note [Decode memory] in preprocess.ts). The case, four 16000 x 16000 RGBA PNGs, takes
 * seconds per photo to make and decode: `npm run bench -- decode` measures it; here the same
 * argument runs at 8000 x 8000, above the size where alpha images were decoded at full size.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBudget } from '../../main/core/budget.js';
import { decodePhoto } from '../../main/library/decode.js';
import { readModelFolder, type ImagePreprocessing } from '../../main/models/folder.js';
import { EXACT_ALPHA_MAX_PIXELS, decodeEstimate, decodeMemory } from '../../main/models/preprocess.js';
import { IMMICH_MODEL, ROOT, tempDir } from '../helpers/fixtures.js';

describe('a memory budget', () => {
  it('serves requests in order, lets one larger than the whole budget run alone, and never holds more', async () => {
    const budget = new MemoryBudget(100);
    const order: string[] = [];
    const run = async (name: string, bytes: number, gate: Promise<void>) => {
      const release = await budget.acquire(bytes);
      order.push(name);
      await gate;
      release();
    };
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    const runs = [run('a', 60, gate), run('b', 60, gate), run('huge', 500, Promise.resolve()), run('c', 10, Promise.resolve())];
    await new Promise((resolve) => setImmediate(resolve));
    // b waits for room; c, though small, waits behind it and the huge one (first come, first served).
    expect(order).toEqual(['a']);
    open();
    await Promise.all(runs);
    expect(order).toEqual(['a', 'b', 'huge', 'c']);
    expect(budget.peak).toBe(500);
  });
});

describe('decoding within bounded memory', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let pre: ImagePreprocessing;
  beforeAll(async () => {
    scratch = await tempDir();
    pre = (await readModelFolder(IMMICH_MODEL)).image.preprocessing;
  });
  afterAll(() => scratch.cleanup());

  const rgba = (side: number) => sharp({ create: { width: side, height: side, channels: 4, background: { r: 200, g: 30, b: 90, alpha: 0.5 } } }).png();

  it('holds decodes running at once to the shared budget', async () => {
    const file = path.join(scratch.dir, 'alpha-1500.png');
    await rgba(1500).toFile(file);
    const header = await sharp(file).metadata();
    const each = decodeEstimate(header, Math.max(pre.size, 256));
    const capacity = decodeMemory.capacity;
    decodeMemory.capacity = Math.floor(each * 2.5);
    decodeMemory.resetPeak();
    try {
      const decoded = await Promise.all(Array.from({ length: 6 }, () => decodePhoto(file, pre, { withThumbnail: true })));
      expect(decoded.every((photo) => photo.width === 1500)).toBe(true);
      // Two at a time fit; the other four waited for room.
      expect(decodeMemory.peak).toBe(2 * each);
    } finally {
      decodeMemory.capacity = capacity;
    }
  });

  it('decodes four large RGBA PNGs in a fraction of the memory their full-size copies would take', { timeout: 120_000 }, async () => {
    const side = 8000;
    expect(side * side).toBeGreaterThan(EXACT_ALPHA_MAX_PIXELS);
    const file = path.join(scratch.dir, `alpha-${side}.png`);
    await rgba(side).toFile(file);
    const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test', 'helpers', 'decode-peak.ts'), file, file, file, file], { cwd: ROOT, encoding: 'utf8' });
    expect(child.status, child.stderr).toBe(0);
    const { growth } = JSON.parse(child.stdout) as { growth: number };
    // Before, each decode held its whole opaque copy, 3 bytes a pixel: 4 x 192 MB here (measured:
    // 789 MB of growth). Now a decode streams, holding about 1,800 rows of the image (220 MB).
    const fullSizeCopies = 4 * side * side * 3;
    expect(growth).toBeLessThan(fullSizeCopies / 2);
  });
});
