/**
 * The folder walk on its own: a folder of many photos is stated without holding the event loop
 * for the whole folder (a search waits for every pause of the engine's thread); a folder below
 * that cannot be read is said in words.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { STATS_PER_TURN, scanFolder, type ScanProblem } from '../../main/library/scan.js';
import { turnCounter } from '../helpers/event-loop.js';
import { tempDir } from '../helpers/fixtures.js';

// Root, as CI runs, reads a folder of mode 000: a folder is made unreadable by its name instead.
const LOCKED = 'Private';
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const readdir = ((dir: string, ...rest: unknown[]) =>
    path.basename(String(dir)) === LOCKED ? Promise.reject(Object.assign(new Error(`EACCES: permission denied, scandir '${String(dir)}'`), { code: 'EACCES' })) : (real.readdir as (...args: unknown[]) => unknown)(dir, ...rest)) as typeof real.readdir;
  return { ...real, readdir, default: { ...real, readdir } };
});

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

  it('says a folder below the one walked that cannot be read by its name, in words, and walks on', async () => {
    const scratch = await tempDir();
    try {
      await mkdir(path.join(scratch.dir, 'Trips', LOCKED), { recursive: true });
      await writeFile(path.join(scratch.dir, 'Trips', 'a.jpg'), 'x');
      const problems: ScanProblem[] = [];
      const found = [];
      for await (const file of scanFolder(scratch.dir, { onProblem: (problem) => problems.push(problem) })) found.push(path.basename(file.path));
      expect(found).toEqual(['a.jpg']);
      const locked = path.join(scratch.dir, 'Trips', LOCKED);
      expect(problems).toEqual([
        { path: locked, reason: 'unreadable', unwalked: locked, code: 'EACCES', message: 'Private is a folder that could not be read (permission denied); the photos indexed in it are kept.' },
      ]);
    } finally {
      await scratch.cleanup();
    }
  });
});
