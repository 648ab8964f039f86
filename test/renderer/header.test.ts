/**
 * The app's header, built for real and driven in Chromium against a fake engine: work starting
 * and ending never changes its height, so the page under it never moves (Note [Header never
 * moves the page] in AppHeader.svelte), and a small window keeps it to two rows.
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { IndexProgressInfo } from '../../preload/contract.js';
import { appPages, jobEvent, libraryFake, rendererInChromium } from './harness.js';

const pages = appPages(rendererInChromium());

/** An index run at `processed` of `toProcess` photos, with a rate and time left: its longest line. */
const indexing = (processed: number, toProcess: number): IndexProgressInfo => ({
  phase: 'indexing',
  found: toProcess,
  processed,
  toProcess,
  embedded: processed,
  failed: 0,
  indexed: processed,
  removed: 0,
  imagesPerSecond: 12.5,
  etaSeconds: 4000,
});

const headerHeight = async (page: Page) => (await page.getByRole('banner').boundingBox())?.height;

describe('the header while work goes on (Note [Header never moves the page])', () => {
  it.each([
    [1280, 800],
    [960, 800],
    [1920, 1080],
  ])('keeps its height at %i x %i when jobs start, run side by side, fail and end', async (width, height) => {
    const { page, emit } = await pages.open(libraryFake());
    await page.setViewportSize({ width, height });
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    const idle = await headerHeight(page);
    const library = page.getByRole('heading', { level: 1 });
    const libraryTop = (await library.boundingBox())?.y;

    await emit(jobEvent({ id: 'index-1', kind: 'index', state: 'running', progress: indexing(1234, 24_567) }));
    await page.getByRole('status', { name: 'Indexing' }).getByRole('button', { name: 'Pause' }).waitFor();
    expect(await headerHeight(page)).toBe(idle);
    expect((await library.boundingBox())?.y).toBe(libraryTop);

    await emit(jobEvent({ id: 'tag-1', kind: 'tag', state: 'failed', error: 'The model could not be loaded: its file is damaged. Download it again from Settings.' }));
    await page.getByRole('status', { name: 'Tagging' }).getByRole('button', { name: 'Dismiss' }).waitFor();
    expect(await headerHeight(page)).toBe(idle);

    await emit(jobEvent({ id: 'index-1', kind: 'index', state: 'done', progress: indexing(24_567, 24_567) }));
    await page.getByRole('status', { name: 'Tagging' }).getByRole('button', { name: 'Dismiss' }).click();
    await page.getByRole('status', { name: 'Tagging' }).waitFor({ state: 'detached' });
    expect(await headerHeight(page)).toBe(idle);
  });
});

describe('the header in a small window', () => {
  it('keeps to two rows at 500 px: the search and Shortcuts on the first, every section on the second', async () => {
    const { page, emit } = await pages.open(libraryFake());
    await page.setViewportSize({ width: 500, height: 700 });
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.waitFor();
    // Shortcuts sits beside the search box, centred on its row, not on a row of its own.
    const search = (await page.getByRole('search').boundingBox())!;
    const shortcuts = (await page.getByRole('button', { name: 'Keyboard shortcuts' }).boundingBox())!;
    expect(Math.abs(shortcuts.y + shortcuts.height / 2 - (search.y + search.height / 2))).toBeLessThan(2);
    // The sections are one row, inside the window.
    const links = await nav.getByRole('link').evaluateAll((all) => all.map((link) => link.getBoundingClientRect()).map(({ top: y, right }) => ({ y: Math.round(y), right })));
    expect(new Set(links.map((link) => link.y)).size).toBe(1);
    expect(Math.max(...links.map((link) => link.right))).toBeLessThanOrEqual(500);
    // A sixth of the window at most, not the quarter it took on three rows.
    expect(await headerHeight(page)).toBeLessThanOrEqual(700 / 6);

    // Work going on takes one row under the sections, however many jobs run.
    await emit(jobEvent({ id: 'tag-1', kind: 'tag', state: 'running', progress: null }));
    await page.getByRole('status', { name: 'Tagging' }).getByRole('button', { name: 'Pause' }).waitFor();
    const oneJob = (await headerHeight(page)) as number;
    await emit(jobEvent({ id: 'ocr-1', kind: 'ocr', state: 'running', progress: null }));
    await page.getByRole('status', { name: 'Reading text in photos' }).getByRole('button', { name: 'Pause' }).waitFor();
    expect(await headerHeight(page)).toBe(oneJob);
    // Each job's buttons say whose they are.
    for (const name of ['Pause tagging', 'Cancel tagging', 'Pause reading text in photos', 'Cancel reading text in photos']) await page.getByRole('button', { name, exact: true }).waitFor();
    expect(oneJob).toBeLessThanOrEqual(700 / 5);
  });
});

/**
 * What of the header's search, buttons, sections and jobs leaves the window, is cut short or lies
 * over another part: nothing, where it has room for them all. Runs in the page.
 */
function crowding(header: Element): string[] {
  const parts = [...new Set(header.querySelectorAll('[role=search], button, nav a, [role=status] > *'))].filter((part) => part.getBoundingClientRect().width > 1);
  const nameOf = (part: Element) => part.getAttribute('aria-label') ?? part.textContent?.trim();
  const said: string[] = [];
  for (const part of parts) {
    const box = part.getBoundingClientRect();
    if (box.left < 0 || box.right > window.innerWidth) said.push(`${nameOf(part)} leaves the window`);
    // Figures the header shortens with an ellipsis say so (Note [Header never moves the page]); nothing else is cut.
    if (part.scrollWidth > part.clientWidth && getComputedStyle(part).textOverflow !== 'ellipsis') said.push(`${nameOf(part)} is cut short`);
    for (const other of parts.slice(parts.indexOf(part) + 1)) {
      const them = other.getBoundingClientRect();
      if (box.left < them.right - 0.5 && them.left < box.right - 0.5 && box.top < them.bottom - 0.5 && them.top < box.bottom - 0.5) said.push(`${nameOf(part)} lies over ${nameOf(other)}`);
    }
  }
  return said;
}

describe('the header at every width (Note [Header never moves the page])', () => {
  // Above a small window, whose jobs take a row of their own (above), through the widths where the sections leave a job too little room beside them.
  it.each([601, 700, 800, 900, 940, 1280, 2560])('keeps its height at %i px as an index job runs and pauses, the job, the search and every section shown in full', async (width) => {
    const { page, emit } = await pages.open(libraryFake());
    await page.setViewportSize({ width, height: 800 });
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    const idle = await headerHeight(page);
    const row = page.getByRole('status', { name: 'Indexing' });

    for (const [state, button, figures] of [
      ['running', 'Pause', '98 of 245 files · 12.5 files/s · about 1 h 7 min left'],
      ['paused', 'Resume', '98 of 245 files'],
    ] as const) {
      await emit(jobEvent({ id: 'index-1', kind: 'index', state, progress: indexing(98, 245) }));
      await row.getByRole('button', { name: button }).waitFor();
      expect(await headerHeight(page), state).toBe(idle);
      // Paused shows so at every width: "(paused)", or the short form's pause sign where it is hidden.
      const shownPaused = () => row.evaluate((job) => (job.querySelector('.paused')?.getBoundingClientRect().width ?? 0) > 1 || [...job.querySelectorAll('.name')].some((name) => getComputedStyle(name, '::before').borderLeftWidth !== '0px'));
      expect(await shownPaused(), state).toBe(state === 'paused');
      expect(await page.getByRole('banner').evaluate(crowding), state).toEqual([]);
      // Its figures are said to screen readers and shown in its tooltip, where the header shows it short.
      expect(await row.ariaSnapshot()).toContain(`text: ${figures}\n`);
      await row.getByTitle(figures).waitFor();
    }
  });
});

describe('the header with two jobs side by side', () => {
  it.each([1280, 1920])('shows each short at %i px, its name and percentage, the figures in its tooltip, where they would be cut to a letter', async (width) => {
    const { page, emit } = await pages.open(libraryFake());
    await page.setViewportSize({ width, height: 800 });
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    const index = page.getByRole('status', { name: 'Indexing' });
    await emit(jobEvent({ id: 'index-1', kind: 'index', state: 'running', progress: indexing(98, 245) }));
    await index.getByRole('button', { name: 'Pause indexing' }).waitFor();
    const seen = (row: typeof index) => row.evaluate((job) => ({ figures: (job.querySelector('.figures')?.getBoundingClientRect().width ?? 0) > 1, percent: getComputedStyle(job.querySelector('.name')!, '::after').content }));
    // Alone, it has room for its figures.
    expect(await seen(index)).toMatchObject({ figures: true });
    await emit(jobEvent({ id: 'tag-1', kind: 'tag', state: 'running', progress: { phase: 'scoring', done: 10, total: 40, perSecond: 2, etaSeconds: 30 } }));
    const tagging = page.getByRole('status', { name: 'Tagging' });
    await tagging.getByRole('button', { name: 'Pause tagging' }).waitFor();
    await expect.poll(() => seen(index), { timeout: 5000 }).toEqual({ figures: false, percent: '" 40%" / ""' });
    expect(await seen(tagging)).toEqual({ figures: false, percent: '" 25%" / ""' });
    await index.getByTitle('98 of 245 files · 12.5 files/s · about 1 h 7 min left').waitFor();
    expect(await page.getByRole('banner').evaluate(crowding)).toEqual([]);
  });
});

describe('the header after a first index run with failures, as tagging runs', () => {
  it.each([500, 800, 1280])('shows the failures, See why and the job with both its buttons at %i px', async (width) => {
    const { page, emit } = await pages.open(libraryFake());
    await page.setViewportSize({ width, height: 800 });
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await emit(jobEvent({ id: 'index-1', kind: 'index', state: 'done', progress: { ...indexing(10, 10), failed: 4 } }));
    await emit(jobEvent({ id: 'tag-1', kind: 'tag', state: 'running', progress: { phase: 'scoring', done: 10, total: 40, perSecond: 2, etaSeconds: 30 } }));
    await page.getByRole('button', { name: 'Cancel tagging' }).waitFor();
    await page.getByRole('status', { name: 'Indexing' }).getByText('4 files could not be indexed.').waitFor();
    expect(await page.getByRole('banner').evaluate(crowding)).toEqual([]);
  });
});

describe('the header with one job reading text in photos', () => {
  const reading = { total: 102, done: 31, read: 31, withText: 1, skipped: 0, failed: 0, perSecond: 2.5, etaSeconds: 4000 };
  const figures = '31 of 102 photos · 1 with text · 2.5 photos/s · about 1 h 7 min left';
  /** Whether its figures show, and in full: not cut to an ellipsis. */
  const figuresShown = (row: Locator) => row.evaluate((job) => {
    const shown = job.querySelector('.figures');
    return shown !== null && shown.getBoundingClientRect().width > 1 && shown.scrollWidth <= shown.clientWidth;
  });

  it('shows its figures in full at 1280 px, where the row beside the sections has room', async () => {
    const { page, emit } = await pages.open(libraryFake());
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    const idle = await headerHeight(page);
    const row = page.getByRole('status', { name: 'Reading text in photos' });
    await emit(jobEvent({ id: 'ocr-1', kind: 'ocr', state: 'running', progress: reading }));
    await row.getByText(figures, { exact: true }).waitFor();
    expect(await figuresShown(row)).toBe(true);
    expect(await headerHeight(page)).toBe(idle);
    expect(await page.getByRole('banner').evaluate(crowding)).toEqual([]);
  });

  it.each([500, 800])('still says it short at %i px, nothing cut or overlapping', async (width) => {
    const { page, emit } = await pages.open(libraryFake());
    await page.setViewportSize({ width, height: 800 });
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    const row = page.getByRole('status', { name: 'Reading text in photos' });
    await emit(jobEvent({ id: 'ocr-1', kind: 'ocr', state: 'running', progress: reading }));
    await row.getByRole('button', { name: 'Pause reading text in photos' }).waitFor();
    expect(await figuresShown(row)).toBe(false);
    expect(await page.getByRole('banner').evaluate(crowding)).toEqual([]);
  });

  it('shows its bar and "starting…" right after an index run that ended with nothing to say', async () => {
    const { page, emit } = await pages.open(libraryFake());
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await emit(jobEvent({ id: 'index-1', kind: 'index', state: 'done', progress: indexing(102, 102) }));
    await emit(jobEvent({ id: 'ocr-1', kind: 'ocr', state: 'running', progress: null }));
    const row = page.getByRole('status', { name: 'Reading text in photos' });
    await row.getByRole('button', { name: 'Pause reading text in photos' }).waitFor();
    // The ended index run shows nothing: the one job shown is not said short, as two side by side would be.
    expect(await figuresShown(row)).toBe(true);
    expect(await row.getByRole('progressbar').evaluate((bar) => bar.getBoundingClientRect().width)).toBeGreaterThan(1);
  });
});
