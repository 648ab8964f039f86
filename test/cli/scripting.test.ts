/**
 * What a script running the CLI can rely on: an exit status of its own for a library busy (try
 * again later) apart from a failure, usage said on stderr, a saved album's photos listed, and a
 * command refused for want of a library leaving nothing behind.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WriterLock } from '../../main/storage/writer-lock.js';
import { cli } from '../helpers/cli-main.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { indexedEngine } from '../helpers/library.js';

const MODEL = ['--model', IMMICH_MODEL, '--provider', 'cpu'];

describe('the CLI for scripts', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let data: string;
  let trip: { photoId: number; path: string }[];

  beforeAll(async () => {
    scratch = await tempDir();
    data = path.join(scratch.dir, 'data');
    const engine = await indexedEngine(scratch.dir, 4);
    try {
      const [first, , third] = (await engine.search('a photo', { showAll: true })).results;
      trip = [first, third].map((hit) => ({ photoId: hit?.photoId as number, path: hit?.path as string }));
      await engine.changeAlbums((tags) => tags.saveAlbum('Trip to Lisbon', trip.map((photo) => photo.photoId)));
      await engine.changeAlbums((tags) => tags.saveAlbum('Walks', [first?.photoId as number]));
    } finally {
      await engine.dispose();
    }
  });
  afterAll(() => scratch.cleanup());

  it('exits 75 (try again later) when another process writes the library, and --wait goes on once it is done', async () => {
    const lock = WriterLock.tryTake(data, 'the app', 'indexing');
    expect(lock).not.toBeNull();
    try {
      const busy = await cli('tags', '--confirm', 'beach', '1', '--data', data);
      expect(busy).toMatchObject({ code: 75, stdout: '' });
      expect(busy.stderr).toMatch(/^lumen tags: Lumen \(the app, pid \d+\) is indexing this library; wait for it to finish, or run again with --wait\.\n$/);
      const waiting = cli('tags', '--confirm', 'beach', '1', '--data', data, '--wait');
      await new Promise((resolve) => setTimeout(resolve, 600));
      lock?.release();
      expect((await waiting).code).toBe(0);
    } finally {
      lock?.release();
    }
  });

  it('lists the exit statuses in the help', async () => {
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit status: 0 done, 1 failed or not all done, 2 a mistake in what was asked, 75 busy \(try again later; --wait waits for another Lumen process writing the library\), 130 interrupted\./);
  });

  it('says its usage on stderr when given no command', async () => {
    const none = await cli();
    expect(none).toMatchObject({ code: 2, stdout: '' });
    expect(none.stderr).toMatch(/^Usage: lumen <command> \[options\]/);
    expect(none.stderr).toBe((await cli('--help')).stdout);
  });

  it('lists a saved album’s photos, found by its name in any case', async () => {
    const json = await cli('albums', 'Trip to Lisbon', '--data', data, '--json');
    const album = JSON.parse(json.stdout) as { id: string; name: string; photos: { photoId: number; path: string }[] };
    expect(album).toEqual({ id: expect.stringMatching(/^saved:\d+$/), name: 'Trip to Lisbon', photos: expect.arrayContaining(trip) });
    expect(album.photos).toHaveLength(trip.length);
    // In the album's own order, a path a line.
    const listed = await cli('albums', 'trip to lisbon', '--data', data);
    expect(listed).toEqual({ code: 0, stderr: '', stdout: `${album.photos.map((photo) => photo.path).join('\n')}\n` });
  });

  it('refuses an album it does not have with exit 2, offering the saved albums', async () => {
    const typo = await cli('albums', 'Trip to Lisbn', '--data', data);
    expect(typo).toEqual({ code: 2, stdout: '', stderr: 'lumen albums: There is no saved album "Trip to Lisbn". Did you mean "Trip to Lisbon"? Saved albums: "Trip to Lisbon", "Walks" (`lumen albums` lists them).\n' });
    const two = await cli('albums', 'Trip', 'Walks', '--data', data);
    expect(two).toMatchObject({ code: 2, stderr: 'lumen albums: Give one album name.\n' });
  });

  it('leaves no data folder and no lock behind when `index` with no FOLDER finds no library', async () => {
    const typo = path.join(scratch.dir, 'typo');
    const refused = await cli('index', '--data', typo, ...MODEL);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^lumen index: There is no library in .*typo yet/);
    expect(existsSync(typo)).toBe(false);
    // An empty folder given as the data folder stays empty.
    const empty = path.join(scratch.dir, 'empty');
    await mkdir(empty);
    expect((await cli('index', '--data', empty, ...MODEL)).code).toBe(2);
    expect(existsSync(path.join(empty, 'writer.lock'))).toBe(false);
  });
});
