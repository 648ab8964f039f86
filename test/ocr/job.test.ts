import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobControl } from '../../main/jobs/job.js';
import type { Library } from '../../main/library/library.js';
import { DetectorGate } from '../../main/ocr/gate.js';
import { ocrPending, ocrSelected, type OcrProgress } from '../../main/ocr/job.js';
import { OcrModel } from '../../main/ocr/ocr.js';
import type { OcrStore, OcrTarget } from '../../main/storage/ocr-store.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { execLibrary, loadFixtureModel, openLibrary } from '../helpers/library.js';
import { renderScenery, renderText } from './helpers.js';

let cleanup: () => Promise<void>;
let library: Library;
let ocr: OcrModel;
let gate: DetectorGate;
let photos: string;
let dataDir: string;
const target = (store: OcrStore, name: string): OcrTarget => store.targetsUnder(photos).find((t) => path.basename(t.path) === name)!;

beforeAll(async () => {
  const temp = await tempDir();
  cleanup = temp.cleanup;
  photos = path.join(temp.dir, 'photos');
  await mkdir(photos);
  await writeFile(path.join(photos, 'a-receipt.jpg'), await renderText({ lines: ['Receipt Lisboa'] }));
  await writeFile(path.join(photos, 'b-scenery.jpg'), await renderScenery());
  await writeFile(path.join(photos, 'c-sign.jpg'), await renderText({ lines: ['Rua Augusta'], size: 40, rotation: 4 }));
  await writeFile(path.join(photos, 'd-scenery.jpg'), await renderScenery(480, 640));
  dataDir = path.join(temp.dir, 'data');
  library = openLibrary(dataDir);
  await library.addFolders([photos]);
  await library.index(await loadFixtureModel(IMMICH_MODEL));
  ocr = await OcrModel.load({ provider: 'cpu' });
  gate = new DetectorGate(ocr);
});

afterAll(async () => {
  await ocr.dispose();
  await library.close();
  await cleanup();
});

/** Reads the pending photos of `store`, paused as the first is done (`paused` then settles); `seen`: every progress it reports. */
function readingPausedAfterOne(store: OcrStore) {
  const control = new JobControl();
  const seen: OcrProgress[] = [];
  let pausedAfterOne: () => void = () => {};
  const paused = new Promise<void>((resolve) => (pausedAfterOne = resolve));
  const onProgress = (progress: OcrProgress) => {
    const first = progress.done === 1 && !seen.some((earlier) => earlier.done === 1);
    seen.push(progress);
    if (!first) return;
    control.pause();
    pausedAfterOne();
  };
  return { control, seen, paused, job: ocrPending(gate, { store, ocr, control, onProgress }) };
}

describe('the OCR job', () => {
  it('reads the photos the gate passes, pausing and resuming between photos', async () => {
    const store = library.storage.ocr;
    const { control, seen, paused, job } = readingPausedAfterOne(store);
    await paused;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(seen.at(-1)?.done).toBe(1);
    control.resume();
    const summary = await job;
    expect(summary).toEqual({ read: 2, withText: 2, skipped: 2, failed: [] });
    expect(seen.map((p) => p.done)).toEqual([0, 1, 2, 3, 4]);
    expect(seen.at(-1)).toMatchObject({ total: 4, read: 2, skipped: 2, withText: 2 });
    expect(store.lines(target(store, 'a-receipt.jpg').imageId).map((line) => line.text)).toEqual(['Receipt Lisboa']);
    expect(store.searchPhrase('augusta')).toEqual([target(store, 'c-sign.jpg').imageId]);
    expect(store.state(target(store, 'b-scenery.jpg').imageId)).toMatchObject({ status: 'skipped', gate: gate.id });
    expect(await ocrPending(gate, { store, ocr })).toEqual({ read: 0, withText: 0, skipped: 0, failed: [] });
  });

  it('counts photos indexed while it reads in its total as it comes to them, never more done than the total', async () => {
    const data = path.join(path.dirname(dataDir), 'growing-data');
    const folder = path.join(path.dirname(dataDir), 'growing');
    await mkdir(folder);
    await writeFile(path.join(folder, 'a-receipt.jpg'), await renderText({ lines: ['Receipt Porto'] }));
    await writeFile(path.join(folder, 'b-scenery.jpg'), await renderScenery());
    const growing = openLibrary(data);
    try {
      await growing.addFolders([folder]);
      const model = await loadFixtureModel(IMMICH_MODEL);
      await growing.index(model);
      const { control, seen, paused, job } = readingPausedAfterOne(growing.storage.ocr);
      await paused;
      await writeFile(path.join(folder, 'c-sign.jpg'), await renderText({ lines: ['Rua Augusta'], size: 40 }));
      await writeFile(path.join(folder, 'd-scenery.jpg'), await renderScenery(480, 640));
      await growing.index(model);
      control.resume();
      const summary = await job;
      expect(summary.read + summary.skipped).toBe(4);
      expect(seen.every((progress) => progress.done <= progress.total), JSON.stringify(seen.map((p) => [p.done, p.total]))).toBe(true);
      expect(seen.at(-1)).toMatchObject({ done: 4, total: 4 });
    } finally {
      await growing.close();
    }
  });

  it('reads a photo a person picked even when the gate skipped it, when asked for all', async () => {
    const store = library.storage.ocr;
    const scenery = target(store, 'b-scenery.jpg');
    const picked = [scenery, target(store, 'a-receipt.jpg')];
    expect(await ocrSelected(picked, gate, { store, ocr })).toEqual({ read: 0, withText: 0, skipped: 0, failed: [] });
    expect(await ocrSelected(picked, null, { store, ocr })).toEqual({ read: 1, withText: 0, skipped: 0, failed: [] });
    expect(store.state(scenery.imageId)).toMatchObject({ status: 'read', gate: null });
  });

  it('rebuilds the same text after its tables are dropped, resuming after a cancel, leaving tags and embeddings alone', async () => {
    const store = library.storage.ocr;
    const tags = library.storage.tags;
    const receipt = target(store, 'a-receipt.jpg').imageId;
    tags.setVerdict(receipt, 'document', false);
    const before = [receipt, target(store, 'c-sign.jpg').imageId].map((id) => store.lines(id));
    const embeddings = library.storage.embeddings.count('tiny-clip-immich');
    await library.close();
    execLibrary(dataDir, 'DROP TABLE ocr_lines; DROP TABLE ocr_images; DROP TABLE ocr_fts;');
    library = openLibrary(dataDir);

    const fresh = library.storage.ocr;
    const control = new JobControl();
    const cancelled = ocrPending(gate, { store: fresh, ocr, control, onProgress: (p) => p.done === 2 && control.cancel() });
    await expect(cancelled).rejects.toMatchObject({ code: 'cancelled' });
    expect(fresh.counts().read + fresh.counts().skipped).toBe(2);
    const rest = await ocrPending(gate, { store: fresh, ocr });
    expect(rest.read + rest.skipped).toBe(2);
    expect([receipt, target(fresh, 'c-sign.jpg').imageId].map((id) => fresh.lines(id))).toEqual(before);
    expect(library.storage.embeddings.count('tiny-clip-immich')).toBe(embeddings);
    expect(library.storage.tags.tagRow(receipt, 'document')).toMatchObject({ source: 'person', rejected: false });
  });

  it('records a photo it cannot decode with the reason, and goes on', async () => {
    const store = library.storage.ocr;
    store.clear();
    await writeFile(path.join(photos, 'a-receipt.jpg'), 'no longer a photo');
    const summary = await ocrPending(gate, { store, ocr });
    expect(summary.failed).toEqual([{ path: path.join(photos, 'a-receipt.jpg'), message: expect.stringContaining('a-receipt.jpg'), outOfReach: false }]);
    expect(summary.read + summary.skipped).toBe(3);
    expect(store.state(target(store, 'a-receipt.jpg').imageId)).toMatchObject({ status: 'failed' });
    expect((await ocrPending(gate, { store, ocr })).failed).toEqual([]);
  });

  it('does not read a photo that left the library since the run began (its folder removed)', async () => {
    const store = library.storage.ocr;
    store.clear();
    const scenery = target(store, 'b-scenery.jpg');
    const read: string[] = [];
    const counting = { recognize: (file: string, signal?: AbortSignal) => (read.push(file), ocr.recognize(file, signal)) } as unknown as OcrModel;
    const left = { imageId: 1_000_000, path: scenery.path };
    expect(await ocrSelected([left, scenery], null, { store, ocr: counting })).toMatchObject({ read: 1, failed: [] });
    expect(read).toEqual([scenery.path]);
    expect(store.state(left.imageId)).toBeUndefined();
  });

  it('lists a photo it cannot reach (its drive not mounted) without recording it: it is read once it is back', async () => {
    const store = library.storage.ocr;
    store.clear();
    const sign = path.join(photos, 'c-sign.jpg');
    await rename(sign, `${sign}.away`);
    const summary = await ocrPending(gate, { store, ocr });
    expect(summary.failed).toContainEqual({ path: sign, message: expect.stringContaining('c-sign.jpg'), outOfReach: true });
    expect(store.state(target(store, 'c-sign.jpg').imageId)).toBeUndefined();
    await rename(`${sign}.away`, sign);
    const back = await ocrPending(gate, { store, ocr });
    expect(back.failed).toEqual([]);
    expect(back.read + back.skipped).toBe(1);
  });
});
