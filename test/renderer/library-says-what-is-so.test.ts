/**
 * What the library screen says, built for real and driven in Chromium against a fake engine: a
 * search by a photo worded as Find similar's, a refused query typed over the library that leaves
 * its photos, and the empty library's status region, which says nothing false while the status
 * or the timeline catches up (Note [Empty library said once] in LibraryView.svelte).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { LibraryTimeline } from '../../preload/contract.js';
import { FAKE_TIMELINE, appPages, jobEvent, libraryFake, paste, rendererInChromium, type FakeLumen } from './harness.js';
import { listen } from './listening.js';

const pages = appPages(rendererInChromium());
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000, interval: 25 });
const noPhotos = (): LibraryTimeline => ({ total: 0, ids: [], ratios: [], takenAt: [], names: [], folderIds: [], versions: [] });
const later = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));
const heading = (page: Page) => page.getByRole('heading', { level: 1 }).innerText();

/** libraryFake, answering a search by a photo with b.jpg, of `total` photos found. */
function imageFake(total: number): FakeLumen {
  const fake = libraryFake();
  const hit = { id: 2, name: 'b.jpg', folderId: 1, takenAt: Date.UTC(2024, 5, 2), width: 400, height: 300, format: 'jpeg', version: 2, score: 0.9 };
  fake.overrides['search.image'] = () => ({ ok: true, value: { results: total > 0 ? [hit] : [], total, belowCutoff: 0, offset: 0, model: 'm', method: 'index', counted: true } });
  return fake;
}

describe('a search by a photo dropped or pasted', () => {
  it('is worded as Find similar’s: photos like the photo, not photos that match its name', async () => {
    const { page } = await pages.open(imageFake(8), { hash: '#/library' });
    await page.getByRole('listbox', { name: 'Photos' }).getByRole('option').first().waitFor();
    const heard = await listen(page);
    await paste(page, 'beach.jpg');
    await poll(() => heading(page)).toBe('8 photos like “beach.jpg”');
    await poll(() => page.title()).toBe('Like “beach.jpg” — Lumen');
    await poll(heard).toContainEqual('8 photos like “beach.jpg”');

    await page.getByRole('checkbox', { name: 'Show all' }).check();
    await poll(() => heading(page)).toBe('All 8 photos, most like “beach.jpg” first');
    expect((await heard()).join(' ')).not.toContain('match');
  });

  it('finding none through the filters, says so without asking for other words', async () => {
    const { page } = await pages.open(imageFake(0), { hash: '#/library?located=1' });
    await page.getByRole('listbox', { name: 'Photos' }).getByRole('option').first().waitFor();
    await paste(page, 'beach.jpg');
    await poll(() => heading(page)).toBe('No photos like “beach.jpg”');
    await page.getByText('The filters may leave the photos you mean out: loosen or clear them.', { exact: true }).waitFor();
  });
});

describe('a description longer than the model reads (Note [Long descriptions said])', () => {
  it('says under the heading, and with the count, where the model stopped reading it', async () => {
    const fake = libraryFake();
    const hit = { id: 2, name: 'b.jpg', folderId: 1, takenAt: Date.UTC(2024, 5, 2), width: 400, height: 300, format: 'jpeg', version: 2, score: 0.9 };
    const read = 'a red boat on a calm lake at dawn with mountains behind it and';
    fake.overrides['search.query'] = ({ query }: { query: string }) => ({ ok: true, value: { results: [hit], total: 1, belowCutoff: 0, offset: 0, model: 'm', method: 'index', counted: true, ...(query.length > 20 ? { cutShort: [read] } : {}) } });
    const { page } = await pages.open(fake, { hash: '#/library' });
    await page.getByRole('listbox', { name: 'Photos' }).getByRole('option').first().waitFor();
    const heard = await listen(page);
    await page.getByRole('searchbox', { name: 'Search photos' }).fill(`${read} a few birds in the sky`);
    await page.getByRole('main').getByText('Only the start of a long description counts: the model read it up to “…dawn with mountains behind it and”.', { exact: true }).waitFor();
    await poll(heard).toContainEqual(expect.stringMatching(/^1 photo matches .* Only the start of a long description counts/));
    await page.getByRole('searchbox', { name: 'Search photos' }).fill('a red boat');
    await poll(() => heading(page)).toBe('1 photo matches “a red boat”');
    expect(await page.getByRole('main').getByText(/Only the start of a long description/).count()).toBe(0);
  });
});

describe('a refused query typed over the library (Note [Queries being typed])', () => {
  const refusals = [
    { typed: 'dog +', code: 'bad-input', reason: 'The query “dog +” ends with an operator; add a term after it.' },
    { typed: '#99999', code: 'not-found', reason: 'There is no photo #99999 in the library (or it is not indexed with m yet).' },
  ];
  for (const { typed, code, reason } of refusals) {
    it(`leaves the library’s photos, heading and sort as they were, and says why: ${typed}`, async () => {
      const fake = libraryFake();
      fake.overrides['search.query'] = () => ({ ok: false, error: { code, message: reason } });
      fake.overrides['photos.details'] = () => ({ ok: false, error: { code: 'not-found', message: 'There is no photo #99999 in the library.' } });
      const { page } = await pages.open(fake, { hash: '#/library' });
      const photos = page.getByRole('listbox', { name: 'Photos' }).getByRole('option');
      await photos.first().waitFor();
      await page.getByRole('searchbox', { name: 'Search photos' }).fill(typed);
      await page.getByRole('alert').filter({ hasText: reason }).waitFor();
      await poll(() => fake.callsOf('search.query').length).toBeGreaterThan(0);
      expect(await heading(page)).toBe('Library 3 photos');
      expect(await photos.count()).toBe(3);
      expect(await page.locator('header.top select').first().inputValue()).toBe('newest');
      expect(await page.getByRole('checkbox', { name: 'Show all' }).count()).toBe(0);
      // Escape from the grid clears it, as it clears any search.
      await photos.first().focus();
      await page.keyboard.press('Escape');
      await poll(() => page.getByRole('searchbox', { name: 'Search photos' }).inputValue()).toBe('');
    });
  }
});

describe('the empty library’s status region (Note [Empty library said once])', () => {
  it('does not say no photos were found while the status that follows an index run is on its way', async () => {
    const fake = libraryFake();
    fake.status.library = { ...fake.status.library!, photos: 0, images: 0 };
    fake.overrides['photos.timeline'] = () => ({ ok: true, value: noPhotos() });
    const { page, emit } = await pages.open(fake);
    const progress = { phase: 'indexing' as const, found: 3, processed: 1, toProcess: 3, embedded: 1, failed: 0, indexed: 1, removed: 0, imagesPerSecond: 1, etaSeconds: 2 };
    await emit(jobEvent({ id: 'index-1', kind: 'index', state: 'running', progress }));
    await page.getByText('Lumen is looking at your folders; photos show up as soon as they are indexed.').waitFor();
    const heard = await listen(page);

    // The run's end comes before the status that counts its photos, and the grid reads them after.
    const status = structuredClone({ ...fake.status, library: { ...fake.status.library!, photos: 3, images: 3 } });
    fake.overrides['app.status'] = () => later(300, { ok: true as const, value: status });
    fake.overrides['photos.timeline'] = () => later(600, { ok: true as const, value: structuredClone(FAKE_TIMELINE) });
    await emit(jobEvent({ id: 'index-1', kind: 'index', state: 'done', progress: { ...progress, processed: 3, embedded: 3, indexed: 3 } }));
    await page.getByRole('option', { name: /^c\.jpg/ }).waitFor();
    expect((await heard()).filter((text) => text.includes('No photos found'))).toEqual([]);
  });

  it('does not say the photos are loading when filters that left none are cleared', async () => {
    const fake = libraryFake();
    fake.overrides['photos.timeline'] = ({ filters }: { filters?: { formats?: string[] } }) =>
      (filters?.formats?.length ?? 0) > 0 ? { ok: true, value: noPhotos() } : later(300, { ok: true as const, value: structuredClone(FAKE_TIMELINE) });
    const { page } = await pages.open(fake, { hash: '#/library?type=png' });
    await page.getByRole('heading', { level: 2, name: 'No photos match these filters' }).waitFor();
    const heard = await listen(page);
    await page.evaluate(() => (location.hash = '#/library'));
    await page.getByRole('option', { name: /^c\.jpg/ }).waitFor();
    expect((await heard()).filter((text) => text.includes('Loading the photos'))).toEqual([]);
  });
});
