/**
 * The Library screen's count, built for real and driven in Chromium against a fake engine: said
 * in the right number for the photos shown, with filters and without, and the photos a search
 * leaves out shown by a control named by their number.
 */
import { describe, expect, it } from 'vitest';
import type { CallParams, SearchHitInfo } from '../../preload/contract.js';
import { appPages, FAKE_MODEL, FAKE_TIMELINE, libraryFake, rendererInChromium } from './harness.js';
import { listen } from './listening.js';

const pages = appPages(rendererInChromium());

describe('the Library screen’s count', () => {
  it('says “1 matching photo” when a filter leaves one, and counts the whole library without filters', async () => {
    const fake = libraryFake();
    fake.overrides['photos.timeline'] = ({ filters }: { filters: { camera?: string } }) => {
      const shown = filters.camera ? 1 : FAKE_TIMELINE.total;
      const { ids, ratios, takenAt, names, folderIds, versions } = FAKE_TIMELINE;
      return { ok: true, value: { total: shown, ids: ids.slice(0, shown), ratios: ratios.slice(0, shown), takenAt: takenAt.slice(0, shown), names: names.slice(0, shown), folderIds: folderIds.slice(0, shown), versions: versions.slice(0, shown) } };
    };
    const { page } = await pages.open(fake, { hash: '#/library?camera=Pixel' });
    const heading = page.getByRole('heading', { level: 1 });
    await expect.poll(() => heading.textContent()).toBe('Library 1 matching photo');
    await page.evaluate(() => (location.hash = '#/library'));
    await expect.poll(() => heading.textContent()).toBe('Library 3 photos');
  });

  it('says how many files the photos are in where identical copies make more files than photos (Note [One tile a picture])', async () => {
    const fake = libraryFake();
    fake.status.library = { ...fake.status.library!, photos: 8, images: 3 };
    fake.overrides['photos.timeline'] = ({ filters }: { filters: { camera?: string } }) => ({ ok: true, value: filters.camera ? { ...structuredClone(FAKE_TIMELINE), total: 2 } : structuredClone(FAKE_TIMELINE) });
    const { page } = await pages.open(fake, { hash: '#/library' });
    const heading = page.getByRole('heading', { level: 1 });
    await expect.poll(() => heading.textContent()).toBe('Library 3 photos in 8 files');
    await heading.getByTitle('Identical copies of a photo count once: the viewer lists where its copies are.').waitFor();
    // Filtered, the count is of the photos that pass alone.
    await page.evaluate(() => (location.hash = '#/library?camera=Pixel'));
    await expect.poll(() => heading.textContent()).toBe('Library 2 matching photos');
  });
});

describe('the photos a search leaves out below its relevance cutoff', () => {
  /** A search that finds `found` photos and leaves `hidden` out. */
  function cutoffFake(found: number, hidden: number) {
    const fake = libraryFake();
    const results: SearchHitInfo[] = Array.from({ length: found }, (_, i) => ({ id: i + 1, name: `IMG_${i + 1}.jpg`, folderId: 1, takenAt: Date.UTC(2024, 5, 2), width: 400, height: 300, format: 'jpeg', version: i + 1, score: 0.31 }));
    fake.overrides['search.query'] = (params: CallParams<'search.query'>) => {
      const shown = params.options?.showAll ? found + hidden : found;
      return { ok: true, value: { results, total: shown, belowCutoff: params.options?.showAll ? 0 : hidden, offset: 0, model: FAKE_MODEL, method: 'index', counted: true } };
    };
    fake.overrides['search.count'] = () => ({ ok: true, value: { total: found, belowCutoff: hidden } });
    return fake;
  }

  it('are shown by a button named by their number, not "Show all" like the checkbox beside Sort', async () => {
    const { page } = await pages.open(cutoffFake(3, 78), { hash: '#/library?q=beach' });
    const more = page.getByRole('button', { name: 'Show 78 more' });
    await more.waitFor();
    const showAll = page.getByRole('checkbox', { name: 'Show all' });
    expect(await showAll.isChecked()).toBe(false);
    expect(await page.getByRole('button', { name: 'Show all' }).count()).toBe(0);
    await more.click();
    await expect.poll(() => showAll.isChecked()).toBe(true);
  });

  it('once shown, make a heading that says every photo is there, the best matches first, and say so once', async () => {
    const { page } = await pages.open(cutoffFake(3, 78), { hash: '#/library?q=beach' });
    const heading = page.getByRole('heading', { level: 1 });
    await expect.poll(() => heading.textContent(), { timeout: 5000 }).toBe('3 photos match “beach”');
    const heard = await listen(page);
    await page.getByRole('button', { name: 'Show 78 more' }).click();
    // Not "81 photos match": with the cutoff off every photo is a result, the best first.
    await expect.poll(() => heading.textContent(), { timeout: 5000 }).toBe('All 81 photos, best matches for “beach” first');
    await expect.poll(heard, { timeout: 5000 }).toContain('All 81 photos, best matches for “beach” first');
    expect((await heard()).filter((text) => /photos? match/.test(text))).toEqual([]);
    // Sorted by date, every photo is there by date; with a filter, every photo that passes it.
    await page.evaluate(() => (location.hash = '#/library?q=beach&all=1&sort=newest'));
    await expect.poll(() => heading.textContent(), { timeout: 5000 }).toBe('All 81 photos, newest first: with Show all on, “beach” changes nothing');
    await page.evaluate(() => (location.hash = '#/library?q=beach&all=1&located=1'));
    await expect.poll(() => heading.textContent(), { timeout: 5000 }).toBe('All 81 photos that pass the filters, best matches for “beach” first');
    // Text a photo must contain keeps only the photos that have it, cutoff or not: they match.
    await page.evaluate(() => (location.hash = '#/library?q=receipt+"lisboa"&all=1'));
    await expect.poll(() => heading.textContent(), { timeout: 5000 }).toBe('81 photos match “receipt "lisboa"”');
  });

  it('once shown, where there is one photo, make a heading that does not say "All 1 photo"', async () => {
    const { page } = await pages.open(cutoffFake(0, 1), { hash: '#/library?q=beach&all=1' });
    const heading = page.getByRole('heading', { level: 1 });
    await expect.poll(() => heading.textContent(), { timeout: 5000 }).toBe('The only photo: with Show all on, “beach” changes nothing');
    await page.evaluate(() => (location.hash = '#/library?q=beach&all=1&located=1'));
    await expect.poll(() => heading.textContent(), { timeout: 5000 }).toBe('The only photo that passes the filters: with Show all on, “beach” changes nothing');
  });

  it('are shown, when no photo passes the cutoff, by a button that says how many', async () => {
    const { page } = await pages.open(cutoffFake(0, 5), { hash: '#/library?q=beach' });
    await page.getByRole('button', { name: 'Show 5 photos' }).waitFor();
    expect(await page.getByRole('button', { name: 'Show all' }).count()).toBe(0);
  });
});
