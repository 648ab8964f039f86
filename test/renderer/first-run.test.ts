/**
 * The library before it shows photos, built for real and driven in Chromium against a fake
 * engine: the first-run steps when no model is ready (why, and what can be done about it), the
 * empty library once indexing found nothing, and a launch whose status fails.
 */
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { CallOutcome, CatalogueModel, LibraryTimeline, ModelProblem } from '../../preload/contract.js';
import { FAKE_MODEL_BYTES, FAKE_TIMELINE, appPages, jobEvent, libraryFake, rendererInChromium, type FakeLumen } from './harness.js';

const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000, interval: 25 });
/** An element's text with whitespace collapsed. */
const text = (locator: Locator) => async () => ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
const pages = appPages(rendererInChromium());

const RECOMMENDED: Omit<CatalogueModel, 'installed'> = {
  id: 'clip-m1',
  name: 'CLIP M1',
  repo: 'example/clip-m1',
  layout: 'immich',
  approxBytes: 600_000_000,
  quality: 'Good.',
  languages: 'English',
  licence: 'MIT',
  dynamicBatch: false,
};

const noPhotos = (): LibraryTimeline => ({ total: 0, ids: [], ratios: [], takenAt: [], names: [], folderIds: [], versions: [] });

/** A fake engine with no model ready (`problem` says why) and no library yet; `installed` are in the model store. */
function noModelFake(problem: ModelProblem, installed: string[] = []): FakeLumen {
  const fake = libraryFake();
  fake.status.model = null;
  fake.status.modelProblem = problem;
  fake.status.library = null;
  fake.listing.installed = installed.map((id) => ({ id, dir: `/home/ada/.config/Lumen/models/${id}`, bytes: FAKE_MODEL_BYTES, dim: 512, layout: 'immich' }));
  fake.listing.catalogue = [{ ...RECOMMENDED, installed: installed.includes(RECOMMENDED.id) }];
  fake.overrides['photos.timeline'] = () => ({ ok: true, value: noPhotos() });
  return fake;
}

describe('first run: the model step', () => {
  it('says why the installed model cannot be used, offers to use it again, and no download of it', async () => {
    const fake = noModelFake({ kind: 'unusable', message: 'Model clip-m1 failed to load on CUDA.' }, [RECOMMENDED.id]);
    const { page } = await pages.open(fake);
    const step = page.getByRole('region', { name: 'Find your photos by describing them' });
    await poll(text(step.getByTestId('model-problem'))).toBe('The chosen model cannot be used: Model clip-m1 failed to load on CUDA. Choose another model below.');
    await step.getByRole('button', { name: 'Import a model folder…' }).waitFor();
    expect(await step.getByRole('button', { name: /^Download/ }).count()).toBe(0);

    await step.getByRole('button', { name: 'Use clip-m1' }).click();
    await poll(() => fake.callsOf('settings.update')).toEqual([{ model: 'clip-m1' }]);
    await step.getByRole('heading', { name: '1. Model ready: clip-m1' }).waitFor();
  });

  it('says a chosen model is loading, and why it could not be chosen', async () => {
    const fake = noModelFake({ kind: 'unusable', message: 'Model clip-m1 failed to load on CUDA.' }, [RECOMMENDED.id]);
    const refusal = 'The settings could not be saved: the disk holding Lumen’s data is full.';
    let answer = (_: unknown) => {};
    fake.overrides['settings.update'] = (() => new Promise((resolve) => (answer = resolve))) as never;
    const { page } = await pages.open(fake);
    const step = page.getByRole('region', { name: 'Find your photos by describing them' });
    await step.getByRole('button', { name: 'Use clip-m1' }).click();
    const loading = step.getByRole('button', { name: 'Loading clip-m1…' });
    await loading.waitFor();
    // Pressed again meanwhile, it asks nothing more.
    await loading.click({ force: true });
    await page.waitForTimeout(300);
    expect(fake.callsOf('settings.update')).toHaveLength(1);
    answer({ ok: false, error: { code: 'disk-full', message: refusal } });
    await step.getByRole('alert').filter({ hasText: refusal }).waitFor();
    await step.getByRole('button', { name: 'Use clip-m1' }).waitFor();
  });

  it('names a chosen model that is gone, and offers the one installed', async () => {
    const fake = noModelFake({ kind: 'missing', model: 'clip-gone', downloadable: false, message: 'No model folder or catalogue model named "clip-gone". See `models list`.' }, ['clip-other']);
    const { page } = await pages.open(fake);
    const step = page.getByRole('region', { name: 'Find your photos by describing them' });
    // Imported, it is in no catalogue: its folder brings it back.
    await poll(text(step.getByTestId('model-problem'))).toBe('The chosen model, clip-gone, is no longer installed. Import its folder again or choose another model below.');
    await step.getByRole('button', { name: 'Use clip-other' }).waitFor();
    await step.getByRole('button', { name: 'Download CLIP M1' }).waitFor();
  });

  it('says why a half-copied model cannot be used, and offers no download the model store would refuse', async () => {
    const fake = noModelFake({ kind: 'none-installed', message: 'No model is installed.' });
    fake.listing.broken = [{ id: RECOMMENDED.id, dir: `/home/ada/.config/Lumen/models/${RECOMMENDED.id}`, bytes: 0, reason: 'visual/model.onnx is missing.' }];
    const { page } = await pages.open(fake);
    const step = page.getByRole('region', { name: 'Find your photos by describing them' });
    await poll(text(step.getByRole('list', { name: 'Models that cannot be used' }))).toBe('clip-m1 cannot be used: visual/model.onnx is missing.');
    await step.getByRole('button', { name: 'Import a model folder…' }).waitFor();
    expect(await step.getByRole('button', { name: /^Download/ }).count()).toBe(0);
  });

  it('says why “Add a folder…” waits for a model, and adds none before one is ready', async () => {
    const fake = noModelFake({ kind: 'none-installed', message: 'No model is installed.' });
    const { page } = await pages.open(fake);
    const add = page.getByRole('button', { name: 'Add a folder…' });
    await add.waitFor();
    expect(await add.getAttribute('aria-disabled')).toBe('true');
    await poll(async () => page.evaluate(() => document.querySelector('[aria-describedby="add-needs-model"]')?.textContent ?? null)).toBe('Add a folder…');
    await poll(text(page.locator('#add-needs-model'))).toBe('Get a model first (step 1): Lumen needs one to index your photos.');
    await add.focus();
    await page.keyboard.press('Enter');
    // Playwright's click waits for an enabled button: a person's click is sent as it is.
    await add.dispatchEvent('click');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(fake.callsOf('library.addFromDialog')).toEqual([]);
  });

  it('says over the window the folders “Add a folder…” did not add, and why, as the library shows the ones it did (Note [Some folders refused] in main/library/library.ts)', async () => {
    const fake = libraryFake();
    const added = { id: 2, path: '/media/card/DCIM', excludes: [] };
    fake.status.library = { ...fake.status.library!, folders: [] };
    fake.overrides['library.addFromDialog'] = () => {
      fake.status.library = { ...fake.status.library!, folders: [added] };
      return { ok: true, value: { folders: [added], refused: [{ path: '/media/card/Gone', reason: 'The folder /media/card/Gone does not exist.' }] } };
    };
    const { page } = await pages.open(fake);
    await page.getByRole('button', { name: 'Add a folder…' }).click();
    await page.getByRole('alert').filter({ hasText: 'Added the folder; indexing started. Not added: The folder /media/card/Gone does not exist.' }).waitFor();
    await page.getByRole('listbox', { name: 'Photos' }).waitFor();
  });

  it('shows an import under way, then why it failed', async () => {
    const fake = noModelFake({ kind: 'none-installed', message: 'No model is installed.' });
    let answer: (outcome: CallOutcome<'models.importFromDialog'>) => void = () => {};
    fake.overrides['models.importFromDialog'] = () => new Promise((resolve) => (answer = resolve));
    const { page } = await pages.open(fake);
    const step = page.getByRole('region', { name: 'Find your photos by describing them' });
    await step.getByRole('button', { name: 'Import a model folder…' }).click();
    await step.getByRole('button', { name: 'Importing…' }).waitFor();
    await step.getByRole('status').filter({ hasText: 'Checking the model folder' }).waitFor();

    answer({ ok: false, error: { code: 'model-invalid', message: 'This folder is not a CLIP model: visual/model.onnx is missing.' } });
    await poll(text(step.getByRole('alert'))).toBe('This folder is not a CLIP model: visual/model.onnx is missing.');
    await step.getByRole('button', { name: 'Import a model folder…' }).waitFor();
  });
});

describe('an empty library', () => {
  it('says Lumen is looking only while an index run is under way, then that it found no photos and which files it indexes', async () => {
    const fake = libraryFake();
    fake.status.library = { ...fake.status.library!, photos: 0, images: 0 };
    fake.overrides['photos.timeline'] = () => ({ ok: true, value: noPhotos() });
    const { page, emit } = await pages.open(fake);
    const looking = page.getByText('Lumen is looking at your folders; photos show up as soon as they are indexed.');
    const progress = { phase: 'scanning' as const, found: 3, processed: 0, toProcess: 0, embedded: 0, failed: 0, indexed: 0, removed: 0, imagesPerSecond: 0, etaSeconds: null };
    await emit(jobEvent({ id: 'index-1', kind: 'index', state: 'running', progress }));
    await page.getByRole('heading', { level: 2, name: 'Your photos will appear here' }).waitFor();
    await looking.waitFor();

    // Three camera RAW files and a video: nothing to index, nothing failed.
    await emit(jobEvent({ id: 'index-1', kind: 'index', state: 'done', progress: { ...progress, phase: 'finishing' } }));
    await page.getByRole('heading', { level: 2, name: 'No photos found' }).waitFor();
    // The folder is named: one picked by mistake is seen at once.
    await page.getByText('No photos were found in /home/ada/Pictures. Lumen indexes photos in JPEG, PNG, GIF, WebP, AVIF, HEIC and TIFF; it leaves out videos, and camera RAW files for now.').waitFor();
    expect(await looking.count()).toBe(0);

    await emit(jobEvent({ id: 'index-2', kind: 'index', state: 'running', progress }));
    await looking.waitFor();
    await emit(jobEvent({ id: 'index-2', kind: 'index', state: 'cancelled', progress }));
    await page.getByRole('heading', { level: 2, name: 'No photos indexed yet' }).waitFor();
    expect(await looking.count()).toBe(0);
  });

  it('offers what to do next: another folder when none had photos, indexing again when it stopped', async () => {
    const fake = libraryFake();
    fake.status.library = { ...fake.status.library!, photos: 0, images: 0 };
    fake.overrides['photos.timeline'] = () => ({ ok: true, value: noPhotos() });
    fake.overrides['library.addFromDialog'] = () => ({ ok: false, error: { code: 'not-found', message: 'The folder /media/card does not exist.' } });
    const { page, emit } = await pages.open(fake);
    await page.getByRole('heading', { level: 2, name: 'No photos found' }).waitFor();
    await page.getByRole('button', { name: 'Add a folder…' }).click();
    await page.getByRole('alert').filter({ hasText: 'The folder /media/card does not exist.' }).waitFor();
    expect(fake.callsOf('library.addFromDialog')).toHaveLength(1);
    expect(await page.getByRole('link', { name: 'Open Settings' }).getAttribute('href')).toBe('#/settings');

    // A run that failed: the header's row says why and offers only Dismiss, the Library to index again.
    fake.overrides['library.index'] = () => ({ ok: true, value: { jobId: 'index-2' } });
    const progress = { phase: 'scanning' as const, found: 3, processed: 0, toProcess: 0, embedded: 0, failed: 0, indexed: 0, removed: 0, imagesPerSecond: 0, etaSeconds: null };
    await emit(jobEvent({ id: 'index-1', kind: 'index', state: 'failed', error: 'The library database could not be read: disk I/O error.', progress }));
    await page.getByRole('heading', { level: 2, name: 'No photos indexed yet' }).waitFor();
    expect(await page.getByRole('button', { name: 'Add a folder…' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Index your folders' }).click();
    await expect.poll(() => fake.callsOf('library.index')).toEqual([{ retryFailed: false }]);
    // The failure is not dismissed, which would forget it in the engine too: it goes as the new run starts.
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 100)));
    expect(fake.callsOf('jobs.dismiss')).toEqual([]);
    await page.getByRole('status', { name: 'Indexing' }).getByText('Indexing stopped:').waitFor();
  });

  it('leaves starting a cancelled run again to its row in the header, which offers it already', async () => {
    const fake = libraryFake();
    fake.status.library = { ...fake.status.library!, photos: 0, images: 0 };
    fake.overrides['photos.timeline'] = () => ({ ok: true, value: noPhotos() });
    const { page, emit } = await pages.open(fake);
    await page.getByRole('heading', { level: 2, name: 'No photos found' }).waitFor();
    const progress = { phase: 'scanning' as const, found: 3, processed: 0, toProcess: 0, embedded: 0, failed: 0, indexed: 0, removed: 0, imagesPerSecond: 0, etaSeconds: null };
    await emit(jobEvent({ id: 'index-1', kind: 'index', state: 'cancelled', progress }));
    await page.getByRole('heading', { level: 2, name: 'No photos indexed yet' }).waitFor();
    await page.getByRole('status', { name: 'Indexing' }).getByRole('button', { name: 'Start indexing' }).waitFor();
    expect(await page.getByRole('button', { name: 'Index your folders' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Open Settings' }).waitFor();
  });

  it('says what “Add a folder…” did, a folder already in the library too', async () => {
    const fake = libraryFake();
    fake.status.library = { ...fake.status.library!, photos: 0, images: 0 };
    fake.overrides['photos.timeline'] = () => ({ ok: true, value: noPhotos() });
    fake.overrides['library.addFromDialog'] = () => ({ ok: true, value: { folders: [{ id: 1, path: '/home/ada/Pictures', excludes: [] }], refused: [] } });
    const { page } = await pages.open(fake);
    await page.getByRole('heading', { level: 2, name: 'No photos found' }).waitFor();
    await page.getByRole('button', { name: 'Add a folder…' }).click();
    await page.getByRole('status').getByText('That folder is in the library already.').waitFor();
  });
});

describe('a first index run that ends', () => {
  it('never says no photos were found while the grid has yet to read the photos it indexed, and reads them at once', async () => {
    const fake = libraryFake();
    fake.status.library = { ...fake.status.library!, photos: 0, images: 0 };
    let stored = false;
    // The grid reads the photos only once they are there; the engine says so at the run's end.
    fake.overrides['photos.timeline'] = () => ({ ok: true, value: stored ? structuredClone(FAKE_TIMELINE) : noPhotos() });
    const { page, emit } = await pages.open(fake);
    const progress = { phase: 'indexing' as const, found: 3, processed: 1, toProcess: 3, embedded: 1, failed: 0, indexed: 1, removed: 0, imagesPerSecond: 1, etaSeconds: 2 };
    await emit(jobEvent({ id: 'index-1', kind: 'index', state: 'running', progress }));
    await page.getByText('Lumen is looking at your folders; photos show up as soon as they are indexed.').waitFor();
    const reads = fake.callsOf('photos.timeline').length;

    // The status the run's end brings has the photos; the grid has not read them yet.
    fake.status.library = { ...fake.status.library!, photos: 3, images: 3 };
    let answer = (): void => {};
    fake.overrides['photos.timeline'] = () => new Promise((resolve) => (answer = () => resolve({ ok: true, value: structuredClone(FAKE_TIMELINE) })));
    stored = true;
    await emit(jobEvent({ id: 'index-1', kind: 'index', state: 'done', progress: { ...progress, processed: 3, embedded: 3, indexed: 3 } }));
    await page.getByText('Loading the photos Lumen indexed…').waitFor();
    expect(await page.getByRole('heading', { name: 'No photos found' }).count()).toBe(0);
    // Read at once, not at the pace the grid catches up with while indexing runs (1.5 s and more).
    await expect.poll(() => fake.callsOf('photos.timeline').length, { timeout: 1000 }).toBeGreaterThan(reads);
    answer();
    await page.getByRole('option', { name: /^c\.jpg/ }).waitFor();
  });
});

describe('a launch whose status fails', () => {
  it('says why, and tries again', async () => {
    const fake = libraryFake();
    const stopped = { ok: false as const, error: { code: 'engine-crashed', message: 'The photo engine stopped unexpectedly.' } };
    fake.overrides['app.status'] = () => stopped;
    fake.overrides['photos.timeline'] = () => stopped;
    const { page } = await pages.open(fake);
    const notice = page.getByRole('alert').filter({ hasText: 'Lumen could not open your library' });
    await poll(text(notice)).toBe('Lumen could not open your library The photo engine stopped unexpectedly. Try again');
    expect(await page.getByText('Opening your library…').count()).toBe(0);

    // The engine is back, indexing: the photos show, and the run the status lists.
    delete fake.overrides['app.status'];
    fake.overrides['photos.timeline'] = () => ({ ok: true, value: structuredClone(FAKE_TIMELINE) });
    fake.status.jobs = [{ id: 'index-1', kind: 'index', subject: null, state: 'running', error: null, background: true, progress: null }];
    await notice.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('heading', { level: 1, name: 'Library 3 photos' }).waitFor();
    await page.getByRole('status', { name: 'Indexing' }).getByRole('button', { name: 'Pause' }).waitFor();
  });
});
