/**
 * A folder removed while it is being indexed (from another window): the run ends without its
 * photos, and no tagging follows when no photo is left embedded to tag (Note [Nothing to tag] in
 * main/engine/index-job.ts): it would fail with "No photo in the library has an embedding".
 */
import path from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { Engine } from '../../main/engine/engine.js';
import { LibraryStore } from '../../main/storage/library-store.js';
import type { AppEvent, JobInfo } from '../../preload/contract.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

let scratch: { dir: string; cleanup: () => Promise<void> };
let engine: Engine;
let folder: string;
const events: AppEvent[] = [];
const jobsOf = (kind: string): JobInfo[] => events.flatMap((event) => (event.type === 'job' && event.job.kind === kind ? [event.job] : []));

beforeEach(async () => {
  scratch = await tempDir();
  folder = path.join(scratch.dir, 'Photos');
  await copyPhotos((await fixturePhotos()).slice(0, 8), folder);
  events.length = 0;
  engine = new Engine({ dataDir: path.join(scratch.dir, 'data'), model: IMMICH_MODEL, provider: 'cpu', watch: true, app: true, onEvent: (event) => events.push(event) });
});

afterEach(async () => {
  vi.restoreAllMocks();
  await engine.dispose();
  await scratch.cleanup();
});

it('ends the run of a folder removed under it as done, and starts no tagging that would fail', async () => {
  // The folder goes as the run stores its first photos: the race made certain.
  const writeBatch = LibraryStore.prototype.writeBatch;
  let removal: Promise<void> | null = null;
  vi.spyOn(LibraryStore.prototype, 'writeBatch').mockImplementation(function (this: LibraryStore, ...args) {
    removal ??= engine.removeFolder(engine.library().folders()[0]!.id);
    return writeBatch.apply(this, args);
  });
  const { indexing } = await engine.addFolders([folder], [], { batchSize: 2 });
  await indexing.done;
  await removal;
  await vi.waitFor(() => expect(engine.jobs.list()).toEqual([]), { timeout: 20_000 });

  expect(engine.library().status()).toMatchObject({ photos: 0 });
  expect(jobsOf('index').at(-1)).toMatchObject({ state: 'done', error: null });
  expect(jobsOf('tag').filter((job) => job.state === 'failed')).toEqual([]);
});
