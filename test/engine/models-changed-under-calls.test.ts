/**
 * Calls outside jobs under way as the models change (Note [Models changed under work] in
 * engine.ts): a search as the person types, a photo's "Read text". A change of model or provider
 * lets them finish on the models they started with before it lets those go, and what is asked
 * meanwhile runs on the new ones: freed under them, they failed as if the model were broken.
 * And reads of a photo's text, one after another, leave nothing behind on the engine.
 */
import path from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { engineHandlers } from '../../main/engine/calls.js';
import { Engine } from '../../main/engine/engine.js';
import { ClipModel } from '../../main/models/clip.js';
import { OcrModel } from '../../main/ocr/ocr.js';
import { PhotoSearch } from '../../main/search/search.js';
import { Tags } from '../../main/tags/index.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

let scratch: { dir: string; cleanup: () => Promise<void> };
let engine: Engine;
let photos: string[];

beforeEach(async () => {
  scratch = await tempDir();
  photos = await copyPhotos((await fixturePhotos()).slice(0, 12), path.join(scratch.dir, 'Photos'));
  engine = new Engine({ dataDir: path.join(scratch.dir, 'data'), model: IMMICH_MODEL, provider: 'cpu' });
  await (await engine.addFolders([path.join(scratch.dir, 'Photos')])).indexing.done;
});

afterEach(async () => {
  vi.restoreAllMocks();
  await engine.dispose();
  await scratch.cleanup();
});

/** Holds the first call of `method` of `type` as it starts, as a slow model would, until `release`; `started` resolves once it is held. */
function holdFirst<T extends object, K extends keyof T & string>(type: { prototype: T }, method: K): { started: Promise<void>; release: () => void } {
  const original = type.prototype[method] as (...args: unknown[]) => Promise<unknown>;
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  let reached: () => void = () => {};
  const started = new Promise<void>((resolve) => (reached = resolve));
  let calls = 0;
  vi.spyOn(type.prototype, method as never).mockImplementation((async function (this: T, ...args: unknown[]) {
    if (calls++ === 0) {
      reached();
      await held;
    }
    return original.apply(this, args);
  }) as never);
  return { started, release };
}

const outcome = <T>(work: Promise<T>) => work.catch((error: unknown) => error);

/**
 * Watches `type`'s models being let go; the function returned resolves a second after it is
 * called, once what was let go in that second (a change that did not wait) is gone.
 */
function watchLetGo(type: { prototype: { dispose(): Promise<void> } }): () => Promise<void> {
  const dispose = type.prototype.dispose;
  let first: Promise<void> | undefined;
  vi.spyOn(type.prototype, 'dispose').mockImplementation(function (this: unknown) {
    const disposing = dispose.call(this);
    first ??= disposing;
    return disposing;
  });
  return async () => {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await first;
  };
}

it('lets a search under way finish on its models before a change of provider lets them go, and runs one asked meanwhile on the new ones', async () => {
  // The text tower is loaded, as after the first search typed.
  await engine.search('a photo of a star.');
  const { started, release } = holdFirst(PhotoSearch, 'search');
  const letGo = watchLetGo(ClipModel);
  const ended: string[] = [];
  const searching = outcome(engine.search('a photo of a circle.', { showAll: true }).then((page) => (ended.push('search'), page.results.length)));
  await started;
  const changing = engine.updateSettings({ provider: 'cpu' }).then(() => ended.push('change'));
  await new Promise((resolve) => setTimeout(resolve, 100));
  const askedMeanwhile = outcome(engine.search('a photo of a square.', { showAll: true }).then((page) => (ended.push('asked meanwhile'), page.results.length)));
  await letGo();
  release();
  // Run on a text tower let go, it failed with "model-invalid: … the inference thread … stopped".
  expect(await searching).toBe(12);
  await changing;
  expect(await askedMeanwhile).toBe(12);
  expect(ended).toEqual(['search', 'change', 'asked meanwhile']);
});

it('lets the template editor’s evaluation under way finish before a change of provider lets the models go', async () => {
  const { started, release } = holdFirst(Tags, 'evaluateLabelled');
  const ended: string[] = [];
  const evaluating = outcome(engineHandlers(engine)['vocabulary.evaluate']({ vocabulary: await engine.vocabulary() }).then(() => ended.push('evaluation')));
  await started;
  const changing = engine.updateSettings({ provider: 'cpu' }).then(() => ended.push('change'));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  release();
  await Promise.all([evaluating, changing]);
  expect(ended).toEqual(['evaluation', 'change']);
});

it('lets a photo’s text being read finish before a change of provider lets the text model go, and keeps what it read', async () => {
  const { started, release } = holdFirst(OcrModel, 'recognize');
  const letGo = watchLetGo(OcrModel);
  const reading = outcome(engine.photoText(photos[0]!, { read: true }));
  await started;
  const changing = engine.updateSettings({ provider: 'cpu' });
  await letGo();
  release();
  expect(await reading).toMatchObject({ read: true });
  await changing;
  expect(await engine.photoText(photos[0]!)).toMatchObject({ read: true });
  expect(await engine.photoText(photos[1]!, { read: true })).toMatchObject({ read: true });
});

it('reads a dozen photos’ text one after another without leaving a listener behind for each (no MaxListenersExceededWarning)', async () => {
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
  process.on('warning', onWarning);
  try {
    for (const photo of photos) expect(await engine.photoText(photo, { read: true })).toMatchObject({ read: true });
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    process.off('warning', onWarning);
  }
  expect(warnings).toEqual([]);
});
