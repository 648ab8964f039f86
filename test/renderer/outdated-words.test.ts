/**
 * What the window says follows what the person did since, built for real and driven in Chromium
 * against a fake engine: a drop's notice goes once a later drop, paste or search outdates it
 * (Note [Notices outdated] in renderer/src/state/announcer.svelte.ts); a photo searched by that a
 * reload let go is said to be gone; a step Back or Forward between searches moves focus and says
 * the count; a heading with Show all on and a date order says what the query changes; Settings
 * without folders offers nothing to act on; the first-run steps show one model action's answer.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { CallOutcome, CallParams, SearchHitInfo } from '../../preload/contract.js';
import { FAKE_MODEL, appPages, libraryFake, paste, rendererInChromium, type FakeLumen } from './harness.js';
import { listen } from './listening.js';

const pages = appPages(rendererInChromium());
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000, interval: 25 });
const hash = (page: Page) => page.evaluate(() => decodeURIComponent(location.hash));
/** The focused element, as its tag and text. */
const focused = (page: Page) => page.evaluate(() => `${document.activeElement?.tagName} ${document.activeElement?.textContent?.replace(/\s+/g, ' ').trim() ?? ''}`);

/** libraryFake, answering a search for words with as many photos as the query has letters, counted after, and a search by a photo with one. */
function searchFake(): FakeLumen {
  const fake = libraryFake();
  const hits = (count: number): SearchHitInfo[] => Array.from({ length: count }, (_, i) => ({ id: i + 1, name: `IMG_${i + 1}.jpg`, folderId: 1, takenAt: Date.UTC(2024, 5, 2 - i), width: 400, height: 300, format: 'jpeg', version: i + 1, score: 0.31 }));
  const page = (count: number, counted: boolean) => ({ ok: true as const, value: { results: hits(count), total: count, belowCutoff: 0, offset: 0, model: FAKE_MODEL, method: 'index' as const, counted } });
  fake.overrides['search.query'] = (params: CallParams<'search.query'>) => page(params.query.trim().length, false);
  fake.overrides['search.count'] = (params: CallParams<'search.count'>) => ({ ok: true, value: { total: params.query.trim().length, belowCutoff: 0 } });
  fake.overrides['search.image'] = () => page(1, true);
  return fake;
}

/** Drops a file that is neither a photo nor a folder on the window. */
const dropText = (page: Page) =>
  page.evaluate(() => {
    const data = new DataTransfer();
    data.items.add(new File(['notes'], 'notes.txt', { type: 'text/plain' }));
    window.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  });

const UNUSABLE = 'Drop a photo to search by it, or a folder to add it.';

describe('the window’s notice about a drop or a paste (Note [Notices outdated])', () => {
  it('goes once a photo pasted since is searched by, a search is typed, or the search is cleared, and stays, unread, until then', async () => {
    const { page } = await pages.open(searchFake(), { hash: '#/library' });
    await page.getByRole('listbox', { name: 'Photos' }).getByRole('option').first().waitFor();
    const notice = page.locator('.notice-region').getByText(UNUSABLE);

    await dropText(page);
    await notice.waitFor();
    await paste(page, 'cups.jpg');
    await poll(() => page.title()).toBe('Like “cups.jpg” — Lumen');
    await notice.waitFor({ state: 'detached' });

    await dropText(page);
    await notice.waitFor();
    await page.getByRole('button', { name: 'Stop searching by cups.jpg' }).click();
    await page.getByRole('listbox', { name: 'Photos' }).waitFor();
    await notice.waitFor({ state: 'detached' });

    // An error is not timed out: it stays, on every page, until read and dismissed, or outdated.
    await paste(page, 'empty.jpg', '');
    const error = page.getByRole('alert').filter({ hasText: 'empty.jpg is empty: there is no picture in it to search by.' });
    await error.waitFor();
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await page.waitForTimeout(1500);
    expect(await error.count()).toBe(1);
    await page.keyboard.press('/');
    await page.keyboard.type('dog');
    await page.getByRole('heading', { level: 1, name: '3 photos match “dog”' }).waitFor();
    expect(await error.count()).toBe(0);
  });
});

describe('a search by a photo whose bytes the window no longer has', () => {
  it('says so once, after a reload, and the library shows without it', async () => {
    const { page } = await pages.open(searchFake(), { hash: '#/library' });
    await page.getByRole('listbox', { name: 'Photos' }).getByRole('option').first().waitFor();
    await paste(page, 'cups.jpg');
    await poll(() => page.title()).toBe('Like “cups.jpg” — Lumen');
    await page.reload();
    const said = 'The photo you searched by is not kept after a reload: drop or paste it again.';
    await page.locator('.notice-region[role="status"]').getByText(said).waitFor();
    await poll(() => hash(page)).toBe('#/library');
    await page.getByRole('listbox', { name: 'Photos' }).waitFor();
    expect(await page.getByText(said).count()).toBe(1);
  });

  it('says that only the last photos are kept when Back reaches one let go', async () => {
    const { page } = await pages.open(searchFake(), { hash: '#/library' });
    await page.getByRole('listbox', { name: 'Photos' }).getByRole('option').first().waitFor();
    for (let i = 1; i <= 9; i++) {
      await paste(page, `photo-${i}.jpg`);
      await poll(() => page.title()).toBe(`Like “photo-${i}.jpg” — Lumen`);
    }
    for (let i = 8; i >= 2; i--) {
      await page.goBack();
      await poll(() => page.title()).toBe(`Like “photo-${i}.jpg” — Lumen`);
    }
    const heard = await listen(page);
    await page.goBack();
    const said = 'The photo you searched by is no longer kept (Lumen keeps the last 8): drop or paste it again.';
    await page.locator('.notice-region[role="status"]').getByText(said).waitFor();
    await page.getByRole('listbox', { name: 'Photos' }).waitFor();
    await poll(heard).toContainEqual(expect.stringContaining(said));
  });
});

describe('a step Back or Forward between a search and the library', () => {
  it('puts focus on the title of what shows, and says the count of the search come back to', async () => {
    const { page } = await pages.open(searchFake(), { hash: '#/library' });
    await page.getByRole('listbox', { name: 'Photos' }).getByRole('option').first().waitFor();
    const box = page.getByRole('searchbox', { name: 'Search photos' });
    await box.fill('dog');
    await page.getByRole('heading', { level: 1, name: '3 photos match “dog”' }).waitFor();
    const heard = await listen(page);
    // Where a step from the browser or the mouse's back button leaves it: on no control.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

    await page.goBack();
    await page.getByRole('listbox', { name: 'Photos' }).waitFor();
    await poll(() => focused(page)).toBe('H1 Library 3 photos');
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

    await page.goForward();
    await poll(() => focused(page)).toBe('H1 3 photos match “dog”');
    await poll(heard).toEqual(['3 photos match “dog”']);

    // Focus in the search box stays there, as the words in it change.
    await box.focus();
    await page.goBack();
    await poll(() => box.inputValue()).toBe('');
    await page.getByRole('listbox', { name: 'Photos' }).waitFor();
    await page.waitForTimeout(100);
    expect(await box.evaluate((element) => element === document.activeElement)).toBe(true);
  });
});

describe('the heading of every photo shown (Show all) in date order', () => {
  it('says the query changes nothing, rather than name it as if it chose them', async () => {
    const { page } = await pages.open(searchFake(), { hash: '#/library?q=dog&all=1&sort=newest' });
    const heading = page.getByRole('heading', { level: 1 });
    await poll(() => heading.textContent()).toBe('All 3 photos, newest first: with Show all on, “dog” changes nothing');
    await page.evaluate(() => (location.hash = '#/library?q=dog&all=1&sort=oldest&located=1'));
    await poll(() => heading.textContent()).toBe('All 3 photos that pass the filters, oldest first: with Show all on, “dog” changes nothing');
    // In relevance order the query orders them.
    await page.evaluate(() => (location.hash = '#/library?q=dog&all=1'));
    await poll(() => heading.textContent()).toBe('All 3 photos, best matches for “dog” first');
  });
});

describe('Settings with no folders', () => {
  it('offers adding one, and no re-scan or failed files of folders there are not', async () => {
    const fake = libraryFake();
    fake.status.library = { ...fake.status.library!, photos: 0, images: 0, failed: 0, folders: [] };
    fake.overrides['library.failures'] = () => ({ ok: true, value: [] });
    const { page } = await pages.open(fake, { hash: '#/settings' });
    const folders = page.getByRole('region', { name: 'Photo folders' });
    await folders.getByText('No folders yet.').waitFor();
    await folders.getByRole('button', { name: 'Add a folder…' }).waitFor();
    expect(await folders.getByRole('button', { name: 'Re-scan now' }).count()).toBe(0);
    expect(await folders.getByText(/^Files that could not be indexed/).count()).toBe(0);
  });
});

describe('the first-run model step', () => {
  it('shows the answer of the last action alone: an import’s failure goes when a download starts, and the reverse', async () => {
    const fake = libraryFake();
    fake.status.model = null;
    fake.status.modelProblem = { kind: 'none-installed', message: 'No model is installed.' };
    fake.status.library = null;
    fake.listing.installed = [];
    fake.listing.catalogue = [{ id: 'clip-m1', name: 'CLIP M1', repo: 'example/clip-m1', layout: 'immich', approxBytes: 600_000_000, quality: 'Good.', languages: 'English', licence: 'MIT', dynamicBatch: false, installed: false }];
    const notModel = 'This folder is not a CLIP model: visual/model.onnx is missing.';
    fake.overrides['models.importFromDialog'] = (): CallOutcome<'models.importFromDialog'> => ({ ok: false, error: { code: 'model-invalid', message: notModel } });
    const { page } = await pages.open(fake);
    const step = page.getByRole('region', { name: 'Find your photos by describing them' });
    const importFailed = step.getByText(notModel);

    await step.getByRole('button', { name: 'Import a model folder…' }).click();
    await importFailed.waitFor();
    await step.getByRole('button', { name: 'Download CLIP M1' }).click();
    await poll(() => fake.isDownloading('clip-m1')).toBe(true);
    await importFailed.waitFor({ state: 'detached' });
    const offline = 'Could not reach huggingface.co: check the connection.';
    fake.finishDownload('clip-m1', { ok: false, error: { code: 'network', message: offline } });
    const downloadFailed = step.getByText(offline);
    await downloadFailed.waitFor();

    await step.getByRole('button', { name: 'Import a model folder…' }).click();
    await importFailed.waitFor();
    expect(await downloadFailed.count()).toBe(0);
  });
});
