import { lstat, mkdir, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CATALOGUE, DEFAULT_MODEL_ID, findCatalogueEntry, isModelFile } from '../../main/models/catalogue.js';
import { ModelStore } from '../../main/models/store.js';
import { ClipModel } from '../../main/models/clip.js';
import { FakeHub } from '../helpers/fake-hub.js';
import { HF_MODEL, IMMICH_MODEL, copyModel, tempDir } from '../helpers/fixtures.js';

async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await filesUnder(path.join(dir, entry.name), relative)));
    else out.push(relative);
  }
  return out;
}

describe('the catalogue', () => {
  it('writes percentages as English does, in the window and the CLI (the window\'s own follow the locale: formatPercent)', () => {
    for (const entry of CATALOGUE) expect(entry.quality).not.toMatch(/\d %/);
  });

  it('says "batched" once: the window shows a batched model\'s badge beside its name, and the CLI its quality line', () => {
    for (const entry of CATALOGUE) expect(entry.name).not.toMatch(/batch/i);
    expect(CATALOGUE.filter((entry) => entry.dynamicBatch).every((entry) => /batch/.test(entry.quality))).toBe(true);
  });
});

describe('model store', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let store: ModelStore;
  beforeEach(async () => {
    scratch = await tempDir();
    store = new ModelStore(scratch.dir);
  });
  afterEach(() => scratch.cleanup());

  it('imports a working folder, lists it and resolves it by id', async () => {
    const dir = await store.import(HF_MODEL, 'my-model');
    expect(dir).toBe(path.join(scratch.dir, 'models', 'my-model'));
    const listing = await store.list();
    expect(listing.installed).toEqual([expect.objectContaining({ id: 'my-model', layout: 'hf' })]);
    expect(await store.resolve('my-model')).toBe(dir);
    // The only installed model is the default.
    expect(await store.resolve()).toBe(dir);
    await expect(store.import(HF_MODEL, 'my-model')).rejects.toMatchObject({ code: 'bad-input' });
  });

  it('imports copies of what links lead to (a Hugging Face cache links each file to its blob), from a folder that is itself a link', async () => {
    // A snapshot folder whose files are links into a folder of blobs, reached through a link.
    const blobs = await copyModel(HF_MODEL, scratch.dir, 'blobs');
    const snapshot = path.join(scratch.dir, 'snapshot');
    for (const file of await filesUnder(blobs)) {
      await mkdir(path.dirname(path.join(snapshot, file)), { recursive: true });
      await symlink(path.relative(path.dirname(path.join(snapshot, file)), path.join(blobs, file)), path.join(snapshot, file));
    }
    const linked = path.join(scratch.dir, 'linked-model');
    await symlink(snapshot, linked);
    const dir = await store.import(linked);
    expect(path.basename(dir)).toBe('linked-model');
    await rm(blobs, { recursive: true });
    for (const file of await filesUnder(dir)) expect((await lstat(path.join(dir, file))).isFile(), file).toBe(true);
    const model = await ClipModel.load(dir, { provider: 'cpu' });
    await model.dispose();
  });

  it('lists a folder that is no model as broken, and a file left beside the models as nothing', async () => {
    await mkdir(path.join(store.root, 'junk-folder'), { recursive: true });
    await writeFile(path.join(store.root, 'stray.txt'), 'notes');
    const listing = await store.list();
    expect(listing.broken.map((model) => model.id)).toEqual(['junk-folder']);
    expect(listing.installed).toEqual([]);
  });

  it('refuses a name that is not one plain folder name, before loading anything, and installs nothing', async () => {
    for (const name of ['bad/name', '..', '.hidden', '', 'a\\b', 'x'.repeat(101), ' padded', 'tab\there']) {
      await expect(store.import(HF_MODEL, name)).rejects.toMatchObject({ code: 'bad-input', message: expect.stringMatching(/cannot name a model: a name is one folder name/) });
    }
    expect(await readdir(store.root).catch(() => [])).toEqual([]);
    expect(await store.import(HF_MODEL, 'ViT-B-32 (mine) 2')).toBe(path.join(store.root, 'ViT-B-32 (mine) 2'));
  });

  it('refuses to import a broken folder and leaves nothing behind', async () => {
    const broken = await copyModel(IMMICH_MODEL, scratch.dir, 'broken');
    await rm(path.join(broken, 'visual', 'model.onnx'));
    await expect(store.import(broken)).rejects.toMatchObject({ code: 'model-invalid' });
    expect(await readdir(store.root).catch(() => [])).toEqual([]);
  });

  it('explains what to do when no model, or an uninstalled one, is asked for', async () => {
    await expect(store.resolve()).rejects.toMatchObject({ code: 'model-missing', message: expect.stringContaining(`models download ${DEFAULT_MODEL_ID}`) });
    await expect(store.resolve(DEFAULT_MODEL_ID)).rejects.toMatchObject({ code: 'model-missing', message: expect.stringContaining('not installed') });
    await expect(store.resolve('no-such-thing')).rejects.toMatchObject({ code: 'model-missing' });
  });

  it('downloads a catalogue model from the Hub (played locally), verified, and it loads', async () => {
    const entry = findCatalogueEntry(DEFAULT_MODEL_ID)!;
    const hub = new FakeHub(entry.repo);
    for (const file of await filesUnder(IMMICH_MODEL)) {
      hub.files.push({ path: file, content: await readFile(path.join(IMMICH_MODEL, file)), lfs: file.endsWith('.onnx') });
    }
    hub.files.push({ path: 'README.md', content: Buffer.from('# model card') }, { path: 'rknpu/visual/model.rknn', content: Buffer.from('other runtimes') });
    await hub.start();
    try {
      const progress: number[] = [];
      const dir = await store.download(DEFAULT_MODEL_ID, { endpoint: hub.hubUrl, onProgress: (p) => progress.push(p.bytesDone / p.bytesTotal) });
      expect(progress.at(-1)).toBe(1);
      expect((await filesUnder(dir)).sort()).toEqual((await filesUnder(IMMICH_MODEL)).filter((f) => isModelFile('immich', f)).sort());
      const model = await ClipModel.load(await store.resolve(DEFAULT_MODEL_ID), { provider: 'cpu' });
      expect((await model.embedText('a photo of a circle.')).length).toBe(model.dim);
      await model.dispose();
      await expect(stat(path.join(store.root, '.partial'))).rejects.toThrow();
    } finally {
      await hub.stop();
    }
  });
});
