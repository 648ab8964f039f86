/**
 * A photo's text read outside a job (the viewer's "Read the text", `lumen text`) when the engine
 * closes: `dispose` stops it and waits for it, so it never stores into a closed library (an
 * error nobody can act on, in the log of every quit that met one).
 */
import path from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { throwIfAborted } from '../../main/core/errors.js';
import { Engine } from '../../main/engine/engine.js';
import { OcrModel } from '../../main/ocr/ocr.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

afterEach(() => {
  vi.restoreAllMocks();
});

it('stops a photo’s text being read as the engine closes, and never stores into the closed library', async () => {
  const scratch = await tempDir();
  const folder = path.join(scratch.dir, 'Photos');
  await copyPhotos((await fixturePhotos()).slice(0, 2), folder);
  const engine = new Engine({ dataDir: path.join(scratch.dir, 'data'), model: IMMICH_MODEL, provider: 'cpu' });
  try {
    await (await engine.addFolders([folder])).indexing.done;
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
    await scratch.cleanup();
  }
});
