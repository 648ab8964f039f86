/**
 * The photo grid and the viewer over it while their list grows and changes, built for real and
 * driven in Chromium against a fake engine: the viewer steps through every match as the pages
 * come, a new search starts at the top, and focus stays with its photo across reloads.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { CallOutcome, LibraryTimeline, SearchHitInfo } from '../../preload/contract.js';
import { albumsFake } from './album-fake.js';
import { appPages, FAKE_TIMELINE, libraryFake, rendererInChromium, type FakeLumen } from './harness.js';

const pages = appPages(rendererInChromium());

const nameOf = (id: number) => `p${id}.jpg`;
const hit = (id: number): SearchHitInfo => ({ id, name: nameOf(id), folderId: 1, takenAt: Date.UTC(2024, 0, 1) - id * 3_600_000, width: 400, height: 300, format: 'jpeg', version: id, score: 1 - id / 10_000 });

/** A fake engine whose every query matches `matches` photos (ids 1 up), served in the pages asked for; pages after the first `laterPagesMs` later. */
function searchFake(matches: number, laterPagesMs = 0): FakeLumen {
  const fake = libraryFake();
  fake.overrides['search.query'] = ({ options }: { options: { offset: number; limit: number } }) => {
    const ids = Array.from({ length: matches }, (_, i) => i + 1).slice(options.offset, options.offset + options.limit);
    const answer = { ok: true as const, value: { results: ids.map(hit), total: matches, belowCutoff: 0, offset: options.offset, model: 'm', method: 'index' as const, counted: true } };
    return options.offset > 0 && laterPagesMs > 0 ? new Promise((resolve) => setTimeout(() => resolve(answer), laterPagesMs)) : answer;
  };
  fake.overrides['photos.details'] = ({ id }: { id: number }) => ({ ok: true, value: { ...hit(id), path: `/home/ada/Pictures/${nameOf(id)}`, size: 1, capturedAt: null, camera: null, lens: null, location: null, copies: [] } });
  return fake;
}

/** A timeline of the photos `ids`, newest first. */
const timelineOf = (ids: number[], total = ids.length): LibraryTimeline => ({ total, ids, ratios: ids.map(() => 1.5), takenAt: ids.map((id) => hit(id).takenAt), names: ids.map(nameOf), folderIds: ids.map(() => 1), versions: ids });

/** Steps the open viewer with the right arrow until it shows `last`, each photo in turn. */
async function stepTo(page: Page, from: number, last: number): Promise<void> {
  for (let id = from + 1; id <= last; id++) {
    await page.keyboard.press('ArrowRight');
    await page.getByRole('dialog', { name: nameOf(id) }).waitFor({ timeout: 2000 });
  }
}

const gridScroll = (page: Page, name: string) => page.getByRole('listbox', { name }).evaluate((grid) => (grid.parentElement as HTMLElement).scrollTop);
const scrollGrid = (page: Page, name: string, to: number) =>
  page.getByRole('listbox', { name }).evaluate((grid, top) => {
    const scroller = grid.parentElement as HTMLElement;
    scroller.scrollTop = top;
    scroller.dispatchEvent(new Event('scroll'));
  }, to);
/** The name of the grid's one tab stop. */
const tabStop = (page: Page, name: string) => page.getByRole('listbox', { name }).locator('[role="option"][tabindex="0"]').getAttribute('aria-label');
const focusedName = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.tagName);

describe('the viewer over a grid still loading', () => {
  it('steps through every match of a search, the pages after the first asked for as it nears their end', async () => {
    const fake = searchFake(250);
    const { page } = await pages.open(fake, { hash: '#/library?q=dogs' });
    await page.getByRole('listbox', { name: 'Search results' }).getByRole('option', { name: /^p1\.jpg/ }).click();
    await page.getByRole('dialog', { name: 'p1.jpg' }).waitFor();
    await stepTo(page, 1, 250);
    const next = page.getByRole('dialog').getByRole('button', { name: 'Next photo' });
    expect(await next.getAttribute('aria-disabled')).toBe('true');
  });

  it('steps on through the grid from a photo opened with the selection bar', async () => {
    const fake = searchFake(250);
    const { page } = await pages.open(fake, { hash: '#/library?q=dogs' });
    await page.getByRole('listbox', { name: 'Search results' }).getByRole('option', { name: /^p3\.jpg/ }).click({ modifiers: ['Control'] });
    await page.getByRole('group', { name: 'Selection' }).getByRole('button', { name: 'Open' }).click();
    await page.getByRole('dialog', { name: 'p3.jpg' }).waitFor();
    // Past the first page of 100, asked for as the viewer nears its end.
    await stepTo(page, 3, 110);
  });

  it('steps on past the library’s first screen', async () => {
    const fake = searchFake(0);
    const all = Array.from({ length: 520 }, (_, i) => i + 1);
    fake.overrides['photos.timeline'] = ({ first }: { first?: number }) => ({ ok: true, value: timelineOf(first ? all.slice(0, first) : all, all.length) });
    const { page } = await pages.open(fake, { hash: '#/library?photo=490' });
    await page.getByRole('dialog', { name: 'p490.jpg' }).waitFor();
    await stepTo(page, 490, 520);
    // Before the rest would have come by itself (Note [First screen first]).
    expect(fake.callsOf('photos.timeline')).toEqual([{ filters: {}, first: 500 }, { filters: {} }]);
  });
});

describe('a new list in the grid', () => {
  it('asks for a next page that failed again when the grid is scrolled to its end again, not in a loop', async () => {
    const fake = searchFake(250);
    const served = fake.overrides['search.query'] as (params: unknown) => CallOutcome<'search.query'>;
    const failing: CallOutcome<'search.query'> = { ok: false, error: { code: 'storage', message: 'The library cannot be read.' } };
    fake.overrides['search.query'] = (params: unknown) => (fake.callsOf('search.query').length > 1 ? failing : served(params));
    const { page } = await pages.open(fake, { hash: '#/library?q=dogs' });
    const results = page.getByRole('listbox', { name: 'Search results' });
    await results.getByRole('option', { name: /^p1\.jpg/ }).waitFor();
    // The first page is the first call; each later one asks for a next page (from the top or not, Note [Pages may overlap]).
    const laterPages = () => fake.callsOf('search.query').length - 1;
    await scrollGrid(page, 'Search results', 100_000);
    await page.getByText('The library cannot be read.').waitFor();
    // Asked again once at most, as the message above the grid moves it; then no more.
    await page.waitForTimeout(1000);
    const failed = laterPages();
    expect(failed).toBeLessThanOrEqual(2);
    await page.waitForTimeout(1000);
    expect(laterPages()).toBe(failed);
    await scrollGrid(page, 'Search results', 0);
    await page.waitForTimeout(100);
    await scrollGrid(page, 'Search results', 100_000);
    await expect.poll(laterPages, { timeout: 5000 }).toBeGreaterThan(failed);
    await page.waitForTimeout(1000);
    const again = laterPages();
    await page.waitForTimeout(1000);
    expect(laterPages()).toBe(again);
    expect(again).toBeLessThanOrEqual(failed + 2);
  });

  it('asks for the next page when a count that comes later says there are more, the grid already at its end', async () => {
    const fake = searchFake(250);
    const served = fake.overrides['search.query'] as (params: unknown) => CallOutcome<'search.query'>;
    // The first page, uncounted: its total is what it found so far.
    fake.overrides['search.query'] = (params: unknown) => {
      const answer = served(params);
      return fake.callsOf('search.query').length > 1 || !answer.ok ? answer : { ok: true, value: { ...answer.value, total: answer.value.results.length, counted: false } };
    };
    fake.overrides['search.count'] = () => ({ ok: true, value: { total: 250, belowCutoff: 0 } });
    const { page } = await pages.open(fake, { hash: '#/library?q=dogs' });
    const results = page.getByRole('listbox', { name: 'Search results' });
    await results.getByRole('option', { name: /^p1\.jpg/ }).waitFor();
    await scrollGrid(page, 'Search results', 100_000);
    await expect.poll(() => results.getByRole('option').first().getAttribute('aria-setsize'), { timeout: 5000 }).toBe('250');
    await expect.poll(() => fake.callsOf('search.query').length, { timeout: 5000 }).toBeGreaterThan(1);
  });

  it('asks for the next page the grid reached while the results were asked again, once they have come (laid out anew, it asks again)', async () => {
    const fake = searchFake(250);
    const served = fake.overrides['search.query'] as (params: unknown) => CallOutcome<'search.query'>;
    // The results asked again after the library changed come late.
    fake.overrides['search.query'] = ((params: unknown) =>
      fake.callsOf('search.query').length === 2 ? new Promise((resolve) => setTimeout(() => resolve(served(params)), 1500)) : served(params)) as never;
    const { page, emit } = await pages.open(fake, { hash: '#/library?q=dogs' });
    const results = page.getByRole('listbox', { name: 'Search results' });
    await results.getByRole('option', { name: /^p1\.jpg/ }).waitFor();
    await emit({ type: 'library-changed' });
    await expect.poll(() => fake.callsOf('search.query').length, { timeout: 5000 }).toBe(2);
    await scrollGrid(page, 'Search results', 100_000);
    await expect.poll(() => fake.callsOf('search.query').length, { timeout: 5000 }).toBe(3);
    expect(fake.callsOf('search.query')[2]?.options).toEqual(expect.objectContaining({ offset: 0, limit: 300 }));
  });

  it('starts a new search, new filters or a new sort at the top, with the tab stop on its first photo, and asks for no more pages', async () => {
    const fake = searchFake(250);
    const { page } = await pages.open(fake, { hash: '#/library?q=dogs' });
    const results = page.getByRole('listbox', { name: 'Search results' });
    await results.getByRole('option', { name: /^p1\.jpg/ }).waitFor();
    const pagesAsked = (from: number) => fake.callsOf('search.query').slice(from).map((call) => call.options);
    for (const hash of ['#/library?q=cats', '#/library?q=cats&camera=Pixel', '#/library?q=cats&camera=Pixel&sort=oldest']) {
      // Far down, the next page loaded: the grid's end is out of reach of the first page's.
      await scrollGrid(page, 'Search results', 3000);
      await expect.poll(() => results.getByRole('option').first().getAttribute('aria-setsize')).toBe('250');
      await expect.poll(() => tabStop(page, 'Search results')).not.toMatch(/^p1\.jpg/);
      const asked = fake.callsOf('search.query').length;
      await page.evaluate((to) => (location.hash = to), hash);
      await expect.poll(() => fake.callsOf('search.query').length).toBeGreaterThan(asked);
      await expect.poll(() => gridScroll(page, 'Search results')).toBe(0);
      await expect.poll(() => tabStop(page, 'Search results')).toMatch(/^p1\.jpg/);
      await page.waitForTimeout(200);
      expect(pagesAsked(asked)).toEqual([expect.objectContaining({ offset: 0, limit: 100 })]);
    }
  });

  it('starts the library at the top for new filters or sort, and keeps its place when it reloads while indexing', async () => {
    const fake = searchFake(0);
    let shown = Array.from({ length: 400 }, (_, i) => i + 1);
    fake.overrides['photos.timeline'] = () => ({ ok: true, value: timelineOf(shown) });
    const { page, emit } = await pages.open(fake, { hash: '#/library' });
    await page.getByRole('option', { name: /^p1\.jpg/ }).waitFor();
    await scrollGrid(page, 'Photos', 3000);
    shown = [...shown, 401];
    const reloads = fake.callsOf('photos.timeline').length;
    await emit({ type: 'library-changed' });
    await expect.poll(() => fake.callsOf('photos.timeline').length, { timeout: 5000 }).toBeGreaterThan(reloads);
    await expect.poll(() => page.getByRole('listbox', { name: 'Photos' }).getByRole('option').first().getAttribute('aria-setsize')).toBe('401');
    expect(await gridScroll(page, 'Photos')).toBe(3000);

    for (const hash of ['#/library?camera=Pixel', '#/library?camera=Pixel&sort=oldest']) {
      await scrollGrid(page, 'Photos', 3000);
      await page.evaluate((to) => (location.hash = to), hash);
      await expect.poll(() => gridScroll(page, 'Photos')).toBe(0);
      await expect.poll(() => tabStop(page, 'Photos')).toMatch(hash.includes('oldest') ? /^p401\.jpg/ : /^p1\.jpg/);
    }
  });

  it('keeps selected only the photos a new search or sort still shows', async () => {
    const fake = searchFake(0);
    const matches: Record<string, number[]> = { dogs: [1, 2, 3, 4, 5, 6], cats: [5, 6, 7, 8] };
    fake.overrides['search.query'] = ({ query }: { query: string }) => {
      const ids = matches[query] ?? [];
      return { ok: true, value: { results: ids.map(hit), total: ids.length, belowCutoff: 0, offset: 0, model: 'm', method: 'index', counted: true } };
    };
    const { page } = await pages.open(fake, { hash: '#/library?q=dogs' });
    const results = page.getByRole('listbox', { name: 'Search results' });
    await results.getByRole('option', { name: /^p1\.jpg/ }).click({ modifiers: ['Control'] });
    await results.getByRole('option', { name: /^p6\.jpg/ }).click({ modifiers: ['Control'] });
    const selected = page.getByRole('group', { name: 'Selection' }).getByText(/selected$/);
    await expect.poll(() => selected.textContent()).toBe('2 selected');
    await page.evaluate(() => (location.hash = '#/library?q=cats'));
    await results.getByRole('option', { name: /^p7\.jpg/ }).waitFor();
    await expect.poll(() => selected.textContent()).toBe('1 selected');
    await page.evaluate(() => (location.hash = '#/library?q=cats&sort=oldest'));
    await page.waitForTimeout(200);
    expect(await selected.textContent()).toBe('1 selected');
    expect(await results.getByRole('option', { name: /^p6\.jpg/ }).getAttribute('aria-selected')).toBe('true');
    // A search that finds nothing shows no grid, and keeps nothing selected out of sight.
    await page.evaluate(() => (location.hash = '#/library?q=birds'));
    await page.getByRole('heading', { name: /^No photos match/ }).waitFor();
    await expect.poll(() => page.getByRole('group', { name: 'Selection' }).count()).toBe(0);
  });

  it('keeps selected only the photos still in the library when it reloads, and a Shift range starts from one still selected', async () => {
    const fake = libraryFake();
    let removed = false;
    fake.overrides['photos.timeline'] = () => ({ ok: true, value: removed ? { total: 2, ids: [3, 1], ratios: [1.5, 0.75], takenAt: [FAKE_TIMELINE.takenAt[0] as number, FAKE_TIMELINE.takenAt[2] as number], names: ['c.jpg', 'a.jpg'], folderIds: [1, 1], versions: [3, 1] } : structuredClone(FAKE_TIMELINE) });
    const { page, emit } = await pages.open(fake, { hash: '#/library' });
    const grid = page.getByRole('listbox', { name: 'Photos' });
    await grid.getByRole('option', { name: /^c\.jpg/ }).click({ modifiers: ['Control'] });
    await grid.getByRole('option', { name: /^b\.jpg/ }).click({ modifiers: ['Control'] });
    const selected = page.getByRole('group', { name: 'Selection' }).getByText(/selected$/);
    await expect.poll(() => selected.textContent()).toBe('2 selected');
    removed = true;
    await emit({ type: 'library-changed' });
    await expect.poll(() => grid.getByRole('option').count(), { timeout: 5000 }).toBe(2);
    await expect.poll(() => selected.textContent()).toBe('1 selected');
    await grid.getByRole('option', { name: /^a\.jpg/ }).click({ modifiers: ['Shift'] });
    await expect.poll(() => selected.textContent()).toBe('2 selected');
    expect(await grid.getByRole('option', { selected: true }).evaluateAll((tiles) => tiles.map((tile) => tile.getAttribute('aria-label')?.split(',')[0]))).toEqual(['c.jpg', 'a.jpg']);
  });

  it('selects every match with Ctrl+A, those not loaded yet too, and counts them all as the list’s size', async () => {
    const fake = searchFake(1250);
    const { page } = await pages.open(fake, { hash: '#/library?q=dogs' });
    const results = page.getByRole('listbox', { name: 'Search results' });
    await results.getByRole('option').first().focus();
    expect(await results.getByRole('option').first().getAttribute('aria-setsize')).toBe('1250');
    await page.keyboard.press('Control+a');
    await expect.poll(() => page.getByRole('group', { name: 'Selection' }).getByText(/selected$/).textContent(), { timeout: 5000 }).toBe('1,250 selected');
    // The first page, then the largest pages the engine answers.
    expect(fake.callsOf('search.query').map(({ options }) => options?.limit)).toEqual([100, 1000, 1000]);
    // The same search asked again (Enter) starts from its first page: what is selected further down stays.
    await page.getByRole('searchbox', { name: 'Search photos' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => fake.callsOf('search.query').length, { timeout: 5000 }).toBe(4);
    await page.waitForTimeout(300);
    expect(await page.getByRole('group', { name: 'Selection' }).getByText(/selected$/).textContent()).toBe('1,250 selected');
  });

  it('goes with End to the last match, those not loaded yet loaded first, and with Shift+End selects up to it', async () => {
    const fake = searchFake(1250);
    const { page } = await pages.open(fake, { hash: '#/library?q=dogs' });
    const results = page.getByRole('listbox', { name: 'Search results' });
    await results.getByRole('option').first().focus();
    await page.keyboard.press('End');
    await expect.poll(() => focusedName(page), { timeout: 5000 }).toMatch(/^p1250\.jpg/);
    await page.keyboard.press('Home');
    await page.keyboard.press('Shift+End');
    await expect.poll(() => page.getByRole('group', { name: 'Selection' }).getByText(/selected$/).textContent(), { timeout: 5000 }).toBe('1,250 selected');
  });

  it('goes with End to the library’s last photo, those after the first screen too', async () => {
    const fake = searchFake(0);
    const all = Array.from({ length: 600 }, (_, i) => i + 1);
    fake.overrides['photos.timeline'] = ({ first }: { first?: number }) => ({ ok: true, value: timelineOf(all.slice(0, first), all.length) });
    const { page } = await pages.open(fake, { hash: '#/library' });
    await page.getByRole('listbox', { name: 'Photos' }).getByRole('option').first().focus();
    await page.keyboard.press('End');
    await expect.poll(() => focusedName(page), { timeout: 5000 }).toMatch(/^p600\.jpg/);
  });

  it('selects every photo of the library with Ctrl+A, those after the first screen too, before they would load (Note [First screen first])', async () => {
    const fake = searchFake(0);
    const all = Array.from({ length: 600 }, (_, i) => i + 1);
    fake.overrides['photos.timeline'] = ({ first }: { first?: number }) => ({ ok: true, value: timelineOf(all.slice(0, first), all.length) });
    const { page } = await pages.open(fake, { hash: '#/library' });
    const photos = page.getByRole('listbox', { name: 'Photos' });
    await photos.getByRole('option').first().focus();
    await page.keyboard.press('Control+a');
    await expect.poll(() => page.getByRole('group', { name: 'Selection' }).getByText(/selected$/).textContent(), { timeout: 2000 }).toBe('600 selected');
  });

  it('selects nothing with a Ctrl+A whose pages come after the results gave way to the library', async () => {
    const fake = searchFake(1250, 800);
    const { page } = await pages.open(fake, { hash: '#/library?q=dogs' });
    await page.getByRole('listbox', { name: 'Search results' }).getByRole('option').first().focus();
    await page.keyboard.press('Control+a');
    await page.keyboard.press('Escape');
    await page.getByRole('listbox', { name: 'Photos' }).waitFor();
    await page.waitForTimeout(2000);
    expect(await page.getByRole('group', { name: 'Selection' }).count()).toBe(0);
  });

  it('puts focus on the library’s first photo when Escape on a result gives the results up', async () => {
    const fake = searchFake(2);
    const { page } = await pages.open(fake, { hash: '#/library?q=sign' });
    await page.getByRole('listbox', { name: 'Search results' }).getByRole('option', { name: /^p2\.jpg/ }).focus();
    await page.keyboard.press('Escape');
    await page.getByRole('listbox', { name: 'Photos' }).waitFor();
    await expect.poll(() => focusedName(page)).toMatch(/^c\.jpg/);
    expect(await tabStop(page, 'Photos')).toMatch(/^c\.jpg/);
  });
});

describe('focus in the grid across reloads', () => {
  /** The library over a timeline the test changes (`timeline.now`, then an event, as indexing does). */
  async function libraryOverTimeline() {
    const fake = libraryFake();
    const timeline = { now: structuredClone(FAKE_TIMELINE) };
    fake.overrides['photos.timeline'] = () => ({ ok: true, value: structuredClone(timeline.now) });
    return { ...(await pages.open(fake, { hash: '#/library' })), timeline };
  }

  it('stays with its photo when photos are added before it: Enter opens it and Space selects it', async () => {
    const { page, emit, timeline } = await libraryOverTimeline();
    await page.getByRole('option', { name: /^b\.jpg/ }).focus();
    // Rows of newer photos before it: its tile is drawn again in another row.
    const added = timelineOf(Array.from({ length: 12 }, (_, i) => 100 + i));
    const old = timeline.now;
    timeline.now = { total: 15, ids: [...added.ids, ...old.ids], ratios: [...added.ratios, ...old.ratios], takenAt: [...added.takenAt, ...old.takenAt], names: [...added.names, ...old.names], folderIds: [...added.folderIds, ...old.folderIds], versions: [...added.versions, ...old.versions] };
    await emit({ type: 'library-changed' });
    await page.getByRole('option', { name: /^p100\.jpg/ }).waitFor();
    await expect.poll(() => focusedName(page)).toMatch(/^b\.jpg/);
    expect(await tabStop(page, 'Photos')).toMatch(/^b\.jpg/);
    await page.keyboard.press(' ');
    await expect.poll(() => page.getByRole('option', { name: /^b\.jpg/ }).getAttribute('aria-selected')).toBe('true');
    expect(await page.getByRole('listbox', { name: 'Photos' }).getByRole('option', { selected: true }).count()).toBe(1);
    await page.keyboard.press('Enter');
    await expect.poll(() => new URL(page.url()).hash).toContain('photo=2');
  });

  it('keeps the focused photo in view and focused when the window is resized (Note [Place kept by a photo])', async () => {
    const fake = libraryFake();
    const ids = Array.from({ length: 3000 }, (_, i) => i + 1);
    fake.overrides['photos.timeline'] = () => ({ ok: true, value: { ...timelineOf(ids), ratios: ids.map((id) => [1.5, 0.75, 1.33][id % 3] as number) } });
    const { page } = await pages.open(fake, { hash: '#/library' });
    const grid = page.getByRole('listbox', { name: 'Photos' });
    await grid.getByRole('option').first().focus();
    for (let i = 0; i < 40; i++) await page.keyboard.press('ArrowDown');
    const focused = await focusedName(page);
    expect(focused).not.toMatch(/^p1\.jpg/);
    await page.setViewportSize({ width: 560, height: 900 });
    await page.waitForTimeout(300);
    expect(await focusedName(page)).toBe(focused);
    const inView = () => page.evaluate(() => {
      const tile = (document.activeElement as HTMLElement).getBoundingClientRect();
      const view = (document.querySelector('.scroller') as HTMLElement).getBoundingClientRect();
      return tile.top >= view.top && tile.bottom <= view.bottom;
    });
    expect(await inView()).toBe(true);
    await page.keyboard.press('ArrowRight');
    expect(await focusedName(page)).not.toBe(focused);
  });

  it('keeps the photos in view in view when photos are indexed before them (Note [Place kept by a photo])', async () => {
    const fake = searchFake(0);
    let shown = Array.from({ length: 400 }, (_, i) => i + 101);
    fake.overrides['photos.timeline'] = () => ({ ok: true, value: timelineOf(shown) });
    const { page, emit } = await pages.open(fake, { hash: '#/library' });
    await page.getByRole('option', { name: /^p101\.jpg/ }).waitFor();
    await scrollGrid(page, 'Photos', 3000);
    const firstInView = () => page.evaluate(() => {
      const view = (document.querySelector('.scroller') as HTMLElement).getBoundingClientRect();
      return [...document.querySelectorAll('[role="option"]')].find((tile) => tile.getBoundingClientRect().top >= view.top)?.getAttribute('aria-label')?.split(',')[0];
    });
    const before = await firstInView();
    shown = [...Array.from({ length: 100 }, (_, i) => i + 1), ...shown];
    await emit({ type: 'library-changed' });
    await expect.poll(() => page.getByRole('listbox', { name: 'Photos' }).getByRole('option').first().getAttribute('aria-setsize'), { timeout: 5000 }).toBe('500');
    await expect.poll(firstInView, { timeout: 5000 }).toBe(before);
    expect(await gridScroll(page, 'Photos')).toBeGreaterThan(3000);
  });

  it.each([
    { said: 'counted', counted: true },
    // A large library's: the first page asked again says only what its pool held.
    { said: 'not counted yet', counted: false },
  ])('keeps results scrolled past the largest page, and the photos in view, when the library changes, the matches $said (Note [A search waits for photos])', async ({ counted }) => {
    const fake = searchFake(2500);
    const served = fake.overrides['search.query'] as (params: { options: { offset: number; limit: number } }) => CallOutcome<'search.query'>;
    fake.overrides['search.query'] = (params: { options: { offset: number; limit: number } }) => {
      const answer = served(params);
      return counted || !answer.ok || params.options.limit < 1000 ? answer : { ok: true, value: { ...answer.value, total: params.options.offset + answer.value.results.length, counted: false } };
    };
    const { page, emit } = await pages.open(fake, { hash: '#/library?q=dogs' });
    await page.getByRole('option', { name: /^p1\.jpg/ }).waitFor();
    /** How deep into the ranking the pages asked for so far reach. */
    const end = ({ options }: { options?: { offset?: number; limit?: number } }) => (options?.offset ?? 0) + (options?.limit ?? 0);
    const reach = () => Math.max(...fake.callsOf('search.query').map(end));
    while (reach() < 1500) {
      const asked = reach();
      await scrollGrid(page, 'Search results', 10_000_000);
      await expect.poll(reach, { timeout: 5000 }).toBeGreaterThan(asked);
    }
    await page.waitForTimeout(300);
    const deep = await gridScroll(page, 'Search results');
    const firstInView = () => page.evaluate(() => {
      const view = (document.querySelector('.scroller') as HTMLElement).getBoundingClientRect();
      return [...document.querySelectorAll('[role="option"]')].find((tile) => tile.getBoundingClientRect().top >= view.top)?.getAttribute('aria-label')?.split(',')[0];
    });
    const before = await firstInView();
    expect(Number(before?.replace(/\D/g, ''))).toBeGreaterThan(1000);
    const asked = fake.callsOf('search.query').length;
    const depth = reach();
    await emit({ type: 'library-changed' });
    // Asked again from the top, as deep as before, in the largest pages.
    await expect.poll(() => fake.callsOf('search.query').slice(asked).map(end).at(-1) ?? 0, { timeout: 5000 }).toBeGreaterThanOrEqual(depth);
    expect(fake.callsOf('search.query')[asked]?.options).toEqual(expect.objectContaining({ offset: 0, limit: 1000 }));
    await page.waitForTimeout(500);
    expect(await firstInView()).toBe(before);
    expect(await gridScroll(page, 'Search results')).toBe(deep);
  });

  it('keeps its tab stop on a photo in view when photos indexed before it push its own out, the grid at the top and not focused', async () => {
    const fake = searchFake(0);
    let shown = Array.from({ length: 20 }, (_, i) => i + 401);
    fake.overrides['photos.timeline'] = () => ({ ok: true, value: timelineOf(shown) });
    const { page, emit } = await pages.open(fake, { hash: '#/library' });
    await page.getByRole('option', { name: /^p401\.jpg/ }).waitFor();
    shown = [...Array.from({ length: 400 }, (_, i) => i + 1), ...shown];
    await emit({ type: 'library-changed' });
    await expect.poll(() => page.getByRole('listbox', { name: 'Photos' }).getByRole('option').first().getAttribute('aria-setsize'), { timeout: 5000 }).toBe('420');
    // Tab from the control before the grid lands on a photo in view.
    const stop = page.locator('[role="option"][tabindex="0"]');
    await expect.poll(() => stop.count(), { timeout: 5000 }).toBe(1);
    expect(await stop.evaluate((tile) => {
      const view = (document.querySelector('.scroller') as HTMLElement).getBoundingClientRect();
      const box = tile.getBoundingClientRect();
      return box.bottom > view.top && box.top < view.bottom;
    })).toBe(true);
    expect(await gridScroll(page, 'Photos')).toBe(0);
  });

  it('goes to the photo in its place when its own leaves the library', async () => {
    const { page, emit, timeline } = await libraryOverTimeline();
    await page.getByRole('option', { name: /^a\.jpg/ }).focus();
    timeline.now = { total: 2, ids: [3, 2], ratios: [1.5, 1], takenAt: timeline.now.takenAt.slice(0, 2), names: ['c.jpg', 'b.jpg'], folderIds: [1, 1], versions: [3, 2] };
    await emit({ type: 'library-changed' });
    await page.getByRole('option', { name: /^a\.jpg/ }).waitFor({ state: 'detached' });
    await expect.poll(() => tabStop(page, 'Photos')).toMatch(/^b\.jpg/);
  });
});

describe('photos’ versions in the grid (Note [Photo versions])', () => {
  it('puts each photo’s version in its thumbnail’s URL, in search results and on a tag’s page, as their lists give it', async () => {
    const fake = libraryFake();
    const results = [1, 2, 3].map((id) => ({ ...hit(id), version: 100 + id }));
    fake.overrides['search.query'] = () => ({ ok: true, value: { results, total: 3, belowCutoff: 0, offset: 0, model: 'm', method: 'index', counted: true } });
    fake.overrides['tags.list'] = () => ({ ok: true, value: [{ name: 'beach', enabled: true, inVocabulary: true, photos: 1, confirmed: 0, rejected: 0, samples: [1] }] });
    fake.overrides['tags.photos'] = () => ({ ok: true, value: { ids: [1], ratios: [1.5], takenAt: [hit(1).takenAt], names: [nameOf(1)], folderIds: [1], versions: [41] } });
    const { page } = await pages.open(fake, { hash: '#/library?q=dogs' });
    const thumbnail = (id: number) => page.getByRole('listbox').locator(`img[data-id="${id}"]`).getAttribute('src');
    await expect.poll(() => thumbnail(2)).toBe('/photo/thumbnail/2?v=102');
    await page.evaluate(() => (location.hash = '#/tags?tag=beach'));
    await page.getByRole('listbox', { name: 'Photos tagged beach' }).waitFor();
    await expect.poll(() => thumbnail(1)).toBe('/photo/thumbnail/1?v=41');
  });
});

describe('search results sorted by date', () => {
  it('have the library’s month headings, once the results shown are in that order, and none by relevance', async () => {
    const fake = libraryFake();
    // Noon in the middle of each month: the same month in any time zone. The fake answers newest first, whatever the sort.
    const [june20, june10, may15] = [Date.UTC(2024, 5, 20, 12), Date.UTC(2024, 5, 10, 12), Date.UTC(2024, 4, 15, 12)];
    const days = [june20, june10, may15];
    const results = days.map((takenAt, i) => ({ ...hit(i + 1), takenAt }));
    fake.overrides['search.query'] = () => ({ ok: true, value: { results, total: 3, belowCutoff: 0, offset: 0, model: 'm', method: 'index', counted: true } });
    const { page } = await pages.open(fake, { hash: '#/library?q=dogs&sort=newest' });
    const headings = () => page.getByRole('listbox', { name: 'Search results' }).locator('.heading').allTextContents();
    const months = await page.evaluate((times) => times.map((time) => new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric' }).format(new Date(time))), [june20, may15]);
    await expect.poll(headings, { timeout: 5000 }).toEqual(months);
    // Oldest first, answered newest first: not in that order, so no headings that would mislead.
    await page.evaluate(() => (location.hash = '#/library?q=dogs&sort=oldest'));
    await expect.poll(headings, { timeout: 5000 }).toEqual([]);
    await page.evaluate(() => (location.hash = '#/library?q=dogs&sort=newest'));
    await expect.poll(headings, { timeout: 5000 }).toEqual(months);
    await page.evaluate(() => (location.hash = '#/library?q=dogs'));
    await expect.poll(headings, { timeout: 5000 }).toEqual([]);
  });
});

describe('a tile whose thumbnail is on its way', () => {
  it('shimmers until the thumbnail comes (app.css)', async () => {
    // Opened elsewhere, so that no thumbnail is asked for before they are held.
    const { page } = await pages.open(libraryFake(), { hash: '#/settings' });
    const held: Array<() => Promise<void>> = [];
    await page.route('**/photo/thumbnail/**', (route) => void held.push(() => route.continue()));
    await page.evaluate(() => (location.hash = '#/library'));
    const tile = page.getByRole('listbox', { name: 'Photos' }).getByRole('option', { name: /^c\.jpg/ });
    await tile.waitFor();
    const shimmers = () => tile.evaluate((element) => getComputedStyle(element).backgroundImage.startsWith('linear-gradient'));
    await expect.poll(() => held.length, { timeout: 5000 }).toBeGreaterThan(0);
    expect(await shimmers()).toBe(true);
    while (held.length) await (held.shift() as () => Promise<void>)();
    await expect.poll(shimmers, { timeout: 5000 }).toBe(false);
  });
});

describe('the selection bar from the keyboard', () => {
  const focusedText = (page: Page) => page.evaluate(() => {
    const active = document.activeElement as HTMLElement | null;
    return active?.getAttribute('aria-label') ?? (active?.tagName === 'BUTTON' ? active.textContent?.trim() : active?.tagName);
  });

  /** Selects two photos of `grid` from the keyboard, then Tabs: to the bar's first action, through the bar, and back to the photo. */
  async function tabThroughTheBar(page: Page, grid: string): Promise<void> {
    await page.getByRole('listbox', { name: grid }).getByRole('option').first().focus();
    await page.keyboard.press(' ');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press(' ');
    await page.getByText('2 selected').waitFor();
    const photo = await focusedText(page);
    await page.keyboard.press('Tab');
    await expect.poll(() => focusedText(page), { timeout: 5000 }).toBe('Save as album…');
    const visited: Array<string | undefined> = [];
    for (let i = 0; i < 10 && (await page.evaluate(() => !!document.activeElement?.closest('[role="group"][aria-label="Selection"]'))); i++) {
      visited.push(await focusedText(page));
      await page.keyboard.press('Tab');
    }
    expect(visited.at(-1)).toBe('Clear selection');
    // Past the bar, back to the photo Tab left: never off the page.
    expect(await focusedText(page)).toBe(photo);
    await page.keyboard.press('Shift+Tab');
    expect(await focusedText(page)).toBe('Clear selection');
  }

  it('is the next Tab stop after the library’s grid while photos are selected', async () => {
    const { page } = await pages.open(libraryFake(), { hash: '#/library' });
    await tabThroughTheBar(page, 'Photos');
    // And the shortcuts dialog says so.
    await page.keyboard.press('?');
    await page.getByRole('dialog').getByRole('row', { name: /^Tab With photos selected: go from the grid to what can be done with them/ }).waitFor({ timeout: 5000 });
  });

  it('is the next Tab stop after search results while photos are selected', async () => {
    const { page } = await pages.open(searchFake(5), { hash: '#/library?q=dogs' });
    await tabThroughTheBar(page, 'Search results');
  });

  it('lets a Tab stop after the grid keep its turn: a search’s “Show 4 more”', async () => {
    const fake = searchFake(0);
    fake.overrides['search.query'] = ({ options }: { options: { offset: number } }) => ({ ok: true, value: { results: [1, 2, 3].map(hit), total: 3, belowCutoff: 4, offset: options.offset, model: 'm', method: 'index', counted: true } });
    const { page } = await pages.open(fake, { hash: '#/library?q=dogs' });
    await page.getByRole('button', { name: 'Show 4 more' }).waitFor({ timeout: 5000 });
    await page.getByRole('listbox', { name: 'Search results' }).getByRole('option').first().focus();
    await page.keyboard.press(' ');
    await page.getByText('1 selected').waitFor();
    await page.keyboard.press('Tab');
    await expect.poll(() => focusedText(page), { timeout: 5000 }).toBe('Show 4 more');
  });

  it('is the next Tab stop after a tag’s photos and an album’s while photos are selected', async () => {
    const fake = albumsFake({ Trip: [1, 2, 3] });
    const ids = [1, 2, 3];
    fake.overrides['tags.list'] = () => ({ ok: true, value: [{ name: 'beach', enabled: true, inVocabulary: true, photos: 3, confirmed: 0, rejected: 0, samples: [1] }] });
    fake.overrides['tags.photos'] = () => ({ ok: true, value: timelineOf(ids) });
    const { page } = await pages.open(fake, { hash: '#/tags?tag=beach' });
    await tabThroughTheBar(page, 'Photos tagged beach');
    await page.keyboard.press('Escape');
    await page.evaluate(() => (location.hash = '#/albums?album=saved:1'));
    await tabThroughTheBar(page, 'Photos of Trip');
  });
});

describe('photos of one name in the grid', () => {
  /** Each photo whose name starts with `start`, as Chromium's accessibility tree has it: its name and its description. */
  async function optionsOf(page: Page, start: string): Promise<Array<{ name: string; description: string }>> {
    const session = await page.context().newCDPSession(page);
    const { nodes } = (await session.send('Accessibility.getFullAXTree')) as { nodes: Array<{ role?: { value?: string }; name?: { value?: string }; description?: { value?: string }; ignored?: boolean }> };
    await session.detach();
    return nodes.filter((node) => !node.ignored && node.role?.value === 'option' && node.name?.value?.startsWith(start)).map((node) => ({ name: node.name?.value ?? '', description: node.description?.value ?? '' }));
  }

  it('are told apart by their library folder, described, with their names as they were', async () => {
    const fake = libraryFake();
    fake.status.library = { ...fake.status.library!, folders: [{ id: 1, path: '/home/ada/Pictures', excludes: [] }, { id: 2, path: '/media/card/DCIM', excludes: [] }] };
    const day = Date.UTC(2023, 4, 9, 12);
    const results = [{ ...hit(1), name: 'screenshot.png', takenAt: day, folderId: 1 }, { ...hit(2), name: 'screenshot.png', takenAt: day, folderId: 2 }];
    fake.overrides['search.query'] = () => ({ ok: true, value: { results, total: 2, belowCutoff: 0, offset: 0, model: 'm', method: 'index', counted: true } });
    const { page } = await pages.open(fake, { hash: '#/library?q=screens' });
    const grid = page.getByRole('listbox', { name: 'Search results' });
    await grid.getByRole('option').nth(1).waitFor();
    const named = await page.evaluate((time) => `screenshot.png, ${new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(new Date(time))}`, day);
    // Found by their names exactly as before: the folder is a description, not part of the name.
    expect(await grid.getByRole('option', { name: named, exact: true }).count()).toBe(2);
    await expect.poll(() => optionsOf(page, 'screenshot.png'), { timeout: 5000 }).toEqual([
      { name: named, description: 'in Pictures' },
      { name: named, description: 'in DCIM' },
    ]);
  });

  it('are told apart by their library folder in the library, either way sorted, and on a tag’s and an album’s page', async () => {
    const fake = albumsFake({ Trip: [3, 2, 1] });
    fake.status.library = { ...fake.status.library!, folders: [{ id: 1, path: '/home/ada/Pictures', excludes: [] }, { id: 2, path: '/media/card/DCIM', excludes: [] }] };
    const ofTwoFolders: LibraryTimeline = { ...FAKE_TIMELINE, names: ['shot.png', 'shot.png', 'shot.png'], folderIds: [2, 1, 1] };
    fake.overrides['photos.timeline'] = () => ({ ok: true, value: ofTwoFolders });
    fake.overrides['tags.list'] = () => ({ ok: true, value: [{ name: 'beach', enabled: true, inVocabulary: true, photos: 3, confirmed: 0, rejected: 0, samples: [1] }] });
    fake.overrides['tags.photos'] = () => ({ ok: true, value: ofTwoFolders });
    fake.overrides['albums.photos'] = () => ({ ok: true, value: ofTwoFolders });
    const { page } = await pages.open(fake, { hash: '#/library' });
    const descriptions = () => optionsOf(page, 'shot.png').then((options) => options.map((option) => option.description));
    await expect.poll(descriptions, { timeout: 5000 }).toEqual(['in DCIM', 'in Pictures', 'in Pictures']);
    await page.evaluate(() => (location.hash = '#/library?sort=oldest'));
    await expect.poll(descriptions, { timeout: 5000 }).toEqual(['in Pictures', 'in Pictures', 'in DCIM']);
    for (const hash of ['#/tags?tag=beach', '#/albums?album=saved:1']) {
      await page.evaluate((to) => (location.hash = to), hash);
      await page.getByRole('listbox', { name: /^Photos (tagged beach|of Trip)$/ }).waitFor();
      await expect.poll(descriptions, { timeout: 5000 }).toEqual(['in DCIM', 'in Pictures', 'in Pictures']);
    }
  });

  it('are not described by the folder when the library has only one', async () => {
    const fake = libraryFake();
    fake.overrides['search.query'] = () => ({ ok: true, value: { results: [hit(1), hit(2)], total: 2, belowCutoff: 0, offset: 0, model: 'm', method: 'index', counted: true } });
    const { page } = await pages.open(fake, { hash: '#/library?q=screens' });
    await page.getByRole('listbox', { name: 'Search results' }).getByRole('option').nth(1).waitFor();
    expect((await optionsOf(page, 'p')).map((option) => option.description)).toEqual(['', '']);
  });
});

describe('the line under results the relevance cutoff left out', () => {
  it('sits right under the last row of a short list, not at the window’s foot, and shows them when asked', async () => {
    const fake = searchFake(0);
    fake.overrides['search.query'] = ({ options }: { options: { offset: number; showAll: boolean } }) => {
      const ids = options.showAll ? [1, 2, 3, 4, 5, 6, 7] : [1, 2, 3];
      return { ok: true, value: { results: ids.map(hit), total: ids.length, belowCutoff: options.showAll ? 0 : 4, offset: options.offset, model: 'm', method: 'index', counted: true } };
    };
    const { page } = await pages.open(fake, { hash: '#/library?q=dogs' });
    const line = page.getByText('4 less relevant photos are hidden.');
    await line.waitFor({ timeout: 5000 });
    const tiles = page.getByRole('listbox', { name: 'Search results' }).getByRole('option');
    const lastRowBottom = Math.max(...(await tiles.evaluateAll((all) => all.map((tile) => tile.getBoundingClientRect().bottom))));
    const lineTop = (await line.boundingBox())!.y;
    expect(lineTop - lastRowBottom).toBeGreaterThanOrEqual(0);
    expect(lineTop - lastRowBottom).toBeLessThan(40);
    await page.getByRole('button', { name: 'Show 4 more' }).click();
    await expect.poll(() => tiles.count(), { timeout: 5000 }).toBe(7);
    expect(await line.count()).toBe(0);
  });
});

describe('a photo whose thumbnail cannot be had', () => {
  it('shows as such in the grid, not as loading for ever', async () => {
    const fake = libraryFake();
    const opened = await pages.open(fake, { hash: '#/library' });
    const { page } = opened;
    // Its file moved or changed since it was indexed: the app's protocol answers 404 (main/app/photo-route.ts).
    await page.route('**/photo/thumbnail/2*', (route) => void route.fulfill({ status: 404, contentType: 'text/plain', body: 'Not found' }));
    await page.reload();
    const grid = page.getByRole('listbox', { name: 'Photos' });
    const gone = grid.getByRole('option', { name: /^b\.jpg/ });
    await gone.getByText('No preview').waitFor();
    expect(await gone.getAttribute('aria-label')).toMatch(/^b\.jpg, .*, no preview$/);
    expect(await gone.evaluate((tile) => tile.classList.contains('shimmer'))).toBe(false);
    // The others load as usual.
    await expect.poll(() => grid.getByRole('option', { name: /^a\.jpg/ }).evaluate((tile) => tile.classList.contains('loaded'))).toBe(true);
    // The browser's own line for the refused load is the case under test, not a fault of the page.
    opened.problems.splice(0, Infinity, ...opened.problems.filter((problem) => !/Failed to load resource: the server responded with a status of 404/.test(problem)));
  });
});
