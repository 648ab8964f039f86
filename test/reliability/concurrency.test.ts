/**
 * Note [One writer], tried hard: rounds of writers (with and without --wait) and many readers as
 * separate processes on one data folder, new photos arriving between rounds. Every reader
 * succeeds, every writer finishes or is turned away naming the writer, and the library stays
 * sound with every photo once.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli-process.js';
import { concurrentRound, expectSoundLibrary } from '../helpers/concurrency.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';
import { report } from '../helpers/report.js';

const ROUNDS = 4;
const PER_ROUND = 15;

describe('many writers and readers, round after round', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let data: string;
  let folder: string;
  const model = ['--model', IMMICH_MODEL, '--provider', 'cpu'];

  beforeAll(async () => {
    scratch = await tempDir();
    data = path.join(scratch.dir, 'data');
    folder = path.join(scratch.dir, 'Photos');
    await copyPhotos((await fixturePhotos()).slice(0, 20), folder);
    expect(await runCli(['index', folder, '--data', data, ...model])).toMatchObject({ code: 0 });
  });
  afterAll(() => scratch.cleanup());

  it(`holds ${ROUNDS} rounds of 3 waiting writers, 3 writers and 10 readers at once`, async () => {
    const photos = await fixturePhotos();
    let heldOff = 0;
    let runs = 0;
    const started = Date.now();
    for (let round = 0; round < ROUNDS; round++) {
      await copyPhotos(photos.slice(20 + round * PER_ROUND, 20 + (round + 1) * PER_ROUND), path.join(folder, `round-${round}`));
      const result = await concurrentRound(data, model, { waitingWriters: 3, writers: 3, readers: 10 });
      heldOff += result.heldOff;
      runs += result.runs;
      expectSoundLibrary(data, 20 + (round + 1) * PER_ROUND);
    }
    await report('concurrency', { rounds: ROUNDS, processes: runs, writersHeldOff: heldOff, seconds: Math.round((Date.now() - started) / 1000) }, [
      `${runs} CLI processes in ${ROUNDS} rounds: every reader answered, ${heldOff} writers turned away naming the writer, the rest indexed in turn; integrity_check ok, every photo once`,
    ]);
  });
});
