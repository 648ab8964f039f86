/**
 * The library in a short window (a zoomed one: 200% to 400%) with the filters open, and with
 * photos selected: the grid keeps a usable height, the selection bar leaves the filters usable,
 * and Tab past the last tab stop under the grid reaches the bar, never the page's body. Built for
 * real and driven in Chromium against a fake engine.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { LibraryTimeline, SearchHitInfo } from '../../preload/contract.js';
import { appPages, libraryFake, rendererInChromium, type FakeLumen } from './harness.js';

const pages = appPages(rendererInChromium());

const PHOTOS = 60;
const nameOf = (id: number) => `p${id}.jpg`;
const hit = (id: number): SearchHitInfo => ({ id, name: nameOf(id), folderId: 1, takenAt: Date.UTC(2024, 0, 1) - id * 3_600_000, width: 400, height: 300, format: 'jpeg', version: id, score: 1 - id / 10_000 });

/** A library of PHOTOS photos, whose every search finds the first six and leaves 46 below the relevance cutoff. */
function manyPhotos(): FakeLumen {
  const fake = libraryFake();
  const ids = Array.from({ length: PHOTOS }, (_, i) => i + 1);
  const timeline: LibraryTimeline = { total: PHOTOS, ids, ratios: ids.map(() => 1.5), takenAt: ids.map((id) => hit(id).takenAt), names: ids.map(nameOf), folderIds: ids.map(() => 1), versions: ids };
  fake.overrides['photos.timeline'] = () => ({ ok: true, value: structuredClone(timeline) });
  fake.overrides['search.query'] = () => ({ ok: true, value: { results: ids.slice(0, 6).map(hit), total: 6, belowCutoff: 46, offset: 0, model: 'm', method: 'index', counted: true } });
  return fake;
}

/** The grid's scrolling box: its height, and how far it is in the window once brought into view. */
const gridInView = (page: Page) =>
  page.locator('.scroller').evaluate((scroller) => {
    scroller.scrollIntoView({ block: 'end' });
    const box = scroller.getBoundingClientRect();
    return { height: box.height, top: box.top, bottom: box.bottom, window: window.innerHeight };
  });

/** Whether what shows at the middle of `control` is the control itself (or inside it): nothing lies over it. */
const uncovered = (page: Page, name: string) =>
  page
    .getByRole('group', { name: 'Filters' })
    .locator('label')
    .filter({ has: page.getByText(name, { exact: true }) })
    .locator('input, select')
    .evaluate((control) => {
      const box = control.getBoundingClientRect();
      const top = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
      return top !== null && (control === top || control.contains(top) || top.contains(control));
    });

describe('the library in a short window', () => {
  for (const [width, height] of [
    [640, 360],
    [320, 256],
    [720, 450],
  ] as const) {
    it(`keeps the grid a usable height with the filters open, at ${width}x${height}`, async () => {
      const { page } = await pages.open(manyPhotos(), { hash: '#/library' });
      await page.setViewportSize({ width, height });
      await page.getByRole('listbox', { name: 'Photos' }).getByRole('option').first().waitFor();
      await page.getByRole('button', { name: 'Filters' }).click();
      await page.getByRole('group', { name: 'Filters' }).waitFor();
      const grid = await gridInView(page);
      // At least 200 px, or most of a window shorter than that allows.
      expect(grid.height).toBeGreaterThanOrEqual(Math.min(200, 0.65 * height));
      // Brought into view (the page scrolls to it), the whole of it shows.
      expect(grid.top).toBeGreaterThanOrEqual(0);
      expect(grid.bottom).toBeLessThanOrEqual(grid.window + 1);
    });
  }

  it('leaves the grid the whole window, less the heading, when the window is tall enough', async () => {
    const { page } = await pages.open(manyPhotos(), { hash: '#/library' });
    await page.setViewportSize({ width: 1100, height: 900 });
    await page.getByRole('listbox', { name: 'Photos' }).getByRole('option').first().waitFor();
    await page.getByRole('button', { name: 'Filters' }).click();
    const grid = await gridInView(page);
    expect(grid.bottom).toBeLessThanOrEqual(900);
    expect(grid.height).toBeGreaterThan(500);
    // Nothing but the grid scrolls.
    expect(await page.evaluate(() => document.scrollingElement!.scrollHeight <= window.innerHeight)).toBe(true);
  });
});

describe('the selection bar and the filters', () => {
  for (const [width, height, scheme] of [
    [520, 700, 'dark'],
    [1920, 1000, 'light'],
  ] as const) {
    it(`leaves the open filters uncovered and usable while photos are selected, at ${width} wide`, async () => {
      const { page } = await pages.open(manyPhotos(), { hash: '#/library', colorScheme: scheme });
      await page.setViewportSize({ width, height });
      const photos = page.getByRole('listbox', { name: 'Photos' });
      await photos.getByRole('option').first().waitFor();
      await page.getByRole('button', { name: 'Filters' }).click();
      const filters = page.getByRole('group', { name: 'Filters' });
      await filters.waitFor();
      await photos.getByRole('option').first().click({ modifiers: ['Control'] });
      const bar = page.getByRole('group', { name: 'Selection' });
      await expect.poll(() => bar.getByText(/selected$/).textContent()).toBe('1 selected');
      const [barBox, filtersBox] = [await bar.boundingBox(), await filters.boundingBox()];
      expect(barBox!.y + barBox!.height).toBeLessThanOrEqual(filtersBox!.y);
      for (const name of ['From', 'To', 'Folder', 'Camera', 'Tag']) expect(await uncovered(page, name), name).toBe(true);
      // Usable: a filter chosen there applies.
      await filters.getByRole('combobox', { name: 'Folder' }).selectOption({ label: 'Pictures' });
      await expect.poll(() => page.evaluate(() => location.hash)).toContain('folder=');
    });
  }
});

describe('Tab with photos selected', () => {
  it('goes from the last tab stop under the grid to the selection bar, never to the page body', async () => {
    const { page } = await pages.open(manyPhotos(), { hash: '#/library?q=sunset' });
    const results = page.getByRole('listbox', { name: 'Search results' });
    await results.getByRole('option', { name: /^p1\.jpg/ }).click({ modifiers: ['Control'] });
    const bar = page.getByRole('group', { name: 'Selection' });
    await expect.poll(() => bar.getByText(/selected$/).textContent()).toBe('1 selected');
    // A tab stop after the grid keeps its turn (Note [Tab to the selection]).
    await page.keyboard.press('Tab');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Show 46 more');
    await page.keyboard.press('Tab');
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('[data-selection-bar]') !== null)).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Open');
    // Shift+Tab is the page's own still: from the bar's first action up into the heading.
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(() => document.activeElement === document.body)).toBe(false);
  });
});
