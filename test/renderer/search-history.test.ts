/**
 * A search's place in the history and the window's title, built for real and driven in Chromium
 * against a fake engine: what Escape gives up, what Back undoes, and how the title names a search.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { folderKey } from '../../main/core/folder-key.js';
import type { FolderChoice } from '../../preload/contract.js';
import { FAKE_FOLDER, appPages, libraryFake, paste, rendererInChromium, type FakeLumen } from './harness.js';

const pages = appPages(rendererInChromium());
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000, interval: 25 });
const hash = (page: Page) => page.evaluate(() => decodeURIComponent(location.hash));

/** libraryFake, answering every search with b.jpg, and naming photo 2 b.jpg. */
function searchingFake(): FakeLumen {
  const fake = libraryFake();
  const hit = { id: 2, name: 'b.jpg', folderId: 1, takenAt: Date.UTC(2024, 5, 2), width: 400, height: 300, format: 'jpeg', version: 2, score: 0.9 };
  const page = { ok: true as const, value: { results: [hit], total: 1, belowCutoff: 0, offset: 0, model: 'm', method: 'index', counted: true } };
  fake.overrides['search.query'] = () => page;
  fake.overrides['search.image'] = () => page;
  fake.overrides['photos.details'] = ({ id }: { id: number }) => ({ ok: true, value: { id, name: 'b.jpg', folderId: 1, takenAt: Date.UTC(2024, 5, 2), width: 400, height: 300, format: 'jpeg', version: id, path: '/p/b.jpg', size: 1, capturedAt: null, camera: null, lens: null, location: null, copies: [] } });
  return fake;
}

describe('a search in the history and the title', () => {
  it('gives up only the words on Escape: the filters stay, as they narrow the library too', async () => {
    const { page } = await pages.open(searchingFake(), { hash: '#/library?q=leaf&located=1' });
    await poll(() => page.title()).toBe('“leaf” — Lumen');
    await page.getByRole('searchbox', { name: 'Search photos' }).focus();
    await page.keyboard.press('Escape');
    await poll(() => hash(page)).toBe('#/library?located=1');
    expect(await page.getByRole('button', { name: 'Filters (1)' }).count()).toBe(1);
  });

  it('is one step Back undoes when started from another screen with /', async () => {
    const { page } = await pages.open(searchingFake(), { hash: '#/settings' });
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await page.keyboard.press('/');
    await page.keyboard.type('leaf');
    await poll(() => page.title()).toBe('“leaf” — Lumen');
    await page.goBack();
    await poll(() => hash(page)).toBe('#/settings');
    // Only the step straight after: the library opened by its link later is a step of its own.
    await page.getByRole('heading', { level: 1, name: 'Settings' }).focus();
    await page.keyboard.press('/');
    await poll(() => hash(page)).toBe('#/library');
    await page.goBack();
    await poll(() => hash(page)).toBe('#/settings');
    await page.getByRole('link', { name: 'Library' }).click();
    await page.getByRole('searchbox', { name: 'Search photos' }).fill('leaf');
    await poll(() => page.title()).toBe('“leaf” — Lumen');
    await page.goBack();
    await poll(() => hash(page)).toBe('#/library');
  });

  it('keeps a search whose results were looked at as a step of its own when it is edited or cleared, and keystrokes in a row as one (Note [Searches looked at])', async () => {
    const { page } = await pages.open(searchingFake(), { hash: '#/library' });
    const box = page.getByRole('searchbox', { name: 'Search photos' });
    await box.pressSequentially('forest');
    await poll(() => page.title()).toBe('“forest” — Lumen');
    await page.waitForTimeout(1100);
    await box.fill('');
    await box.pressSequentially('dog');
    await poll(() => page.title()).toBe('“dog” — Lumen');
    // Cleared and typed over at once: one step, from "forest".
    await page.goBack();
    await poll(() => page.title()).toBe('“forest” — Lumen');
    await poll(() => box.inputValue()).toBe('forest');
    await page.goBack();
    await poll(() => hash(page)).toBe('#/library');
  });

  it('names the photo a search is like, also when the address alone says which (a reload), and the photo searched by', async () => {
    const { page } = await pages.open(searchingFake(), { hash: '#/library?q=%232' });
    await page.getByRole('heading', { level: 1, name: /like “b\.jpg”/ }).waitFor();
    await poll(() => page.title()).toBe('Like “b.jpg” — Lumen');

    await paste(page, 'cups.jpg');
    await poll(() => page.title()).toBe('Like “cups.jpg” — Lumen');
    // A step Back undoes, to the search before it.
    expect(await hash(page)).toMatch(/^#\/library\?image=\d+$/);
    await page.goBack();
    await poll(() => page.title()).toBe('Like “b.jpg” — Lumen');
    expect(await page.getByRole('button', { name: /^Stop searching by/ }).count()).toBe(0);
    // An address that names a search by a photo it no longer has (a reload) is put right.
    await page.evaluate(() => (location.hash = '#/library?image=1'));
    await poll(() => hash(page)).toBe('#/library');
  });

  it('returns to each photo searched by with Back, after words typed and other photos pasted', async () => {
    const { page } = await pages.open(searchingFake(), { hash: '#/library' });
    await page.getByRole('option', { name: /^b\.jpg/ }).waitFor();
    await paste(page, 'cups.jpg');
    await poll(() => page.title()).toBe('Like “cups.jpg” — Lumen');
    await paste(page, 'boats.jpg');
    await poll(() => page.title()).toBe('Like “boats.jpg” — Lumen');
    await page.getByRole('searchbox', { name: 'Search photos' }).fill('leaf');
    await poll(() => page.title()).toBe('“leaf” — Lumen');

    await page.goBack();
    await poll(() => page.title()).toBe('Like “boats.jpg” — Lumen');
    await page.getByRole('button', { name: 'Stop searching by boats.jpg' }).waitFor();
    await page.goBack();
    await poll(() => page.title()).toBe('Like “cups.jpg” — Lumen');
    await page.getByRole('button', { name: 'Stop searching by cups.jpg' }).waitFor();
    await page.goForward();
    await poll(() => page.title()).toBe('Like “boats.jpg” — Lumen');
    await page.goForward();
    await poll(() => page.title()).toBe('“leaf” — Lumen');
    expect(await page.getByRole('button', { name: /^Stop searching by/ }).count()).toBe(0);
  });
});

describe('a search for one long unbroken word (an address)', () => {
  it('wraps in the heading instead of widening the page, in a small window', async () => {
    const { page } = await pages.open(searchingFake(), { hash: `#/library?q=${encodeURIComponent(`https://example.com/${'a'.repeat(300)}.jpg`)}` });
    await page.setViewportSize({ width: 700, height: 500 });
    await page.getByRole('heading', { level: 1, name: /example\.com/ }).waitFor();
    await poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(700);
  });
});

describe('a folder filter', () => {
  it('lists the folders below a library folder under it, narrows to the one chosen, and is dropped, in place, once its folder is gone', async () => {
    const fake = searchingFake();
    const trips: FolderChoice = { key: folderKey('/home/ada/Pictures/Trips'), alike: [], path: '/home/ada/Pictures/Trips', depth: 1, photos: 2 };
    fake.overrides['photos.folders'] = () => ({ ok: true, value: [FAKE_FOLDER, trips] });
    const address = (folder: string) => `#/library?q=leaf&folder=${folder}`;
    const { page, emit } = await pages.open(fake, { hash: address(folderKey('/home/ada/Gone')) });
    await poll(() => hash(page)).toBe('#/library?q=leaf');
    await page.evaluate((to) => (location.hash = to), address(trips.key));
    await poll(() => page.title()).toBe('“leaf” — Lumen');
    await page.getByRole('option', { name: /^b\.jpg/ }).waitFor();
    expect(await hash(page)).toBe(address(trips.key));
    await poll(() => fake.callsOf('search.query').at(-1)?.options?.filters?.within).toBe(trips.key);
    await page.getByRole('button', { name: 'Filters (1)' }).click();
    const folder = page.getByRole('group', { name: 'Filters' }).getByLabel('Folder');
    expect(await folder.inputValue()).toBe(trips.key);
    expect(await folder.locator('option').allTextContents()).toEqual(['All folders', 'Pictures', 'Pictures/Trips']);
    await folder.selectOption({ label: 'Pictures' });
    await poll(() => hash(page)).toBe(address(FAKE_FOLDER.key));
    // A folder that leaves the library while its filter is set.
    await folder.selectOption({ label: 'Pictures/Trips' });
    await poll(() => hash(page)).toBe(address(trips.key));
    fake.overrides['photos.folders'] = () => ({ ok: true, value: [FAKE_FOLDER] });
    await emit({ type: 'library-changed' });
    await poll(() => hash(page)).toBe('#/library?q=leaf');
  });
});

describe('a folder filter whose folder is listed as the one above it', () => {
  it('names the folder above instead, whose photos are the same (Note [Folders worth choosing])', async () => {
    const fake = searchingFake();
    const images = folderKey('/home/ada/Pictures/Altai/contents/images');
    const altai: FolderChoice = { key: folderKey('/home/ada/Pictures/Altai'), alike: [folderKey('/home/ada/Pictures/Altai/contents'), images], path: '/home/ada/Pictures/Altai', depth: 1, photos: 2 };
    fake.overrides['photos.folders'] = () => ({ ok: true, value: [FAKE_FOLDER, altai] });
    const { page } = await pages.open(fake, { hash: `#/library?q=leaf&folder=${images}` });
    await poll(() => hash(page)).toBe(`#/library?q=leaf&folder=${altai.key}`);
    await poll(() => fake.callsOf('search.query').at(-1)?.options?.filters?.within).toBe(altai.key);
  });
});

describe('a search typed before there is anything to search', () => {
  it('says it waits for a model and a folder, rather than nothing happening', async () => {
    const fake = searchingFake();
    fake.status.model = null;
    // With no photos either: a library's photos show without a model (Note [Photos without a model]).
    fake.status.library = null;
    const { page } = await pages.open(fake, { hash: '#/library' });
    await page.getByRole('heading', { level: 1, name: 'Find your photos by describing them' }).waitFor();
    expect(await page.getByText('Your search waits').count()).toBe(0);
    await page.getByRole('searchbox', { name: 'Search photos' }).fill('dog');
    const waiting = 'Your search waits for the steps below: a model, then a folder of photos.';
    await page.locator('p.waiting', { hasText: waiting }).waitFor();
    // Said, too: a live region told as it appears.
    await page.locator('[aria-live="polite"]', { hasText: waiting }).waitFor({ state: 'attached' });
  });
});

describe('a search typed before there were photos (Note [A search waits for photos])', () => {
  it('runs again as photos are stored, until it shows some, and not once it does, until the library changes as a whole', async () => {
    const fake = searchingFake();
    const library = fake.status.library;
    fake.status.library = null;
    const answer = fake.overrides['search.query'] as () => unknown;
    let stored = false;
    fake.overrides['search.query'] = (() => (stored ? answer() : { ok: false, error: { code: 'not-found', message: 'There are no photos yet. Add a folder of photos first: go to Library and choose “Add a folder…”.' } })) as never;
    const { page, emit } = await pages.open(fake, { hash: '#/library' });
    await page.getByRole('searchbox', { name: 'Search photos' }).fill('flower');
    await page.locator('p.waiting', { hasText: 'Your search waits for the steps below: a folder of photos.' }).waitFor();
    // A folder is added: the search runs again before the library holds a photo, and finds none.
    const before = fake.callsOf('search.query').length;
    fake.status.library = library;
    await emit({ type: 'library-changed' });
    await poll(() => fake.callsOf('search.query').length).toBeGreaterThan(before);
    // Its first photos are stored a moment later.
    stored = true;
    await emit({ type: 'photos-stored' });
    await page.getByRole('option', { name: /^b\.jpg/ }).waitFor({ timeout: 5000 });
    expect(await page.getByText('There are no photos yet.', { exact: false }).count()).toBe(0);
    // Showing results, the search is left alone as more photos come, and says so, with the way to ask again.
    const asked = fake.callsOf('search.query').length;
    const grew = page.getByText('Photos indexed since this search may be missing from these results.');
    expect(await grew.count()).toBe(0);
    await emit({ type: 'photos-stored' });
    await grew.waitFor({ timeout: 5000 });
    expect(fake.callsOf('search.query').length).toBe(asked);
    await page.getByRole('button', { name: 'Search again' }).click();
    await poll(() => fake.callsOf('search.query').length).toBe(asked + 1);
    await grew.waitFor({ state: 'detached' });
    // Once the library changed as a whole (its folder removed), the results are asked for again, as deep as they were, and a photo gone leaves them.
    await emit({ type: 'photos-stored' });
    await grew.waitFor({ timeout: 5000 });
    fake.overrides['search.query'] = () => ({ ok: true, value: { results: [], total: 0, belowCutoff: 0, offset: 0, model: 'm', method: 'index', counted: true } });
    await emit({ type: 'library-changed' });
    await page.getByRole('option', { name: /^b\.jpg/ }).waitFor({ state: 'detached', timeout: 5000 });
    expect(fake.callsOf('search.query').length).toBe(asked + 2);
    expect(fake.callsOf('search.query').at(-1)?.options).toMatchObject({ offset: 0, limit: 100 });
    expect(await grew.count()).toBe(0);
  });
});

describe('a photo pasted in a field for words', () => {
  it('is left to the field when its name comes with it, as from a file manager; in the search box, or alone, it searches by the photo', async () => {
    const fake = searchingFake();
    fake.overrides['vocabulary.get'] = () => ({ ok: true, value: { vocabulary: { templates: ['a photo of {}'], tags: [{ name: 'beach', prompts: ['beach'] }] }, isDefault: false } });
    const { page } = await pages.open(fake, { hash: '#/templates' });
    const templates = page.getByRole('textbox', { name: 'Templates', exact: true });
    await templates.focus();
    await paste(page, 'cups.jpg', undefined, 'cups.jpg');
    await page.waitForTimeout(300);
    expect(fake.callsOf('search.image')).toEqual([]);
    expect(await hash(page)).toBe('#/templates?tag=beach');
    // A screenshot, no words with it: searched by.
    await templates.focus();
    await paste(page, 'screenshot.png');
    await poll(() => page.title()).toBe('Like “screenshot.png” — Lumen');
    await page.getByRole('searchbox', { name: 'Search photos' }).focus();
    await paste(page, 'cups.jpg', undefined, 'cups.jpg');
    await poll(() => page.title()).toBe('Like “cups.jpg” — Lumen');
    expect(fake.callsOf('search.image')).toHaveLength(2);
  });
});

describe('a photo searched by that cannot be read', () => {
  it('is named in the message, as several may have been dropped in turn', async () => {
    const fake = searchingFake();
    fake.overrides['search.image'] = () => ({ ok: false, error: { code: 'image-undecodable', message: 'That file is not a photo Lumen can read: it is not an image, or not in a format Lumen knows.' } });
    const { page } = await pages.open(fake, { hash: '#/library' });
    await page.getByRole('option', { name: /^a\.jpg/ }).waitFor();
    await paste(page, 'notes.jpg', 'just text');
    await poll(() => page.getByRole('alert').allTextContents()).toEqual(['Cannot search by “notes.jpg”. That file is not a photo Lumen can read: it is not an image, or not in a format Lumen knows.']);
  });
});

describe('a date range typed with the keyboard', () => {
  it('keeps the start while the end’s year is typed digit by digit, and the range is what was typed', async () => {
    const { page } = await pages.open(searchingFake(), { hash: '#/library?q=leaf&from=2023-01-01' });
    await page.getByRole('button', { name: 'Filters (1)' }).click();
    const to = page.getByRole('group', { name: 'Filters' }).getByLabel('To');
    // (A click would open the date picker.) The year passes through 0002, 0020 and 0202 as it is typed.
    await to.focus();
    await page.keyboard.type('12312024', { delay: 20 });
    await poll(() => hash(page)).toBe('#/library?q=leaf&from=2023-01-01&to=2024-12-31');
    expect(await page.getByRole('group', { name: 'Filters' }).getByLabel('From').inputValue()).toBe('2023-01-01');
  });
});
