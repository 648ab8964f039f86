/**
 * The Engine on its own: the one object the CLI and the app's engine process both build. Its
 * model choice, lazy library, jobs and events, and the calls the app makes of it.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Engine } from '../../main/engine/engine.js';
import type { AppEvent, JobInfo } from '../../preload/contract.js';
import { copyModel, HF_MODEL, IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

describe('the engine', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let dataDir: string;
  let folder: string;
  let events: AppEvent[];
  const engines: Engine[] = [];

  function engine(options: { model?: string; app?: boolean } = {}): Engine {
    const made = new Engine({ dataDir, ...options, onEvent: (event) => events.push(event) });
    engines.push(made);
    return made;
  }

  /** A copy of the fixture model whose config names one dimension more than its graphs give: it fails on the first photos. */
  async function wrongDimensionModel(): Promise<string> {
    const broken = await copyModel(IMMICH_MODEL, scratch.dir, 'wrong-dim');
    const config = path.join(broken, 'config.json');
    const parsed = JSON.parse(await readFile(config, 'utf8')) as { embed_dim: number };
    await writeFile(config, JSON.stringify({ ...parsed, embed_dim: parsed.embed_dim + 1 }));
    return broken;
  }

  const jobEvents = (kind: string): JobInfo[] => events.flatMap((event) => (event.type === 'job' && event.job.kind === kind ? [event.job] : []));

  beforeEach(async () => {
    scratch = await tempDir();
    dataDir = path.join(scratch.dir, 'data');
    folder = path.join(scratch.dir, 'Photos');
    events = [];
    await copyPhotos((await fixturePhotos()).slice(0, 12), folder);
  });
  afterEach(async () => {
    for (const made of engines.splice(0)) await made.dispose();
    await scratch.cleanup();
  });

  it('opens nothing until asked, and says how to start on a new data folder', async () => {
    const fresh = engine();
    const status = await fresh.status();
    expect(status).toMatchObject({ library: null, model: null, jobs: [], modelProblem: { kind: 'none-installed', message: expect.stringMatching(/No model is installed/) } });
    expect(fresh.hasLibrary()).toBe(false);
    expect(() => fresh.library()).toThrow(/There is no library in .* yet\. Add a folder of photos first/);
    await expect(fresh.search('a star')).rejects.toMatchObject({ code: 'not-found' });
  });

  it('offers a choice of several installed models, but says a chosen model that is no model folder any more cannot be used', async () => {
    const setup = engine();
    await setup.importModel(IMMICH_MODEL);
    await setup.importModel(HF_MODEL);
    expect((await setup.status()).modelProblem).toMatchObject({ kind: 'choose-one', message: expect.stringMatching(/^Several models are installed/) });
    await setup.updateSettings({ model: 'tiny-clip-hf' });
    await rm(path.join(dataDir, 'models', 'tiny-clip-hf', 'onnx'), { recursive: true });
    const later = engine();
    expect((await later.status()).modelProblem).toMatchObject({ kind: 'unusable', message: expect.stringMatching(/is not a CLIP model folder/) });
    // Its folder gone altogether, it is named, for the app to say so in its own words.
    await rm(path.join(dataDir, 'models', 'tiny-clip-hf'), { recursive: true });
    expect((await engine().status()).modelProblem).toMatchObject({ kind: 'missing', model: 'tiny-clip-hf', message: expect.stringMatching(/tiny-clip-hf/) });
  });

  it('names the library’s model whose own folder is gone, where no model is installed, rather than asking for a first one', async () => {
    const own = await copyModel(IMMICH_MODEL, scratch.dir, 'my-model');
    const first = engine({ model: own });
    await (await first.addFolders([folder])).indexing.done;
    await first.dispose();
    await rm(own, { recursive: true });
    expect((await engine().status()).modelProblem).toMatchObject({ kind: 'missing', model: 'my-model', message: expect.stringContaining(own) });
  });

  it('uses the settings’ model, refuses anything but an installed model id, and the library’s model once it has one', async () => {
    const setup = engine();
    await setup.importModel(IMMICH_MODEL);
    await setup.importModel(HF_MODEL);
    await expect(setup.updateSettings({ model: '/etc' })).rejects.toMatchObject({ code: 'not-found' });
    await expect(setup.updateSettings({ model: IMMICH_MODEL })).rejects.toMatchObject({ code: 'not-found' });
    await expect(setup.updateSettings({ provider: 'quantum' })).rejects.toMatchObject({ code: 'bad-input' });
    expect(existsSync(path.join(dataDir, 'settings.json'))).toBe(false);

    await setup.updateSettings({ model: 'tiny-clip-hf', provider: 'cpu' });
    expect((await setup.indexingModel()).id).toBe('tiny-clip-hf');
    await (await setup.addFolders([folder])).indexing.done;
    expect(setup.library().servingModel()).toBe('tiny-clip-hf');

    // A new engine on the same folder (a CLI run) follows the same settings and the library.
    const again = engine();
    expect((await again.indexingModel()).id).toBe('tiny-clip-hf');
    expect((await again.searchModel()).id).toBe('tiny-clip-hf');
    const page = await again.search('a photo of a star.', { limit: 3, showAll: true });
    expect(page).toMatchObject({ model: 'tiny-clip-hf', total: 12 });
  });

  it('indexes a library as a job with throttled progress events, then searches it', async () => {
    const main = engine({ model: IMMICH_MODEL });
    const { folders, indexing } = await main.addFolders([folder]);
    expect(folders.map((f) => f.path)).toEqual([folder]);
    const summary = await indexing.done;
    expect(summary).toMatchObject({ embedded: 12, failed: [] });
    const states = jobEvents('index').map((job) => job.state);
    expect(states[0]).toBe('running');
    expect(states.at(-1)).toBe('done');
    expect(jobEvents('index').some((job) => job.kind === 'index' && job.progress?.phase === 'indexing')).toBe(true);
    expect(events).toContainEqual({ type: 'library-changed' });

    // A library indexed earlier, no model installed and no --model: its own model is found.
    await main.dispose();
    const later = engine();
    expect((await later.indexingModel()).id).toBe('tiny-clip-immich');
    expect((await later.index().done).unchanged).toBe(12);
    const status = await later.status();
    expect(status.library).toMatchObject({ photos: 12, servingModel: 'tiny-clip-immich', index: { health: 'ready', vectors: 12 } });
    expect(status.model).toMatchObject({ id: 'tiny-clip-immich', providers: { image: 'cpu', text: 'cpu' } });

    const similar = await later.similar(1, { limit: 3, showAll: true });
    expect(similar.results.map((hit) => hit.photoId)).not.toContain(1);
  });

  it('names in the app’s status only the towers running, starting none (Note [Status starts no tower])', async () => {
    const app = engine({ model: IMMICH_MODEL, app: true });
    expect((await app.status()).model).toMatchObject({ id: 'tiny-clip-immich', providers: { image: null, text: null } });
    await app.embedTexts(['a red circle']);
    expect((await app.status()).model?.providers).toEqual({ image: null, text: 'cpu' });
    expect((await engine({ model: IMMICH_MODEL }).status()).model?.providers).toEqual({ image: 'cpu', text: 'cpu' });
  });

  it('says photos were stored as a run stores them, not only when it ends (Note [Photos as they index])', async () => {
    const everything = path.join(scratch.dir, 'Everything');
    const photos = await copyPhotos(await fixturePhotos(), everything);
    const main = engine({ model: IMMICH_MODEL });
    const { indexing } = await main.addFolders([everything]);
    const changes = () => events.filter((event) => event.type === 'photos-stored').length;
    const processed = () => (jobEvents('index').at(-1)?.progress as { processed?: number } | null)?.processed ?? 0;
    await vi.waitFor(() => expect(processed()).toBeGreaterThan(0), { timeout: 30_000, interval: 5 });
    indexing.job.pause();
    const before = changes();
    // Paused, the run stores what it has done: the app hears of it while the pause lasts.
    await vi.waitFor(() => expect(changes()).toBeGreaterThan(before), { timeout: 10_000, interval: 20 });
    expect(main.library().status().photos).toBeGreaterThan(0);
    expect(jobEvents('index').at(-1)?.state).toBe('paused');
    indexing.job.resume();
    expect((await indexing.done).embedded).toBe(photos.length);
  });

  it('joins a second index request to the running job and goes over the library again', async () => {
    const main = engine({ model: IMMICH_MODEL });
    const first = await main.addFolders([folder]);
    const other = path.join(scratch.dir, 'More');
    await copyPhotos((await fixturePhotos()).slice(40, 44), other);
    const second = await main.addFolders([other]);
    expect(second.indexing.job.id).toBe(first.indexing.job.id);
    await first.indexing.done;
    expect(main.library().status().photos).toBe(16);
  });

  it('changes where models run while indexing: the run stops, the models go, and it starts again with the new ones (Note [Models changed under work])', async () => {
    await copyPhotos((await fixturePhotos()).slice(12, 80), path.join(folder, 'more'));
    const main = engine({ model: IMMICH_MODEL });
    const { indexing } = await main.addFolders([folder], [], { batchSize: 1 });
    // Paused once its first photos are stored, it is under way when the setting changes, and goes on once resumed.
    await vi.waitFor(() => expect(main.library().status().photos).toBeGreaterThan(0), { timeout: 30_000, interval: 2 });
    indexing.job.pause();
    await main.updateSettings({ provider: 'cpu' });
    // A model let go under the run never answered it: the run hung, and indexing with it.
    const ended = await Promise.race([indexing.done.then(() => 'done', (error: { code?: string }) => error.code), new Promise((resolve) => setTimeout(() => resolve('hung'), 20_000))]);
    expect(ended).toBe('cancelled');
    const again = main.jobs.running('index');
    expect(again).not.toBeNull();
    // It starts again as the person left it, paused (Note [Started paused]), and runs once they resume it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(jobEvents('index').filter((job) => job.id === again!.id)).toEqual([expect.objectContaining({ state: 'paused', background: false })]);
    again!.resume();
    await vi.waitFor(() => expect(main.jobs.running('index')).toBeNull(), { timeout: 30_000 });
    expect(jobEvents('index').at(-1)).toMatchObject({ id: again!.id, state: 'done' });
    expect(main.library().status().photos).toBe(80);
  });

  it('cancels a job at its next checkpoint, keeping what is done', async () => {
    const main = engine({ model: IMMICH_MODEL });
    const { indexing: running } = await main.addFolders([folder], [], { batchSize: 1 });
    running.job.pause();
    await main.jobs.cancelAll();
    await expect(running.done).rejects.toMatchObject({ code: 'cancelled' });
    expect(jobEvents('index').at(-1)?.state).toBe('cancelled');
    expect(main.jobs.list()).toEqual([]);
    expect((await main.index().done).embedded + main.library().status().models[0]!.embedded).toBeGreaterThanOrEqual(12);
  });

  it('leaves a new folder out when the model fails on its first photos', async () => {
    const broken = await wrongDimensionModel();
    const main = engine({ model: broken });
    const attempt = main.addFolders([folder]).then((added) => added.indexing.done);
    await expect(attempt).rejects.toMatchObject({ code: 'model-invalid' });
    expect(main.library().folders()).toEqual([]);
  });

  it('keeps a folder that took library folders in, with their photos, when the model then fails on its new photos', async () => {
    const inner = path.join(folder, (await readdir(folder)).sort()[0]!);
    const good = engine({ model: IMMICH_MODEL });
    await (await good.addFolders([inner])).indexing.done;
    const before = good.library().status().photos;
    expect(before).toBeGreaterThan(0);
    await good.dispose();
    const broken = await wrongDimensionModel();
    const main = engine({ model: broken });
    await expect(main.addFolders([folder]).then((added) => added.indexing.done)).rejects.toMatchObject({ code: 'model-invalid' });
    expect(main.library().folders().map((row) => row.path)).toEqual([folder]);
    expect(main.library().status().photos).toBe(before);
  });
});
