/**
 * Note [Work kept for photos that return] in main/storage/kept-work.ts, from the command line: a
 * photo whose file is moved out of the library and back, re-indexed each time, keeps the verdicts
 * the person gave it; a folder taken out and added again does not (`lumen folders` says so).
 */
import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli-main.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

const MODEL = ['--model', IMMICH_MODEL, '--provider', 'cpu'];

describe('a photo moved out of the library and back, from the command line', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let data: string;
  let photos: string;
  let sign: string | undefined;
  let away: string;

  beforeAll(async () => {
    scratch = await tempDir();
    data = path.join(scratch.dir, 'data');
    photos = path.join(scratch.dir, 'ph');
    [sign] = await copyPhotos((await fixturePhotos()).slice(0, 3), photos, () => '.');
    away = path.join(scratch.dir, 'elsewhere', path.basename(sign!));
    await mkdir(path.dirname(away));
    expect((await cli('index', '--data', data, ...MODEL, photos)).code).toBe(0);
  });
  afterAll(() => scratch.cleanup());

  const tagsOf = async (file: string) => (await cli('tags', '--data', data, file)).stdout;

  it('keeps its confirmed and rejected tags', async () => {
    expect((await cli('tags', '--data', data, '--confirm', 'river', sign!)).code).toBe(0);
    expect((await cli('tags', '--data', data, '--reject', 'beach', sign!)).code).toBe(0);
    expect(await tagsOf(sign!)).toMatch(/: river \(confirmed\); rejected: beach$/m);
    await rename(sign!, away);
    expect((await cli('index', '--data', data, ...MODEL)).stdout).toMatch(/\b1 removed\b/);
    await rename(away, sign!);
    expect((await cli('index', '--data', data, ...MODEL)).code).toBe(0);
    expect(await tagsOf(sign!)).toMatch(/: river \(confirmed\); rejected: beach$/m);
  });

  it('forgets them with a folder taken out while the photo was away, as `folders` says', async () => {
    expect((await cli('folders', '--help')).stdout).toMatch(/Taking a folder out forgets its photos, their tags/);
    await rename(sign!, away);
    expect((await cli('index', '--data', data, ...MODEL)).code).toBe(0);
    expect((await cli('folders', '--data', data, '--remove', photos)).code).toBe(0);
    await rename(away, sign!);
    expect((await cli('index', '--data', data, ...MODEL, photos)).code).toBe(0);
    expect(await tagsOf(sign!)).toMatch(/: no tags$/m);
  });
});
