/**
 * Where the selection bar shows, built for real and driven in Chromium against a fake engine: over
 * the view's heading (Note [Selection over the heading] in renderer/src/components/SelectionBar.svelte),
 * so that no photo moves as a selection starts, grows or ends, or as a form opens in the bar, and
 * the next click lands on the photo it was aimed at; in a small window, where the bar takes two lines.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { LibraryTimeline } from '../../preload/contract.js';
import { albumsFake } from './album-fake.js';
import { appPages, rendererInChromium } from './harness.js';

const pages = appPages(rendererInChromium());

/** Forty photos of three shapes, a day apart: rows of tiles of different widths. */
const ids = Array.from({ length: 40 }, (_, i) => i + 1);
const FORTY: LibraryTimeline = { total: ids.length, ids, ratios: ids.map((id) => [1.5, 0.75, 1.33][id % 3] as number), takenAt: ids.map((id) => Date.UTC(2024, 5, 30) - id * 86_400_000), names: ids.map((id) => `p${id}.jpg`), folderIds: ids.map(() => 1), versions: ids };

/** A saved album of the forty photos (it offers "Remove from album" too: the bar's widest). */
function fortyFake() {
  const fake = albumsFake({ Holiday: ids });
  fake.overrides['photos.timeline'] = () => ({ ok: true, value: structuredClone(FORTY) });
  fake.overrides['albums.photos'] = () => ({ ok: true, value: structuredClone(FORTY) });
  return fake;
}

type Box = { x: number; y: number; width: number; height: number };

/** Where each tile of the grid is, by its photo's name. */
const tiles = (page: Page, grid: string) =>
  page.getByRole('listbox', { name: grid }).evaluate((list) =>
    Object.fromEntries(
      [...list.querySelectorAll('[role="option"]')].map((tile) => {
        const { x, y, width, height } = tile.getBoundingClientRect();
        return [tile.getAttribute('aria-label')?.split(',')[0], { x, y, width, height }];
      }),
    ),
  ) as Promise<Record<string, Box>>;

/** Opens `hash` in a window of 800x600, once its grid is laid out for that width. */
async function small(hash: string, grid: string): Promise<Page> {
  const { page } = await pages.open(fortyFake(), { hash });
  await page.setViewportSize({ width: 800, height: 600 });
  const list = page.getByRole('listbox', { name: grid });
  await list.getByRole('option', { name: /^p6\.jpg/ }).waitFor();
  await expect.poll(() => list.evaluate((element) => element.getBoundingClientRect().width)).toBeLessThan(800);
  // Laid out again at the new width: the frame after the resize is drawn.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  return page;
}

/**
 * Selects p1.jpg, then Ctrl+clicks where p6.jpg was before it, opens "Save as album…" and clears
 * the selection: the tiles stay where they were throughout, and p6.jpg is the photo the click selected.
 */
async function selectingMovesNothing(page: Page, grid: string): Promise<void> {
  const list = page.getByRole('listbox', { name: grid });
  const bar = page.getByRole('group', { name: 'Selection' });
  const before = await tiles(page, grid);
  const aimed = before['p6.jpg'] as Box;

  await list.getByRole('option', { name: /^p1\.jpg/ }).click({ modifiers: ['ControlOrMeta'] });
  await bar.getByText('1 selected').waitFor();
  expect(await tiles(page, grid)).toEqual(before);

  await page.keyboard.down('ControlOrMeta');
  await page.mouse.click(aimed.x + aimed.width / 2, aimed.y + aimed.height / 2);
  await page.keyboard.up('ControlOrMeta');
  await bar.getByText('2 selected').waitFor();
  expect(await list.getByRole('option', { selected: true }).evaluateAll((options) => options.map((option) => option.getAttribute('aria-label')?.split(',')[0]))).toEqual(['p1.jpg', 'p6.jpg']);
  expect(await tiles(page, grid)).toEqual(before);

  await bar.getByRole('button', { name: 'Save as album…' }).click();
  await bar.getByRole('textbox', { name: 'Album name' }).waitFor();
  expect(await tiles(page, grid)).toEqual(before);

  await bar.getByRole('button', { name: 'Clear selection' }).click();
  await bar.waitFor({ state: 'detached' });
  expect(await tiles(page, grid)).toEqual(before);
}

/** The element on top at the middle of what has focus: what has focus is not hidden when it is that, or inside it. */
const focusShown = (page: Page) =>
  page.evaluate(() => {
    const focused = document.activeElement as HTMLElement;
    const { x, y, width, height } = focused.getBoundingClientRect();
    return focused.contains(document.elementFromPoint(x + width / 2, y + height / 2));
  });

describe('the selection bar', () => {
  it('moves no photo of the library as a selection starts, grows, opens a form and ends, and lies over the heading, which a screen reader still has', async () => {
    const page = await small('#/library', 'Photos');
    await selectingMovesNothing(page, 'Photos');

    // Covered, the heading is still read; Shift+Tab from the bar's first action reaches its controls, uncovered.
    await page.getByRole('listbox', { name: 'Photos' }).getByRole('option', { name: /^p1\.jpg/ }).click({ modifiers: ['ControlOrMeta'] });
    const bar = page.getByRole('group', { name: 'Selection' });
    const open = bar.getByRole('button', { name: 'Open' });
    await open.waitFor();
    const heading = page.getByRole('heading', { level: 1 });
    expect(await heading.textContent()).toMatch(/^Library/);
    const middle = await heading.evaluate((element) => {
      const { x, y, width, height } = element.getBoundingClientRect();
      return document.elementFromPoint(x + width / 2, y + height / 2)?.closest('[data-selection-bar]') !== null;
    });
    expect(middle).toBe(true);
    await open.focus();
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Filters');
    await expect.poll(() => focusShown(page)).toBe(true);
    // Back on the bar, it covers the heading again.
    await page.keyboard.press('Tab');
    expect(await open.evaluate((button) => button === document.activeElement)).toBe(true);
    await expect.poll(() => focusShown(page)).toBe(true);
  });

  it('moves no photo of an album as a selection starts, grows, opens a form and ends', async () => {
    const page = await small('#/albums?album=saved%3A1', 'Photos of Holiday');
    await selectingMovesNothing(page, 'Photos of Holiday');
  });
});
