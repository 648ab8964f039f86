/**
 * Thumbnails of tiles scrolled past (Note [Thumbnails scrolled past] in
 * renderer/src/components/grid/PhotoGrid.svelte): a fast scroll through a large library leaves no
 * thumbnail asked for a tile no longer shown, and those where the scroll stops come first. Built
 * for real and driven in Chromium against a fake engine that makes thumbnails one at a time.
 */
import type { Page, Request, Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { LibraryTimeline } from '../../preload/contract.js';
import { appPages, libraryFake, rendererInChromium } from './harness.js';

const pages = appPages(rendererInChromium());

const PHOTOS = 12_000;
/** How long the fake engine takes per thumbnail, one at a time: a backlog of a fast scroll's tiles takes it many seconds. */
const THUMBNAIL_MS = 10;

function largeLibrary(): ReturnType<typeof libraryFake> {
  const fake = libraryFake();
  const ids = Array.from({ length: PHOTOS }, (_, i) => PHOTOS - i);
  const timeline = (count: number): LibraryTimeline => {
    const shown = ids.slice(0, count);
    return { total: PHOTOS, ids: shown, ratios: shown.map(() => 1.5), takenAt: shown.map((id) => Date.UTC(2020, 0, 1) + id * 3_600_000), names: shown.map((id) => `p${id}.jpg`), folderIds: shown.map(() => 1), versions: shown.map(() => 1) };
  };
  fake.overrides['photos.timeline'] = ({ first }: { first?: number }) => ({ ok: true, value: timeline(first ?? PHOTOS) });
  return fake;
}

const photoOf = (request: Request) => Number(/\/photo\/thumbnail\/(\d+)/.exec(request.url())?.[1]);

/**
 * The engine's thumbnails, made one at a time in the order asked; one whose request Chromium
 * cancelled meanwhile is not made. Counts what it made, and what Chromium cancelled.
 */
async function slowThumbnails(page: Page) {
  const waiting: Route[] = [];
  const cancelled = new Set<Request>();
  const finished = new Set<Request>();
  const made: number[] = [];
  page.on('requestfailed', (request) => void cancelled.add(request));
  page.on('requestfinished', (request) => void finished.add(request));
  await page.route('**/photo/thumbnail/**', (route) => void waiting.push(route));
  // Until the page closes, after the test.
  void (async () => {
    while (!page.isClosed()) {
      const route = waiting.shift();
      if (!route) {
        await new Promise((resolve) => setTimeout(resolve, THUMBNAIL_MS));
        continue;
      }
      if (cancelled.has(route.request())) continue;
      await new Promise((resolve) => setTimeout(resolve, THUMBNAIL_MS));
      made.push(photoOf(route.request()));
      await route.continue().catch(() => {});
    }
  })();
  return {
    made,
    cancelled,
    /** The photos whose thumbnails are asked for and neither came nor were cancelled. */
    pending: () => waiting.map((route) => route.request()).filter((request) => !cancelled.has(request) && !finished.has(request)).map(photoOf),
  };
}

/** The photos of the tiles drawn (those in view and the overscan), and of those in view that are still loading. */
const tilesOf = (page: Page) =>
  page.getByRole('listbox', { name: 'Photos' }).evaluate((grid) => {
    const view = (grid.parentElement as HTMLElement).getBoundingClientRect();
    const tiles = [...grid.querySelectorAll<HTMLElement>('[role="option"]')];
    const inView = tiles.filter((tile) => {
      const box = tile.getBoundingClientRect();
      return box.bottom > view.top && box.top < view.bottom;
    });
    const photo = (tile: HTMLElement) => Number(tile.querySelector('img')?.dataset['id']);
    return { drawn: tiles.map(photo), loading: inView.filter((tile) => !tile.classList.contains('loaded')).map(photo), inView: inView.length };
  });

/** Scrolls the grid as a person flinging it does: `steps` steps of 1.5 screens, 20 ms apart. */
const fling = (page: Page, steps: number, direction = 1) =>
  page.getByRole('listbox', { name: 'Photos' }).evaluate(
    async (grid, [count, sign]) => {
      const scroller = grid.parentElement as HTMLElement;
      for (let step = 0; step < count; step++) {
        scroller.scrollTop += sign * 1.5 * scroller.clientHeight;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // Two frames: the grid has drawn where the scroll stopped.
      for (let frame = 0; frame < 2; frame++) await new Promise(requestAnimationFrame);
    },
    [steps, direction] as const,
  );

describe('thumbnails of tiles scrolled past (Note [Thumbnails scrolled past])', () => {
  it('are cancelled, and those where a fast scroll stops come before them', { timeout: 180_000 }, async () => {
    // Opened elsewhere, so that every thumbnail goes through the slow engine.
    const { page } = await pages.open(largeLibrary(), { hash: '#/settings' });
    const engine = await slowThumbnails(page);
    await page.evaluate(() => (location.hash = '#/library'));
    const grid = page.getByRole('listbox', { name: 'Photos' });
    await grid.getByRole('option', { name: /^p12000\.jpg/ }).waitFor();
    await expect.poll(async () => (await tilesOf(page)).loading, { timeout: 30_000 }).toEqual([]);

    await fling(page, 80);
    const madeWhenStopped = engine.made.length;
    const stoppedAt = await tilesOf(page);
    expect(stoppedAt.inView).toBeGreaterThan(0);
    const drawn = new Set(stoppedAt.drawn);
    // Nothing is left asked for a tile no longer drawn: Chromium cancelled those (or they were never asked).
    await expect.poll(() => engine.pending().filter((photo) => !drawn.has(photo)), { timeout: 10_000 }).toEqual([]);
    expect(engine.cancelled.size).toBeGreaterThan(0);
    // Every tile in view gets its thumbnail, and not after those of the tiles scrolled past: a
    // few may have been on their way as the scroll stopped, the backlog of a fast scroll is hundreds.
    await expect.poll(async () => (await tilesOf(page)).loading, { timeout: 60_000 }).toEqual([]);
    expect(engine.made.slice(madeWhenStopped).filter((photo) => !drawn.has(photo)).length).toBeLessThan(100);

    // Tiles scrolled back to get the thumbnails cancelled before: they were not taken for broken.
    await fling(page, 3, -1);
    await expect.poll(async () => (await tilesOf(page)).loading, { timeout: 30_000 }).toEqual([]);
    expect(await grid.locator('.failed').count()).toBe(0);
  });

  it('are let go with their tiles (Note [Images let go] in thumbnail-load.ts): the page holds only the tiles drawn', { timeout: 120_000 }, async () => {
    const { page } = await pages.open(largeLibrary(), { hash: '#/settings' });
    await slowThumbnails(page);
    await page.evaluate(() => (location.hash = '#/library'));
    await page.getByRole('listbox', { name: 'Photos' }).getByRole('option', { name: /^p12000\.jpg/ }).waitFor();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const nodes = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      const { metrics } = await cdp.send('Performance.getMetrics');
      return metrics.find((metric) => metric.name === 'Nodes')?.value ?? NaN;
    };
    const before = await nodes();
    // Down through a few thousand photos and back: each tile drawn and dropped on the way.
    await fling(page, 60);
    await fling(page, 60, -1);
    await expect.poll(async () => (await tilesOf(page)).loading, { timeout: 60_000 }).toEqual([]);
    // Kept, the tiles scrolled past were ten thousands of nodes more.
    expect(await nodes()).toBeLessThan(before + 2000);
  });

  it('are not asked again for the tiles that stay in view as the grid scrolls a little', async () => {
    const { page } = await pages.open(largeLibrary(), { hash: '#/settings' });
    const engine = await slowThumbnails(page);
    await page.evaluate(() => (location.hash = '#/library'));
    await page.getByRole('listbox', { name: 'Photos' }).getByRole('option', { name: /^p12000\.jpg/ }).waitFor();
    await expect.poll(async () => (await tilesOf(page)).loading, { timeout: 30_000 }).toEqual([]);
    // The tiles drawn whose thumbnails came (those further in the overscan may still be on their way).
    const drawn = (await tilesOf(page)).drawn;
    const madeBefore = engine.made.length;
    const before = new Set(drawn.filter((photo) => engine.made.includes(photo)));
    await page.getByRole('listbox', { name: 'Photos' }).evaluate(async (grid) => {
      (grid.parentElement as HTMLElement).scrollTop = 300;
      for (let frame = 0; frame < 2; frame++) await new Promise(requestAnimationFrame);
    });
    await expect.poll(async () => (await tilesOf(page)).loading, { timeout: 30_000 }).toEqual([]);
    const stayed = (await tilesOf(page)).drawn.filter((photo) => before.has(photo));
    expect(stayed.length).toBeGreaterThan(0);
    expect(engine.made.slice(madeBefore).filter((photo) => before.has(photo))).toEqual([]);
    expect([...engine.cancelled].map(photoOf).filter((photo) => before.has(photo))).toEqual([]);
  });
});
