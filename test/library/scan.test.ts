/**
 * The folder walk on its own: a folder of many photos is stated without holding the event loop
 * for the whole folder (a search waits for every pause of the engine's thread).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { STATS_PER_TURN, scanFolder } from '../../main/library/scan.js';
import { turnCounter } from '../helpers/event-loop.js';
import { tempDir } from '../helpers/fixtures.js';

describe('the folder scan', () => {
  it('states a large folder a slice of files at a time, with other work between slices', async () => {
    const scratch = await tempDir();
    try {
      const count = 2 * STATS_PER_TURN + 7;
      await Promise.all(Array.from({ length: count }, (_, i) => writeFile(path.join(scratch.dir, `IMG_${i}.jpg`), 'x'.repeat(i % 5))));
      const turns = turnCounter();
      const found = [];
      for await (const file of scanFolder(scratch.dir)) {
        // Counted from the first file on: reading the folder itself takes turns of its own.
        turns.start();
        found.push(file);
      }
      turns.stop();
      expect(found).toHaveLength(count);
      expect(found.find((file) => file.path.endsWith('IMG_3.jpg'))?.size).toBe(3);
      expect(turns.turns).toBeGreaterThanOrEqual(2);
    } finally {
      await scratch.cleanup();
    }
  });
});
