/**
 * Calls under way when the engine closes. A photo's text read outside a job (the viewer's "Read
 * the text", `lumen text`): `dispose` stops it and waits for it, so it never stores into a closed
 * library (an error nobody can act on, in the log of every quit that met one). A search: waited
 * for, so it never meets a closed library or a text tower let go; one asked later is refused.
 */
import path from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { throwIfAborted } from '../../main/core/errors.js';
import { Engine } from '../../main/engine/engine.js';
import { OcrModel } from '../../main/ocr/ocr.js';
import { PhotoSearch } from '../../main/search/search.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

let cleanup: () => Promise<void> = async () => {};
afterEach(() => {
  vi.restoreAllMocks();
});

/** An engine over a library of two photos, indexed; `cleanup` takes its folders away once it is closed. */
async function indexedEngine(): Promise<Engine> {
  const scratch = await tempDir();
  cleanup = scratch.cleanup;
  const folder = path.join(scratch.dir, 'Photos');
  await copyPhotos((await fixturePhotos()).slice(0, 2), folder);
  const engine = new Engine({ dataDir: path.join(scratch.dir, 'data'), model: IMMICH_MODEL, provider: 'cpu' });
  await (await engine.addFolders([folder])).indexing.done;
  return engine;
}

it('stops a photo’s text being read as the engine closes, and never stores into the closed library', async () => {
  const engine = await indexedEngine();
  try {
    // The text is read, then held, as a long inference would be, until the engine has closed or the read is stopped.
    const recognize = OcrModel.prototype.recognize;
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let reached: () => void = () => {};
    const read = new Promise<void>((resolve) => (reached = resolve));
    vi.spyOn(OcrModel.prototype, 'recognize').mockImplementation(async function (this: OcrModel, source, signal) {
      const answer = await recognize.call(this, source, signal);
      reached();
      await Promise.race([held, new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }))]);
      throwIfAborted(signal);
      return answer;
    });
    const reading = engine.photoText(1, { read: true }).then(
      () => 'read',
      (error: unknown) => error,
    );
    await read;
    await engine.dispose();
    release();
    expect(await reading).toMatchObject({ code: 'cancelled' });
    await expect(engine.photoText(1, { read: true })).rejects.toMatchObject({ code: 'cancelled' });
  } finally {
    await cleanup();
  }
});

it('waits for a search under way as the engine closes, and refuses one asked after', async () => {
  const engine = await indexedEngine();
  try {
    // The search is held after it starts, as a slow text tower would hold it, until let go.
    const search = PhotoSearch.prototype.search;
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let reached: () => void = () => {};
    const started = new Promise<void>((resolve) => (reached = resolve));
    vi.spyOn(PhotoSearch.prototype, 'search').mockImplementation(async function (this: PhotoSearch, ...args) {
      reached();
      await held;
      return search.apply(this, args);
    });
    const searching = engine.search('a photo of a circle.', { showAll: true }).then(
      (page) => page.results.length,
      (error: unknown) => error,
    );
    await started;
    let closed = false;
    const closing = engine.dispose().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(closed).toBe(false);
    await expect(engine.search('a photo of a circle.')).rejects.toMatchObject({ code: 'cancelled', message: 'Lumen is closing.' });
    release();
    expect(await searching).toBe(2);
    await closing;
  } finally {
    await cleanup();
  }
});
