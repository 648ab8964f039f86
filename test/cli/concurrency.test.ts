/**
 * Note [One writer]: writers and readers as separate processes on one data folder at once.
 * Writers with --wait all finish, one after another; a writer without it finishes or is turned
 * away naming the writer; every reader succeeds; nothing is embedded twice. The long version
 * (more processes, several rounds) is in test/reliability/concurrency.test.ts.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concurrentRound, expectSoundLibrary } from '../helpers/concurrency.js';
import { runCli } from '../helpers/cli-process.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

describe('writers and readers at once', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let data: string;
  let folder: string;
  const model = ['--model', IMMICH_MODEL, '--provider', 'cpu'];

  beforeAll(async () => {
    scratch = await tempDir();
    data = path.join(scratch.dir, 'data');
    folder = path.join(scratch.dir, 'Photos');
    const photos = await fixturePhotos();
    await copyPhotos(photos.slice(0, 20), folder);
    expect(await runCli(['index', folder, '--data', data, ...model])).toMatchObject({ code: 0 });
    await copyPhotos(photos.slice(20, 60), path.join(folder, 'new'));
  });
  afterAll(() => scratch.cleanup());

  it('lets one writer in at a time, never fails a reader, and embeds every photo once', { timeout: 240_000 }, async () => {
    const round = await concurrentRound(data, model, { waitingWriters: 2, writers: 1, readers: 5 });
    expect(round.runs).toBe(8);
    expectSoundLibrary(data, 60);
  });
});
