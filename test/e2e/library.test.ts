/**
 * The desktop app end to end, in Chromium through preview mode, on the real engine and the
 * fixture model over a generated library: first run, indexing with progress, pause and resume,
 * search as you type, filters, the viewer, similar photos, searching by a dropped photo, a photo
 * added while the app runs or while it was closed, and a file that fails. No console error, page
 * error or CSP violation is allowed anywhere.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderKey } from '../../main/core/folder-key.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';
import { eventually, launchApp, screenshot, tileNames, type AppPage, type AppSession, type RunningApp } from './app.js';

describe('the desktop app, end to end', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let session: AppSession;
  let app: RunningApp;
  let view: AppPage;
  let page: Page;
  let photos: string;
  let starFile: string;

  const results = () => page.getByRole('listbox', { name: 'Search results' });
  const library = () => page.getByRole('listbox', { name: 'Photos' });
  const search = () => page.getByRole('searchbox', { name: 'Search photos' });
  const viewer = () => page.getByRole('dialog');

  beforeAll(async () => {
    scratch = await tempDir('lumen-e2e-');
    photos = path.join(scratch.dir, 'Pictures');
    const all = await fixturePhotos();
    await copyPhotos(all, photos);
    // A second, re-encoded copy of each: new content, so the library is big enough to pause.
    for (const [i, photo] of all.entries()) {
      await sharp(photo.file).jpeg({ quality: 70 }).toFile(path.join(photos, photo.shape, `${photo.shape}-${photo.colour}-again-${i}.jpg`));
    }
    // Photos only filters can find: PNGs, and a camera's EXIF.
    await mkdir(path.join(photos, 'Misc'), { recursive: true });
    for (const [i, photo] of all.filter((p) => p.shape === 'circle').slice(0, 2).entries()) await sharp(photo.file).png().toFile(path.join(photos, 'Misc', `drawing-${i}.png`));
    for (const [i, photo] of all.filter((p) => p.shape === 'square').slice(0, 3).entries()) {
      await sharp(photo.file).withExif({ IFD0: { Make: 'FUJIFILM', Model: 'X100V' } }).jpeg().toFile(path.join(photos, 'Misc', `fuji-${i}.jpg`));
    }
    starFile = all.find((p) => p.shape === 'star')!.file;
    session = await launchApp({ dataDir: path.join(scratch.dir, 'data'), model: IMMICH_MODEL, folders: [photos] });
    ({ app, view } = session);
    page = view.page;
  });

  afterAll(async () => {
    await session?.close();
    await scratch?.cleanup();
  });

  it('first run: a folder is added, indexing shows its progress, pauses and resumes, and the photos appear', async () => {
    await page.getByRole('heading', { name: 'Find your photos by describing them' }).waitFor();
    await page.getByRole('heading', { name: /Model ready: tiny-clip-immich/ }).waitFor();
    await page.getByRole('button', { name: 'Add a folder…' }).click();

    const status = page.getByRole('status', { name: 'Indexing' });
    const progress = status.getByRole('progressbar', { name: 'Indexing progress' });
    const done = async () => Number((await progress.getAttribute('value')) ?? 0);
    // Paused once some photos are done, so that there are some to show while it lasts.
    await eventually(done, 30_000).toBeGreaterThan(0);
    await status.getByRole('button', { name: 'Pause' }).click();
    await status.getByText('Indexing (paused)').waitFor();
    // Photos already being decoded when the pause came are finished; then nothing moves.
    let settled = -1;
    await eventually(async () => {
      const before = await done();
      await page.waitForTimeout(400);
      settled = await done();
      return settled === before;
    }).toBe(true);
    await page.waitForTimeout(800);
    expect(await done()).toBe(settled);
    expect(settled).toBeLessThan(165);
    // What was stored before the pause shows in the grid while it lasts (Note [Photos as they index]).
    await eventually(async () => Number(await library().getByRole('option').first().getAttribute('aria-setsize'))).toBeGreaterThanOrEqual(settled);
    await status.getByRole('button', { name: 'Resume' }).click();
    await status.waitFor({ state: 'detached', timeout: 60_000 });

    await eventually(async () => library().getByRole('option').first().getAttribute('aria-setsize')).toBe('165');
    const names = await tileNames(library());
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) expect(name).toMatch(/^[\w-]+\.(jpg|png), /);
    await screenshot(page, 'library');
  });

  it('searches as you type and shows the expected photos first', async () => {
    await search().fill('a photo of a red star.');
    await eventually(async () => (await tileNames(results())).slice(0, 4).every((name) => name.startsWith('star-'))).toBe(true);
    await expect.poll(() => new URL(page.url()).hash).toContain('q=a+photo+of+a+red+star.');
    await page.getByRole('heading', { level: 1, name: /photos? match(es)? “a photo of a red star\.”/ }).waitFor();
    await screenshot(page, 'search');
  });

  it('says what is wrong with a query that cannot be answered, and that it found nothing', async () => {
    await search().fill('#999999');
    await page.getByRole('alert').filter({ hasText: /#999999/ }).waitFor();
    await page.getByRole('heading', { level: 1, name: 'No results' }).waitFor();
    await search().fill('');
  });

  it('never lets a slower, superseded query overwrite a newer one', async () => {
    await page.route('**/rpc', async (route) => {
      if (route.request().postData()?.includes('a photo of a circle.')) await new Promise((resolve) => setTimeout(resolve, 1500));
      await route.continue();
    });
    await search().fill('a photo of a circle.');
    await page.waitForTimeout(300);
    await search().fill('a photo of a cross.');
    await eventually(async () => (await tileNames(results())).slice(0, 4).every((name) => name.startsWith('cross-'))).toBe(true);
    await page.waitForTimeout(1800);
    expect((await tileNames(results())).slice(0, 4).every((name) => name.startsWith('cross-'))).toBe(true);
    await page.getByRole('heading', { level: 1, name: /“a photo of a cross\.”/ }).waitFor();
    await page.unroute('**/rpc');
  });

  it('narrows results and the library with filters', async () => {
    await search().fill('a photo of a square.');
    await page.getByRole('button', { name: 'Filters' }).click();
    const filters = page.getByRole('group', { name: 'Filters' });
    // Applied as it is typed, without Enter.
    await filters.getByLabel('Camera').fill('fuji');
    await eventually(async () => (await tileNames(results())).map((name) => name.split(',')[0]).sort()).toEqual(['fuji-0.jpg', 'fuji-1.jpg', 'fuji-2.jpg']);
    await filters.getByLabel('Camera').fill('');
    await filters.getByLabel('Camera').press('Enter');
    // A folder below the library's folder, with everything under it.
    await filters.getByLabel('Folder').selectOption(folderKey(path.join(photos, 'Misc')));
    await eventually(async () => (await tileNames(results())).map((name) => name.split(',')[0]).filter((name) => name?.startsWith('fuji-')).sort()).toEqual(['fuji-0.jpg', 'fuji-1.jpg', 'fuji-2.jpg']);
    expect((await tileNames(results())).every((name) => /^(fuji|drawing)-/.test(name))).toBe(true);
    await filters.getByLabel('Folder').selectOption('');
    await filters.getByText('PNG').click();
    await search().fill('');
    await eventually(async () => (await tileNames(library())).map((name) => name.split(',')[0]).sort()).toEqual(['drawing-0.png', 'drawing-1.png']);
    // A start typed after the end is refused at its field, the end kept, rather than asking the engine for an empty range (Note [Dates the wrong way round]).
    await filters.getByLabel('To', { exact: true }).fill('2001-01-01');
    await filters.getByLabel('From', { exact: true }).fill('2002-02-02');
    await eventually(() => page.getByRole('alert').textContent()).toMatch(/^“From” cannot be after “To”, /);
    expect(await filters.getByLabel('From', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await filters.getByLabel('To', { exact: true }).inputValue()).toBe('2001-01-01');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await eventually(async () => library().getByRole('option').first().getAttribute('aria-setsize')).toBe('165');
  });

  it('opens a photo in the viewer, steps with the keyboard, and opens a similar photo', async () => {
    await search().fill('a photo of a triangle.');
    await eventually(async () => (await tileNames(results()))[0]?.startsWith('triangle-')).toBe(true);
    const [first, second] = (await tileNames(results())).map((name) => name.split(',')[0] as string);
    await results().getByRole('option').first().click();
    await viewer().and(page.getByLabel(first!)).waitFor();
    await viewer().getByRole('img', { name: first }).and(page.locator('img.loaded')).waitFor();
    await screenshot(page, 'viewer');
    await page.keyboard.press('ArrowRight');
    await page.getByRole('dialog', { name: second }).waitFor();
    await page.keyboard.press('ArrowLeft');
    await page.getByRole('dialog', { name: first }).waitFor();

    // Opened by its address (a reload), the viewer steps through the grid it shows over; closed,
    // focus is on the tile of the photo it showed last.
    await page.reload();
    await page.getByRole('dialog', { name: first }).waitFor();
    await eventually(async () => (await tileNames(results()))[0]?.startsWith('triangle-')).toBe(true);
    await page.keyboard.press('ArrowRight');
    await page.getByRole('dialog', { name: second }).waitFor();
    await page.keyboard.press('Escape');
    await viewer().waitFor({ state: 'hidden' });
    await eventually(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label')?.split(',')[0])).toBe(second);
    await results().getByRole('option').first().click();
    await page.getByRole('dialog', { name: first }).waitFor();

    const similar = page.getByRole('region', { name: 'Similar photos' }).getByRole('button');
    await eventually(() => similar.count()).toBeGreaterThan(3);
    // Named as the grid's tiles are, its file name then its date; the viewer is named by the file name.
    const other = ((await similar.first().getAttribute('aria-label')) as string).split(',')[0] as string;
    expect(other).not.toBe(first);
    await similar.first().click();
    await page.getByRole('dialog', { name: other }).waitFor();
    await page.keyboard.press('Escape');
    await viewer().waitFor({ state: 'hidden' });
    expect(new URL(page.url()).hash).not.toContain('photo=');
  });

  it('fits a small window: nothing wider than it, and the viewer closes with its button', async () => {
    const size = page.viewportSize()!;
    await search().fill('');
    await page.setViewportSize({ width: 480, height: 700 });
    try {
      await eventually(() => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBe(0);
      await library().getByRole('option').first().click();
      await viewer().waitFor();
      await viewer().getByRole('button', { name: 'Close' }).click({ timeout: 5000 });
      await viewer().waitFor({ state: 'hidden' });
    } finally {
      await page.setViewportSize(size);
    }
  });

  it('selects a range with Shift and the arrow keys, and Tab finds a photo in view after scrolling with the wheel', async () => {
    await search().fill('');
    await eventually(async () => library().getByRole('option').first().getAttribute('aria-setsize')).toBe('165');
    await library().getByRole('option').first().focus();
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Shift+ArrowRight');
    await page.getByText('3 selected').waitFor();
    await page.keyboard.press('Shift+ArrowLeft');
    await page.getByText('2 selected').waitFor();
    expect(await library().locator('[aria-selected="true"]').evaluateAll((tiles) => tiles.map((tile) => tile.getAttribute('aria-posinset')))).toEqual(['1', '2']);
    await page.keyboard.press('Escape');
    await page.getByRole('group', { name: 'Selection' }).waitFor({ state: 'detached' });

    // From the last control before the grid (the filters' fields closed), scrolled far with the wheel.
    const filters = page.getByRole('button', { name: 'Filters' });
    if ((await filters.getAttribute('aria-expanded')) === 'true') await filters.click();
    await library().hover();
    await page.mouse.wheel(0, 6000);
    await eventually(() => library().getByRole('option').first().getAttribute('aria-posinset')).not.toBe('1');
    await filters.focus();
    const inView = async () =>
      page.evaluate(() => {
        const active = document.activeElement;
        const box = active?.getBoundingClientRect();
        return active?.getAttribute('role') === 'option' && box !== undefined && box.bottom > 0 && box.top < window.innerHeight;
      });
    for (let presses = 0; presses < 8 && !(await inView()); presses++) await page.keyboard.press('Tab');
    expect(await inView()).toBe(true);
  });

  it('searches by a photo dropped on the window', async () => {
    await search().fill('');
    const bytes = [...(await readFile(starFile))];
    await page.evaluate((data) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(data)], 'my-star.jpg', { type: 'image/jpeg' }));
      window.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, bytes);
    await page.getByText('Like my-star.jpg').waitFor();
    // The same photo is in the library, so it comes first.
    await eventually(async () => (await tileNames(results()))[0]?.split('-')[0]).toBe('star');
    await page.getByRole('button', { name: 'Stop searching by my-star.jpg' }).click();
    await library().waitFor();
  });

  it('shows a search result edited in place anew, at its new version, without searching again (Note [Photo versions])', async () => {
    await search().fill('a photo of a star');
    const tile = results().locator('img[data-id]').first();
    const before = (await tile.getAttribute('src')) as string;
    expect(before).toMatch(/^\/photo\/thumbnail\/\d+\?v=\d+$/);
    const { path: file } = (await app.engine.call('photos.details', { id: Number(await tile.getAttribute('data-id')) })) as { path: string };
    const callsBefore = view.calls.length;
    // Rotated in another app, which writes the new file whole in the old one's place.
    const edited = path.join(scratch.dir, 'rotated.jpg');
    await sharp(file).rotate(90).jpeg().toFile(edited);
    await rename(edited, file);
    await eventually(() => tile.getAttribute('src'), 30_000).not.toBe(before);
    expect(await tile.getAttribute('src')).toMatch(new RegExp(`^${before.split('?')[0]}\\?v=\\d+$`));
    // Only the versions of the photos shown were asked for: the search was not run again.
    const since = view.calls.slice(callsBefore);
    expect(since).toContain('photos.get');
    expect(since).not.toContain('search.query');
  });

  /**
   * A photo the library has not seen, turned by `degrees` from the star's (a copy of a photo it has
   * would show as that photo: Note [One tile a picture]), written whole.
   */
  async function addNewPhoto(target: string, degrees: number): Promise<void> {
    const written = path.join(scratch.dir, 'new-photo.jpg');
    await sharp(starFile).rotate(degrees).jpeg().toFile(written);
    await rename(written, target);
  }

  it('shows a photo added to a folder without a re-scan, and lists a file that failed with its reason', async () => {
    // Search results stand in the grid's place: it is not reloaded for the new photo until it shows again.
    await search().fill('a photo of a star');
    await results().getByRole('option').first().waitFor();
    const callsBefore = view.calls.length;
    const reloads = () => view.calls.slice(callsBefore).filter((name) => name === 'photos.timeline');
    await addNewPhoto(path.join(photos, 'added-while-open.jpg'), 90);
    await writeFile(path.join(photos, 'broken.jpg'), 'this is not a photo');
    await eventually(async () => ((await app.engine.call('library.failures', {})) as unknown[]).length, 30_000).toBe(1);
    // Long enough for the run to end and the grid to have been told (it would reload 1.5 s later).
    await page.waitForTimeout(2500);
    expect(reloads()).toEqual([]);
    await search().fill('');
    await eventually(async () => (await tileNames(library())).filter((name) => name.startsWith('added-while-open.jpg')), 30_000).toHaveLength(1);
    expect(reloads().length).toBeGreaterThan(0);

    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Files that could not be indexed: 1' }).waitFor({ timeout: 30_000 });
    const failed = page.getByRole('list', { name: 'Files that could not be indexed' });
    await eventually(async () => (await failed.textContent()) ?? '').toMatch(/broken\.jpg.*is not an image/);

    // Tried again, the file fails again: the notice lasts as long as the run, and the list is read anew.
    await page.getByRole('button', { name: 'Try them again' }).click();
    // (A run of one file may end before the notice could be seen.)
    await page.getByRole('status').filter({ hasText: 'Trying the failed files again' }).waitFor({ state: 'detached', timeout: 30_000 });
    await eventually(async () => (await failed.textContent()) ?? '').toMatch(/broken\.jpg.*is not an image/);
  });

  it('finds at launch, without a re-scan, a photo added while the app was closed', async () => {
    await session.relaunch(async () => addNewPhoto(path.join(photos, 'added-while-closed.jpg'), 180));
    ({ app, view } = session);
    page = view.page;
    await library().getByRole('option').first().waitFor();
    await eventually(async () => (await tileNames(library())).filter((name) => name.startsWith('added-while-closed.jpg')), 30_000).toHaveLength(1);
  });
});
