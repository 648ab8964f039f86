/**
 * Focus kept on the page (Note [Focus kept] in renderer/src/lib/focus-kept.ts): a control that
 * leaves the page while it has focus hands it to its nearest surviving neighbourhood, never to
 * the document's body. Built for real and driven in Chromium against a fake engine.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { PhotoTagsInfo } from '../../preload/contract.js';
import { appPages, libraryFake, paste, rendererInChromium } from './harness.js';

const pages = appPages(rendererInChromium());

/** What has focus: its accessible name (or text), or BODY. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const active = document.activeElement;
    return !active || active === document.body ? 'BODY' : (active.getAttribute('aria-label') ?? active.textContent?.trim() ?? active.tagName);
  });
const poll = (page: Page) => expect.poll(() => focused(page), { timeout: 5000, interval: 25 });

describe('focus kept on the page', () => {
  it('goes from a tag’s ✓ to its Undo, and from Undo back to the ✓, in the viewer', async () => {
    const fake = libraryFake();
    let tags: PhotoTagsInfo = { photoId: 2, tags: [{ tag: 'sign', source: 'auto', score: 0.8 }], rejected: [] };
    fake.overrides['tags.ofPhoto'] = () => ({ ok: true, value: tags });
    fake.overrides['tags.list'] = () => ({ ok: true, value: [] });
    fake.overrides['tags.verdict'] = ({ verdict }: { verdict: string }) => {
      const before = { confirmed: tags.tags.some((each) => each.source === 'person') ? [2] : [], rejected: [] };
      tags = { ...tags, tags: [{ tag: 'sign', source: verdict === 'confirm' ? 'person' : 'auto', score: 0.8 }] };
      return { ok: true, value: { given: 1, photo: tags, before } };
    };
    const { page } = await pages.open(fake, { hash: '#/library?photo=2' });
    const viewer = page.getByRole('dialog');
    await viewer.getByRole('button', { name: 'Confirm sign' }).focus();
    await page.keyboard.press('Enter');
    await poll(page).toBe('Undo confirming sign');
    await page.keyboard.press('Enter');
    await poll(page).toBe('Confirm sign');
  });

  it('stays in the grid when the selection bar goes with its selection', async () => {
    const { page } = await pages.open(libraryFake(), { hash: '#/library' });
    const tile = page.getByRole('option', { name: /^b\.jpg/ });
    await tile.click({ modifiers: ['Control'] });
    await page.getByText('1 selected').waitFor();
    await page.getByRole('button', { name: 'Clear selection' }).click();
    await page.getByText('1 selected').waitFor({ state: 'detached' });
    await poll(page).toMatch(/^b\.jpg/);
  });

  it('stays in the grid when Escape on a result gives the results up for the library', async () => {
    const fake = libraryFake();
    const hit = (id: number, name: string) => ({ id, name, folderId: 1, takenAt: Date.UTC(2024, 5, id), width: 400, height: 300, format: 'jpeg', score: 0.9 });
    fake.overrides['search.query'] = () => ({ ok: true, value: { results: [hit(2, 'b.jpg'), hit(1, 'a.jpg')], total: 2, belowCutoff: 0, offset: 0, model: 'm', method: 'index', counted: true } });
    const { page } = await pages.open(fake, { hash: '#/library?q=sign' });
    await expect.poll(() => page.title()).toBe('“sign” — Lumen');
    await page.getByRole('listbox', { name: 'Search results' }).getByRole('option', { name: /^a\.jpg/ }).focus();
    await page.keyboard.press('Escape');
    await page.getByRole('listbox', { name: 'Photos' }).waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('[role="listbox"]')?.getAttribute('aria-label')), { timeout: 5000 }).toBe('Photos');
    await poll(page).toMatch(/^[abc]\.jpg, /);
    expect(await page.title()).toBe('Library — Lumen');
  });

  it('goes back to a button that asked twice once its question is answered, not to the first action of its bar', async () => {
    const fake = libraryFake();
    fake.overrides['xmp.export'] = () => ({ ok: true, value: { written: 1, unchanged: 0, withoutTags: 0, skipped: [] } });
    const { page } = await pages.open(fake, { hash: '#/library' });
    await page.getByRole('option', { name: /^b\.jpg/ }).click({ modifiers: ['Control'] });
    const bar = page.getByRole('group', { name: 'Selection' });
    await bar.getByRole('button', { name: 'Write to XMP sidecars' }).click();
    await bar.getByRole('button', { name: 'Write sidecars' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => fake.callsOf('xmp.export').length).toBe(1);
    await poll(page).toBe('Write to XMP sidecars');
    await page.waitForTimeout(200);
    expect(await focused(page)).toBe('Write to XMP sidecars');
  });

  it('stays on a button that is busy, which asks nothing more until it is done', async () => {
    const fake = libraryFake();
    let finish = (): void => {};
    fake.overrides['duplicates.find'] = () => new Promise((resolve) => (finish = () => resolve({ ok: true, value: { model: 'm', threshold: 0.75, images: 3, groups: [] } })));
    const { page } = await pages.open(fake, { hash: '#/duplicates' });
    const find = page.getByRole('button', { name: 'Find duplicates' });
    await find.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => find.getAttribute('aria-disabled')).toBe('true');
    await page.keyboard.press('Enter');
    expect(await focused(page)).toBe('Find duplicates');
    finish();
    await expect.poll(() => find.getAttribute('aria-disabled')).toBe('false');
    expect(await focused(page)).toBe('Find duplicates');
    expect(fake.callsOf('duplicates.find')).toHaveLength(1);
  });

  it('leaves focus where the person put it: a click on empty space is not undone by the next change', async () => {
    const { page } = await pages.open(libraryFake(), { hash: '#/library' });
    await page.getByRole('option', { name: /^b\.jpg/ }).click({ modifiers: ['Control'] });
    await page.getByRole('button', { name: 'Clear selection' }).focus();
    await page.mouse.click(5, 790);
    expect(await focused(page)).toBe('BODY');
    // The control that had focus before the click goes (Escape clears the selection): focus stays where the person put it.
    await page.keyboard.press('Escape');
    await page.getByText('1 selected').waitFor({ state: 'detached' });
    await page.waitForTimeout(100);
    expect(await focused(page)).toBe('BODY');
    await page.evaluate(() => document.querySelector('main')?.append(Object.assign(document.createElement('p'), { textContent: 'a change' })));
    await page.waitForTimeout(100);
    expect(await focused(page)).toBe('BODY');
  });
});

describe('from the search box to the photos', () => {
  it('goes down to the first photo found with ↓, and to the library’s first photo with no search', async () => {
    const fake = libraryFake();
    const hit = (id: number, name: string) => ({ id, name, folderId: 1, takenAt: Date.UTC(2024, 5, id), width: 400, height: 300, format: 'jpeg', score: 0.9 });
    fake.overrides['search.query'] = () => ({ ok: true, value: { results: [hit(1, 'a.jpg'), hit(2, 'b.jpg')], total: 2, belowCutoff: 0, offset: 0, model: 'm', method: 'index', counted: true } });
    const { page } = await pages.open(fake, { hash: '#/library' });
    const box = page.getByRole('searchbox', { name: 'Search photos' });
    await page.getByRole('listbox', { name: 'Photos' }).getByRole('option').first().waitFor();
    await box.focus();
    await page.keyboard.press('ArrowDown');
    await poll(page).toMatch(/^c\.jpg, /);
    await box.fill('sign');
    await page.getByRole('listbox', { name: 'Search results' }).waitFor();
    await page.keyboard.press('ArrowDown');
    await poll(page).toMatch(/^a\.jpg, /);
  });
});

describe('focus when the screen’s content gives way', () => {
  it('goes to the screen’s title when a photo pasted over the library replaces the photo that had it, not to the header’s first control', async () => {
    const fake = libraryFake();
    const hit = { id: 2, name: 'b.jpg', folderId: 1, takenAt: Date.UTC(2024, 5, 2), width: 400, height: 300, format: 'jpeg', score: 0.9 };
    fake.overrides['search.image'] = () => ({ ok: true, value: { results: [hit], total: 1, belowCutoff: 0, offset: 0, model: 'm', method: 'index', counted: true } });
    const { page } = await pages.open(fake, { hash: '#/library' });
    await page.getByRole('option', { name: /^a\.jpg/ }).focus();
    await paste(page, 'cups.jpg');
    await expect.poll(() => page.title()).toBe('Like “cups.jpg” — Lumen');
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
  });

  it('goes to the title even when new results stand in the photo’s place before it looks', async () => {
    const { page } = await pages.open(libraryFake(), { hash: '#/library' });
    await page.getByRole('option', { name: /^a\.jpg/ }).focus();
    // In one step, as results that came back at once would: the grid that held focus goes, a new one takes its place.
    await page.evaluate(() => {
      const grid = document.querySelector('[data-focus-home]') as HTMLElement;
      grid.replaceWith(grid.cloneNode(true));
    });
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
  });
});

describe('Escape closes what is open first', () => {
  it('closes the Filters panel, with focus back on its button, before it gives up the search', async () => {
    const fake = libraryFake();
    const hit = (id: number, name: string) => ({ id, name, folderId: 1, takenAt: Date.UTC(2024, 5, id), width: 400, height: 300, format: 'jpeg', score: 0.9 });
    fake.overrides['search.query'] = () => ({ ok: true, value: { results: [hit(2, 'b.jpg')], total: 1, belowCutoff: 0, offset: 0, model: 'm', method: 'index', counted: true } });
    const { page } = await pages.open(fake, { hash: '#/library?q=sign' });
    const toggle = page.getByRole('button', { name: 'Filters' });
    await toggle.click();
    await page.getByRole('group', { name: 'Filters' }).getByLabel('Camera').focus();
    await page.keyboard.press('Escape');
    await page.getByRole('group', { name: 'Filters' }).waitFor({ state: 'detached' });
    expect(await focused(page)).toBe('Filters');
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await page.title()).toBe('“sign” — Lumen');
    // With nothing open, Escape on the button is the app's again: the search goes.
    await page.keyboard.press('Escape');
    await expect.poll(() => page.title()).toBe('Library — Lumen');
  });

  it('closes the Filters panel from anywhere, before the selection and the search', async () => {
    const { page } = await pages.open(libraryFake(), { hash: '#/library' });
    await page.getByRole('button', { name: 'Filters' }).click();
    const tile = page.getByRole('option', { name: /^a\.jpg/ });
    await tile.click({ modifiers: ['Control'] });
    await expect.poll(() => tile.getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Escape');
    await page.getByRole('group', { name: 'Filters' }).waitFor({ state: 'detached' });
    expect(await tile.getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Escape');
    await expect.poll(() => tile.getAttribute('aria-selected')).toBe('false');
  });

  it('takes back an “are you sure” question, with focus on the button that asked', async () => {
    const { page } = await pages.open(libraryFake(), { hash: '#/settings' });
    const ask = page.getByRole('button', { name: /^Remove / }).first();
    await ask.click();
    await page.getByRole('button', { name: 'Keep', exact: true }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Keep', exact: true }).waitFor({ state: 'detached' });
    await expect.poll(() => ask.evaluate((button) => button === document.activeElement)).toBe(true);
  });
});

describe('focus that shows', () => {
  it('rings the Import… button when its hidden file input has focus from the keyboard', async () => {
    const { page } = await pages.open(libraryFake(), { hash: '#/templates' });
    const exportButton = page.getByRole('button', { name: 'Export' });
    await exportButton.focus();
    await page.keyboard.press('Shift+Tab');
    const label = page.locator('label', { hasText: 'Import…' });
    await expect.poll(() => label.evaluate((element) => getComputedStyle(element).outlineStyle)).toBe('solid');
  });

  it('draws no ring round a screen’s title, which takes focus when the screen opens', async () => {
    const { page } = await pages.open(libraryFake(), { hash: '#/library' });
    // Not by a click: after one, focus placed by the page is never ringed anyway.
    await page.evaluate(() => (location.hash = '#/templates'));
    const title = page.getByRole('heading', { level: 1, name: 'Templates' });
    await expect.poll(() => title.evaluate((element) => element === document.activeElement)).toBe(true);
    expect(await title.evaluate((element) => getComputedStyle(element).outlineStyle)).toBe('none');
  });

  it('draws the viewer’s focus ring in the light colour its dark surfaces need, in the light theme too', async () => {
    const { page } = await pages.open(libraryFake(), { hash: '#/library?photo=2', colorScheme: 'light' });
    const close = page.getByRole('dialog').getByRole('button', { name: 'Close the viewer' });
    await close.focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    expect(await close.evaluate((element) => getComputedStyle(element).outlineColor)).toBe('rgb(169, 184, 255)');
  });
});
