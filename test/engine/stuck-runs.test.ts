/**
 * Note [Stuck runs]: in the app, an index run stopped by something a person can fix pauses with
 * the reason and runs again on Resume; the CLI exits with the message and status 1. (How much a
 * run stores before the disk fills is tested in test/library/failures.test.ts; a run that meets
 * another program writing the library, in test/engine/another-program-indexing.test.ts.)
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../main/cli/index.js';
import { Engine } from '../../main/engine/engine.js';
import { LibraryStore } from '../../main/storage/library-store.js';
import type { AppEvent, JobInfo } from '../../preload/contract.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

/** Makes every library write fail as on a full disk while `full` is set (how batches fall depends on timing). */
function fillTheDisk(): { full: boolean } {
  const disk = { full: true };
  const writeBatch = LibraryStore.prototype.writeBatch;
  vi.spyOn(LibraryStore.prototype, 'writeBatch').mockImplementation(function (this: LibraryStore, ...args) {
    if (disk.full) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    return writeBatch.apply(this, args);
  });
  return disk;
}

describe('an index run that gets stuck', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let dataDir: string;
  let folder: string;
  let events: AppEvent[];
  const engines: Engine[] = [];

  const appEngine = () => {
    const made = new Engine({ dataDir, model: IMMICH_MODEL, provider: 'cpu', app: true, onEvent: (event) => events.push(event) });
    engines.push(made);
    return made;
  };
  const indexJobs = (): JobInfo[] => events.flatMap((event) => (event.type === 'job' && event.job.kind === 'index' ? [event.job] : []));

  beforeEach(async () => {
    scratch = await tempDir();
    dataDir = path.join(scratch.dir, 'data');
    folder = path.join(scratch.dir, 'Photos');
    events = [];
    await copyPhotos((await fixturePhotos()).slice(0, 24), folder);
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const made of engines.splice(0)) await made.dispose();
    await scratch.cleanup();
  });

  it('in the app, pauses on a full disk with the message, and indexes the rest on Resume', async () => {
    const disk = fillTheDisk();
    const engine = appEngine();
    const { indexing } = await engine.addFolders([folder], [], { batchSize: 4 });
    await vi.waitFor(() => expect(indexJobs().at(-1)).toMatchObject({ state: 'paused', error: 'The disk holding the library is full: 0 photos indexed and kept; free some space and run again.' }), {
      timeout: 30_000,
    });
    expect(engine.library().status().photos).toBe(0);

    disk.full = false;
    indexing.job.resume();
    expect((await indexing.done).embedded).toBe(24);
    expect(engine.library().status()).toMatchObject({ photos: 24, failed: 0 });
    const states = indexJobs().map((job) => [job.state, job.error === null]);
    expect(states).toContainEqual(['running', true]);
    expect(states.at(-1)).toEqual(['done', true]);
  });

  it('on the command line, stops with the message and status 1', async () => {
    fillTheDisk();
    let stderr = '';
    const code = await main(['index', folder, '--data', dataDir, '--model', IMMICH_MODEL, '--provider', 'cpu', '--batch', '4'], {
      stdout: { write: () => true },
      stderr: { write: (text: string) => (stderr += text) },
    });
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n').filter((line) => line.startsWith('lumen index:'));
    expect(lines).toEqual(['lumen index: The disk holding the library is full: 0 photos indexed and kept; free some space and run again.']);
  });
});
