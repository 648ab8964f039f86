/**
 * Note [Another program indexing] in main/engine/index-job.ts: while `lumen index` writes the
 * library, the app's status names it, an index run asked for meanwhile waits for it with a message
 * that says so and runs by itself once it is done, and the window is told to read the status again
 * then; a run the person holds paused stays their pause.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../main/engine/engine.js';
import type { AppEvent, JobInfo } from '../../preload/contract.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';
import { holdWriterLock, type WriterHolder } from '../helpers/writer-holder.js';

/** Long enough for the engine's look at the lock every 3 s (WRITER_WAIT_MS in library-access.ts). */
const WRITER_GONE_MS = 15_000;

describe('the app while another program indexes its library', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let dataDir: string;
  let folder: string;
  let events: AppEvent[] = [];
  let other: WriterHolder | null;
  const engines: Engine[] = [];

  const appEngine = () => {
    const made = new Engine({ dataDir, model: IMMICH_MODEL, provider: 'cpu', app: true, onEvent: (event) => events.push(event) });
    engines.push(made);
    return made;
  };
  const indexJobs = (): JobInfo[] => events.flatMap((event) => (event.type === 'job' && event.job.kind === 'index' ? [event.job] : []));
  const libraryChanged = () => events.some((event) => event.type === 'library-changed');

  beforeEach(async () => {
    scratch = await tempDir();
    dataDir = path.join(scratch.dir, 'data');
    folder = path.join(scratch.dir, 'Photos');
    const photos = await fixturePhotos();
    await copyPhotos(photos.slice(0, 8), folder);
    const first = appEngine();
    await (await first.addFolders([folder])).indexing.done;
    await engines.pop()?.dispose();
    await copyPhotos(photos.slice(40, 44), path.join(folder, 'more'));
    other = await holdWriterLock(dataDir);
    events = [];
  });
  afterEach(async () => {
    await other?.end();
    for (const made of engines.splice(0)) await made.dispose();
    await scratch.cleanup();
  });

  it('names it in the status until it is done, and tells the window to read the status again then', async () => {
    const engine = appEngine();
    expect((await engine.status()).writer).toMatchObject({ pid: other?.pid, holder: '`lumen index`', doing: 'indexing' });

    await other?.end();
    await expect.poll(libraryChanged, { timeout: WRITER_GONE_MS }).toBe(true);
    expect((await engine.status()).writer).toBeNull();
  });

  it('waits with a run asked for meanwhile, saying for whom, and runs it by itself once it is done', async () => {
    const engine = appEngine();
    const running = engine.index();
    // The run meets the lock as it starts, which a loaded machine takes more than poll's default second to reach.
    await expect.poll(() => indexJobs().at(-1), { timeout: WRITER_GONE_MS }).toMatchObject({
      state: 'paused',
      error: `Lumen (\`lumen index\`, pid ${other?.pid}) is indexing this library; this run goes on by itself once it has finished.`,
    });
    // Searching goes on meanwhile, read-only.
    expect((await engine.search('a photo of a star.', { showAll: true })).total).toBe(8);

    await other?.end();
    expect((await running.done).embedded).toBe(4);
    expect(engine.library().status().photos).toBe(12);
    expect(indexJobs().at(-1)).toMatchObject({ state: 'done', error: null, background: false });
  }, 30_000);

  it('keeps a run the person holds paused as their pause, with no reason of its own, once it is done', async () => {
    const engine = appEngine();
    const running = engine.index({}, { paused: true });
    await engine.status();
    await other?.end();
    await expect.poll(libraryChanged, { timeout: WRITER_GONE_MS }).toBe(true);
    expect(running.job).toMatchObject({ state: 'paused', error: null });
    expect(indexJobs().every((job) => job.error === null)).toBe(true);

    running.job.resume();
    expect((await running.done).embedded).toBe(4);
  }, 30_000);
});
