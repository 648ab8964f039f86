/**
 * Undo after taking photos out of a saved album (Note [Undo taking photos out] in
 * views/AlbumsView.svelte), built for real and driven in Chromium against a fake engine
 * (album-fake.ts): it puts back exactly the photos taken out, says so, and goes at the next thing
 * done on the page.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { CallOutcome, CallParams } from '../../preload/contract.js';
import { albumsFake } from './album-fake.js';
import { appPages, rendererInChromium } from './harness.js';

const pages = appPages(rendererInChromium());
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000, interval: 25 });

const focused = (page: Page) => page.evaluate(() => document.activeElement && `${document.activeElement.tagName} ${document.activeElement.textContent?.trim()}`);
const gridNames = (page: Page) => page.getByRole('listbox', { name: 'Photos of Trip' }).getByRole('option').evaluateAll((tiles) => tiles.map((tile) => tile.getAttribute('aria-label')?.split(',')[0]));
const said = (page: Page) => page.locator('header.set-top').getByRole('status').textContent();
const undo = (page: Page) => page.getByRole('button', { name: /^Undo removing/ });

/** Selects photos of the album's grid by file name, as Ctrl+click does. */
async function select(page: Page, ...names: string[]): Promise<void> {
  for (const name of names) await page.getByRole('option', { name: new RegExp(`^${name.replace('.', '\\.')}`) }).click({ modifiers: ['Control'] });
  await page.getByText(`${names.length} selected`).waitFor();
}

/** Selects photos of the album's grid by file name and takes them out of the album. */
async function removeFromAlbum(page: Page, ...names: string[]): Promise<void> {
  await select(page, ...names);
  await page.getByRole('button', { name: 'Remove from album' }).click();
}

describe('Undo after taking photos out of a saved album', () => {
  it('puts back exactly the photos taken out, where they were, and says so', async () => {
    const fake = albumsFake({ Trip: [1, 2, 3] });
    const { page } = await pages.open(fake, { hash: '#/albums?album=saved:1' });
    await poll(() => gridNames(page)).toEqual(['c.jpg', 'b.jpg', 'a.jpg']);

    await removeFromAlbum(page, 'c.jpg', 'a.jpg');
    await poll(() => said(page)).toBe('Removed 2 photos from this album. They stay in the library.');
    await poll(() => gridNames(page)).toEqual(['b.jpg']);
    // Focus stays on the heading, as before; Undo is the button after what was said.
    await poll(() => focused(page)).toMatch(/^H1 Trip/);
    await undo(page).waitFor();
    expect(await undo(page).getAttribute('aria-label')).toBe('Undo removing 2 photos');
    expect(await undo(page).textContent()).toBe('Undo');

    await undo(page).click();
    await poll(() => said(page)).toBe('Put back 2 photos in this album.');
    await poll(() => gridNames(page)).toEqual(['c.jpg', 'b.jpg', 'a.jpg']);
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Trip 3 photos');
    expect(fake.callsOf('albums.add')).toEqual([{ id: 'saved:1', photoIds: expect.arrayContaining([1, 3]) }]);
    expect(fake.callsOf('albums.add')[0]?.photoIds).toHaveLength(2);
    expect([...(fake.albums.get(1)?.members ?? [])].sort()).toEqual([1, 2, 3]);
    // Once: the way back goes with its use, and focus is on the heading, not lost with the button.
    expect(await undo(page).count()).toBe(0);
    await poll(() => focused(page)).toMatch(/^H1 Trip/);
  });

  it('says which photos it could not put back: one that left the library meanwhile', async () => {
    const fake = albumsFake({ Trip: [1, 2, 3] });
    const add = fake.overrides['albums.add'] as (params: CallParams<'albums.add'>) => CallOutcome<'albums.add'>;
    // a.jpg (1) was deleted from disk after it was taken out: the engine adds only what is still in the library.
    fake.overrides['albums.add'] = ((params: CallParams<'albums.add'>) => add({ ...params, photoIds: params.photoIds.filter((id) => id !== 1) })) as never;
    const { page } = await pages.open(fake, { hash: '#/albums?album=saved:1' });
    await poll(() => gridNames(page)).toEqual(['c.jpg', 'b.jpg', 'a.jpg']);
    await removeFromAlbum(page, 'c.jpg', 'a.jpg');
    await undo(page).click();
    await poll(() => said(page)).toBe('Put back 1 photo in this album. 1 photo has left the library since.');
  });

  it('goes at the next thing done: another removal, a selection begun, a rename', async () => {
    const fake = albumsFake({ Trip: [1, 2, 3] });
    const { page } = await pages.open(fake, { hash: '#/albums?album=saved:1' });
    await poll(() => gridNames(page)).toEqual(['c.jpg', 'b.jpg', 'a.jpg']);

    // Another removal: its Undo puts back its own photo alone.
    await removeFromAlbum(page, 'a.jpg');
    await poll(() => said(page)).toBe('Removed 1 photo from this album. It stays in the library.');
    await removeFromAlbum(page, 'c.jpg');
    await poll(() => gridNames(page)).toEqual(['b.jpg']);
    expect(await undo(page).getAttribute('aria-label')).toBe('Undo removing 1 photo');
    await undo(page).click();
    await poll(() => gridNames(page)).toEqual(['c.jpg', 'b.jpg']);
    expect(fake.callsOf('albums.add')).toEqual([{ id: 'saved:1', photoIds: [3] }]);

    // A selection begun, even one cleared again.
    await removeFromAlbum(page, 'b.jpg');
    await undo(page).waitFor();
    await page.getByRole('option', { name: /^c\.jpg/ }).click({ modifiers: ['Control'] });
    await page.getByText('1 selected').waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('group', { name: 'Selection' }).waitFor({ state: 'detached' });
    expect(await undo(page).count()).toBe(0);

    // A rename, even one cancelled.
    await removeFromAlbum(page, 'c.jpg');
    await undo(page).waitFor();
    await page.getByRole('button', { name: 'Rename album' }).click();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Rename album' }).waitFor();
    expect(await undo(page).count()).toBe(0);
    expect(fake.callsOf('albums.add')).toHaveLength(1);
  });

  it('takes the photos out once at a double click, and says how many were taken out, with Undo', async () => {
    const fake = albumsFake({ Trip: [1, 2, 3] });
    const remove = fake.overrides['albums.remove'] as (params: CallParams<'albums.remove'>) => CallOutcome<'albums.remove'>;
    // An engine busy a moment: the second click lands while the first's call is under way.
    fake.overrides['albums.remove'] = ((params: CallParams<'albums.remove'>) => new Promise((resolve) => setTimeout(() => resolve(remove(params)), 200))) as never;
    const { page } = await pages.open(fake, { hash: '#/albums?album=saved:1' });
    await poll(() => gridNames(page)).toEqual(['c.jpg', 'b.jpg', 'a.jpg']);
    await select(page, 'c.jpg', 'b.jpg', 'a.jpg');
    await page.getByRole('button', { name: 'Remove from album' }).dblclick();

    await poll(() => said(page)).toBe('Removed 3 photos from this album. They stay in the library.');
    expect(fake.callsOf('albums.remove')).toHaveLength(1);
    expect(await undo(page).getAttribute('aria-label')).toBe('Undo removing 3 photos');
    await page.waitForTimeout(400);
    expect(await said(page)).toBe('Removed 3 photos from this album. They stay in the library.');
    expect(fake.callsOf('albums.remove')).toHaveLength(1);
  });

  it('is not offered where fewer were taken out than selected: which were out already is not said', async () => {
    const fake = albumsFake({ Trip: [1, 2, 3] });
    const { page } = await pages.open(fake, { hash: '#/albums?album=saved:1' });
    await poll(() => gridNames(page)).toEqual(['c.jpg', 'b.jpg', 'a.jpg']);
    // Another window took c.jpg out meanwhile: this page still shows it.
    fake.albums.get(1)?.members.delete(3);
    await removeFromAlbum(page, 'c.jpg', 'a.jpg');
    await poll(() => said(page)).toBe('Removed 1 photo from this album. It stays in the library.');
    await poll(() => gridNames(page)).toEqual(['b.jpg']);
    expect(await undo(page).count()).toBe(0);
  });
});
