/**
 * The viewer, built for real and driven in Chromium against a fake engine: where focus goes when
 * the photo shown turns out gone, its buttons apart on a small window, and the search keys from it.
 */
import { describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { appPages, FAKE_MODEL, FAKE_TIMELINE, libraryFake, rendererInChromium } from './harness.js';

const pages = appPages(rendererInChromium());

const GONE = { ok: false as const, error: { code: 'not-found', message: 'There is no such photo in the library.' } };

const detailsOf = (id: number) => ({
  ok: true as const,
  value: { id, name: FAKE_TIMELINE.names[FAKE_TIMELINE.ids.indexOf(id)] as string, folderId: 1, takenAt: Date.UTC(2024, 5, id), width: 4000, height: 3000, format: 'jpeg', version: id, path: `/p/${id}.jpg`, size: 1, capturedAt: null, camera: null, lens: null, location: null, copies: [] },
});

/** What has focus: its accessible name as a label gives it, else its tag. */
const focused = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.tagName ?? null);

const isFocused = (locator: Locator) => locator.evaluate((element) => element === document.activeElement);

describe('the viewer on a photo gone from the library', () => {
  it('keeps focus in the dialog when it opens on a photo gone and not in the list, and sends it to the heading when closed', async () => {
    const fake = libraryFake();
    fake.overrides['photos.details'] = () => GONE;
    fake.overrides['photos.text'] = () => GONE;
    fake.overrides['search.similar'] = () => GONE;
    const { page } = await pages.open(fake, { hash: '#/library?photo=99' });
    const viewer = page.getByRole('dialog');
    await viewer.getByRole('heading', { name: 'Photo no longer in the library' }).waitFor();
    await expect.poll(() => focused(page), { timeout: 5000 }).toBe('Close the viewer');
    await page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'hidden' });
    await expect.poll(() => isFocused(page.getByRole('heading', { level: 1 })), { timeout: 5000 }).toBe(true);
  });

  it('keeps focus on Previous for a gone photo the list has, and gives it back to its tile when closed', async () => {
    const fake = libraryFake();
    fake.overrides['photos.details'] = ({ id }: { id: number }) => (id === 2 ? GONE : detailsOf(id));
    const { page } = await pages.open(fake, { hash: '#/library' });
    await page.getByRole('option', { name: /^b\.jpg/ }).click();
    await page.getByRole('dialog').getByRole('heading', { name: 'Photo no longer in the library' }).waitFor();
    await expect.poll(() => focused(page), { timeout: 5000 }).toBe('Previous photo');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    await expect.poll(() => isFocused(page.getByRole('option', { name: /^b\.jpg/ })), { timeout: 5000 }).toBe(true);
  });

  it('sets Previous and Next at the middle of a gone photo’s frame, which has no zoom bar', async () => {
    const fake = libraryFake();
    fake.overrides['photos.details'] = ({ id }: { id: number }) => (id === 2 ? GONE : detailsOf(id));
    const { page } = await pages.open(fake, { hash: '#/library' });
    await page.getByRole('option', { name: /^b\.jpg/ }).click();
    const viewer = page.getByRole('dialog');
    await viewer.getByRole('heading', { name: 'Photo no longer in the library' }).waitFor();
    const stage = (await viewer.locator('.stage').boundingBox())!;
    for (const name of ['Previous photo', 'Next photo']) {
      const nav = (await viewer.getByRole('button', { name, exact: true }).boundingBox())!;
      expect(Math.abs(nav.y + nav.height / 2 - (stage.y + stage.height / 2)), name).toBeLessThan(2);
    }
  });

  it('shows none of its similar photos once it has gone, and keeps the focus that was on one in the dialog', async () => {
    const fake = libraryFake();
    let gone = false;
    fake.overrides['photos.details'] = ({ id }: { id: number }) => (gone && id === 2 ? GONE : detailsOf(id));
    const like = (id: number) => ({ ...detailsOf(id).value, score: 0.9 });
    fake.overrides['search.similar'] = () => ({ ok: true, value: { results: [like(3), like(1)], total: 2, belowCutoff: 0, offset: 0, model: FAKE_MODEL, method: 'index', counted: true } });
    const { page, emit } = await pages.open(fake, { hash: '#/library' });
    await page.getByRole('option', { name: /^b\.jpg/ }).click();
    const viewer = page.getByRole('dialog', { name: 'b.jpg' });
    const strip = viewer.getByRole('region', { name: 'Similar photos' });
    await strip.getByRole('button').first().focus();
    gone = true;
    await emit({ type: 'library-changed' });
    await page.getByRole('dialog').getByRole('heading', { name: 'Photo no longer in the library' }).waitFor();
    await expect.poll(() => page.getByRole('dialog').getByRole('region', { name: 'Similar photos' }).count()).toBe(0);
    expect(await page.getByRole('dialog').getByRole('heading', { name: 'Similar photos' }).count()).toBe(0);
    await expect.poll(() => focused(page), { timeout: 5000 }).toBe('Close the viewer');
  });
});

describe('the viewer on a small window', () => {
  it('keeps Previous and Next off the zoom buttons, zoomed in too', async () => {
    const fake = libraryFake();
    fake.overrides['photos.details'] = ({ id }: { id: number }) => detailsOf(id);
    const { page } = await pages.open(fake, { hash: '#/library?photo=2' });
    await page.setViewportSize({ width: 320, height: 256 });
    const viewer = page.getByRole('dialog', { name: 'b.jpg' });
    await viewer.getByRole('img', { name: 'b.jpg' }).waitFor();
    const zoomIn = viewer.getByRole('button', { name: 'Zoom in' });
    for (let level = 0; level < 4; level++) await zoomIn.click();
    await expect.poll(() => viewer.getByRole('button', { name: 'Zoom out' }).getAttribute('aria-disabled')).toBe('false');
    const boxOf = async (name: string) => (await viewer.getByRole('button', { name, exact: true }).boundingBox())!;
    const apart = (a: { x: number; y: number; width: number; height: number }, b: typeof a) => a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
    for (const nav of ['Previous photo', 'Next photo']) {
      for (const zoom of ['Zoom out', 'Zoom in', 'Fit to window']) expect(apart(await boxOf(nav), await boxOf(zoom)), `${nav} and ${zoom}`).toBe(true);
    }
  });
});

describe('the search keys in the viewer', () => {
  it.each(['/', 'Control+k'])('%s closes the viewer and puts the cursor in the search box', async (key) => {
    const fake = libraryFake();
    fake.overrides['photos.details'] = ({ id }: { id: number }) => detailsOf(id);
    const { page } = await pages.open(fake, { hash: '#/library' });
    await page.getByRole('option', { name: /^b\.jpg/ }).click();
    const viewer = page.getByRole('dialog', { name: 'b.jpg' });
    await viewer.getByRole('button', { name: 'Close the viewer' }).waitFor();
    await page.keyboard.press(key);
    await viewer.waitFor({ state: 'hidden' });
    const box = page.getByRole('searchbox', { name: 'Search photos' });
    await expect.poll(() => isFocused(box), { timeout: 5000 }).toBe(true);
    // Not taken back by the tile the viewer was opened from.
    await page.waitForTimeout(200);
    expect(await isFocused(box)).toBe(true);
    await page.keyboard.type('x');
    expect(await box.inputValue()).toBe('x');
    expect(page.url()).not.toContain('photo=');
  });

  it('/ does so in a viewer opened by its address too, which no step back closes', async () => {
    const fake = libraryFake();
    fake.overrides['photos.details'] = ({ id }: { id: number }) => detailsOf(id);
    const { page } = await pages.open(fake, { hash: '#/library?photo=2' });
    const viewer = page.getByRole('dialog', { name: 'b.jpg' });
    await viewer.getByRole('button', { name: 'Close the viewer' }).waitFor();
    await page.keyboard.press('/');
    await viewer.waitFor({ state: 'hidden' });
    const box = page.getByRole('searchbox', { name: 'Search photos' });
    await expect.poll(() => isFocused(box), { timeout: 5000 }).toBe(true);
    await page.waitForTimeout(200);
    expect(await isFocused(box)).toBe(true);
  });

  it('types a slash in the viewer’s Add a tag field, the viewer staying open', async () => {
    const fake = libraryFake();
    fake.overrides['photos.details'] = ({ id }: { id: number }) => detailsOf(id);
    const { page } = await pages.open(fake, { hash: '#/library' });
    await page.getByRole('option', { name: /^b\.jpg/ }).click();
    const viewer = page.getByRole('dialog', { name: 'b.jpg' });
    const field = viewer.getByRole('combobox', { name: 'Add a tag' });
    await field.focus();
    await page.keyboard.type('a/b');
    expect(await field.inputValue()).toBe('a/b');
    expect(await viewer.isVisible()).toBe(true);
  });
});
