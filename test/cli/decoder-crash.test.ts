/**
 * A photo whose decode ends the process (Note [A photo that stops the process] in
 * main/library/decode-journal.ts), played by a real `lumen index` killed while it decodes one
 * large photo: the next run decodes what was in flight alone, and the run after a second end
 * lists the photo as failed and indexes the rest, where every run died on it before.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli, startCli } from '../helpers/cli-process.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos, queryLibrary } from '../helpers/library.js';

interface Entry {
  path: string;
  alone: boolean;
}

describe('a photo that stops the process decoding it', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let photos: string;
  let data: string;
  let heavy: string;
  const model = ['--model', IMMICH_MODEL, '--provider', 'cpu'];
  const journal = (): Entry[] => {
    try {
      return JSON.parse(readFileSync(path.join(data, 'decoding.json'), 'utf8')) as Entry[];
    } catch {
      return [];
    }
  };
  /** Runs `lumen index` and kills it (SIGKILL, as a native crash ends it) once `decoding` holds of the journal. */
  const killWhen = async (decoding: (entries: Entry[]) => boolean): Promise<Entry[]> => {
    const run = startCli(['index', photos, '--data', data, ...model]);
    let seen: Entry[] = [];
    await vi.waitFor(
      () => {
        seen = journal();
        expect(decoding(seen)).toBe(true);
      },
      { timeout: 120_000, interval: 5 },
    );
    run.kill('SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');
    return seen;
  };

  beforeEach(async () => {
    scratch = await tempDir();
    photos = path.join(scratch.dir, 'Photos');
    data = path.join(scratch.dir, 'data');
    await copyPhotos((await fixturePhotos()).slice(0, 6), photos, () => '');
    // Noise does not compress: a 12 MP PNG takes a few hundred ms to decode, time enough to be seen in flight.
    heavy = path.join(photos, 'heavy.png');
    await sharp({ create: { width: 4000, height: 3000, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).png({ compressionLevel: 1 }).toFile(heavy);
  });
  afterEach(() => scratch.cleanup());

  it('is decoded alone after the first end, listed as failed after the second, and the rest is indexed', async () => {
    const first = await killWhen((entries) => entries.some((entry) => entry.path === heavy));
    expect(first.filter((entry) => entry.alone)).toEqual([]);

    // The next run decodes what the first left in flight one at a time: the heavy photo is alone when it ends too.
    const second = await killWhen((entries) => entries.some((entry) => entry.path === heavy && entry.alone));
    expect(second.filter((entry) => entry.alone).map((entry) => entry.path)).toEqual([heavy]);

    const third = await runCli(['index', photos, '--data', data, ...model]);
    expect(third.code).toBe(0);
    expect(third.stdout).toMatch(/1 failed/);
    expect(third.stdout).toContain('heavy.png stopped Lumen each time it was decoded (its decoder crashed, or memory ran out), so it is skipped.');
    expect(queryLibrary<number>(data, 'SELECT COUNT(*) FROM files')).toEqual([6]);
    expect(queryLibrary<string>(data, 'SELECT reason FROM failures')).toEqual(['stops-decoder']);
    expect(journal()).toEqual([]);

    // It lasts until the file changes (Note [Failures that last]): the next run does not decode it again.
    const fourth = await runCli(['index', photos, '--data', data, ...model]);
    expect(fourth.code).toBe(0);
    expect(fourth.stdout).toMatch(/1 file still could not be indexed \(unchanged since, not tried again\)/);
    expect(journal()).toEqual([]);
  });

  it('indexes every photo when a run that ended mid-decode is followed by one that is not stopped', async () => {
    await killWhen((entries) => entries.some((entry) => entry.path === heavy));
    const again = await runCli(['index', photos, '--data', data, ...model]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/7 photos embedded/);
    expect(queryLibrary<string>(data, 'SELECT reason FROM failures')).toEqual([]);
    expect(journal()).toEqual([]);
  });
});
