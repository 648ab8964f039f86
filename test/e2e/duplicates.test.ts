/**
 * The Duplicates section end to end, in Chromium through preview mode, on the real engine and the
 * fixture model over a generated library with known copies: find the groups with progress, the
 * suggested keep and its reason, compare side by side, mark, confirm a list of files, and the
 * files are in the (stand-in) trash, gone from the folder and from the library, while the copies
 * kept are untouched; a window reloaded shows the groups found last as the move left them. No console error, page error or CSP violation is allowed.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCopies } from '../helpers/duplicate-sets.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { eventually, launchApp, screenshot, tileNames, type AppSession } from './app.js';

const sha = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');

describe('the Duplicates section, end to end', () => {
  let scratch: Awaited<ReturnType<typeof tempDir>>;
  let session: AppSession;
  let page: Page;
  let photos: string;
  let trash: string;
  const kept = new Map<string, string>();

  const group = (keep: string) => page.getByRole('region', { name: `3 copies of ${keep}` });
  const mark = (name: string) => page.getByRole('checkbox', { name: `To the trash: ${name}` });

  beforeAll(async () => {
    scratch = await tempDir('lumen-e2e-');
    photos = path.join(scratch.dir, 'Pictures');
    trash = path.join(scratch.dir, 'Trash');
    await mkdir(trash);
    await writeCopies(photos, 2);
    // A sidecar another app wrote for one of the copies goes with it, and the confirmation says so (Note [Sidecars go along]).
    await writeFile(path.join(photos, 'circle-half.jpg.xmp'), '<x:xmpmeta xmlns:x="adobe:ns:meta/"/>');
    for (const name of ['circle-original.jpg', 'star-original.jpg', 'star-half.jpg', 'square-original.jpg']) kept.set(name, await sha(path.join(photos, name)));
    session = await launchApp({ dataDir: path.join(scratch.dir, 'data'), model: IMMICH_MODEL, folders: [photos], trash });
    page = session.view.page;
  });

  afterAll(async () => {
    await session?.close();
    await scratch?.cleanup();
  });

  it('finds the groups, each with the copy to keep and why, the other copies marked', async () => {
    await page.getByRole('button', { name: 'Add a folder…' }).click();
    await eventually(async () => page.getByRole('listbox', { name: 'Photos' }).getByRole('option').first().getAttribute('aria-setsize'), 60_000).toBe('9');
    await page.getByRole('link', { name: 'Duplicates' }).click();
    await page.getByRole('heading', { level: 1, name: 'Duplicates' }).waitFor();
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    await page.getByRole('heading', { name: '2 groups of copies' }).waitFor({ timeout: 60_000 });
    for (const shape of ['circle', 'star']) {
      const found = group(`${shape}-original.jpg`);
      await found.getByText(new RegExp(`^Suggested keep ${shape}-original\\.jpg: largest \\(800 × \\d+\\)`)).waitFor();
      const tiles = await found.getByRole('button', { name: /\.jpg, / }).evaluateAll((buttons) => buttons.map((button) => button.getAttribute('aria-label') ?? ''));
      expect(tiles.map((name) => name.split(',')[0])).toEqual([`${shape}-original.jpg`, `${shape}-half.jpg`, `${shape}-resaved.jpg`]);
      expect(tiles[0]).toMatch(/, 800 × \d+, .*, suggested keep$/);
      await expect.poll(() => mark(`${shape}-original.jpg`).isChecked()).toBe(false);
      for (const copy of ['half', 'resaved']) await expect.poll(() => mark(`${shape}-${copy}.jpg`).isChecked()).toBe(true);
      // The last unmarked copy of a group cannot be marked.
      await expect.poll(() => mark(`${shape}-original.jpg`).isDisabled()).toBe(true);
    }
    await screenshot(page, 'duplicates');
  });

  it('compares a group side by side, with sizes and dates', async () => {
    await group('circle-original.jpg').getByRole('button', { name: 'Compare side by side' }).click();
    const compare = page.getByRole('dialog', { name: 'Compare 3 copies' });
    await compare.waitFor();
    await eventually(() => compare.getByRole('img').evaluateAll((images) => images.filter((image) => (image as HTMLImageElement).naturalWidth > 0).length)).toBe(3);
    const sizes = await compare.getByText(/^\d+ × \d+ \(\d\.\d MP\)$/).allTextContents();
    expect(sizes.map((size) => size.split(' ')[0])).toEqual(['800', '400', '800']);
    expect(await compare.getByText('No date in the file').count()).toBe(3);
    await screenshot(page, 'duplicates-compare');
    await page.keyboard.press('Escape');
    await compare.waitFor({ state: 'hidden' });
  });

  it('moves the marked copies to the trash after a confirmation listing them, with a copy’s XMP sidecar, and the library forgets them', async () => {
    await mark('star-half.jpg').uncheck();
    await page.getByText('3 marked for the trash').waitFor();
    await page.getByRole('button', { name: 'Move to trash…' }).click();
    const confirm = page.getByRole('dialog', { name: 'Move 3 files and 1 XMP sidecar to the trash?' });
    await confirm.waitFor();
    await confirm.getByText(/may be given a new name: you can put them back from the trash/).waitFor();
    const listed = await confirm.getByRole('list', { name: 'Files to move to the trash' }).getByRole('listitem').allTextContents();
    expect(listed.map((item) => item.split(' ')[0])).toEqual(['circle-half.jpg', 'circle-resaved.jpg', 'star-resaved.jpg']);
    expect(listed[0]).toMatch(/and its XMP sidecar circle-half\.jpg\.xmp\s*$/);
    await screenshot(page, 'duplicates-confirm');
    await confirm.getByRole('button', { name: 'Move to trash' }).click();
    await page.getByRole('main').getByText('Moved 3 files to the trash, with 1 XMP sidecar.').waitFor({ timeout: 30_000 });

    const moved = ['circle-half.jpg', 'circle-resaved.jpg', 'star-resaved.jpg'];
    expect((await readdir(trash)).sort()).toEqual([...moved, 'circle-half.jpg.xmp'].sort());
    const left = await readdir(photos);
    for (const name of moved) expect(left).not.toContain(name);
    for (const [name, digest] of kept) expect(await sha(path.join(photos, name))).toBe(digest);
    // The circle's group is down to one copy; the star's keeps the two that stay.
    await page.getByRole('heading', { name: '1 group of copies' }).waitFor();
    await page.getByRole('region', { name: '2 copies of star-original.jpg' }).waitFor();

    await page.getByRole('link', { name: 'Library' }).click();
    const library = page.getByRole('listbox', { name: 'Photos' });
    await eventually(async () => (await tileNames(library)).map((name) => name.split(',')[0]).sort(), 30_000).toEqual(
      ['circle-original.jpg', 'cross-original.jpg', 'square-original.jpg', 'star-half.jpg', 'star-original.jpg', 'triangle-original.jpg'],
    );
  });

  it('shows the groups found last, as the move left them and with when they were found, in the window reloaded', async () => {
    await page.reload();
    await page.getByRole('link', { name: 'Duplicates' }).click();
    await page.getByRole('heading', { name: '1 group of copies' }).waitFor();
    await page.getByRole('main').getByText(/^Found (just now|1 minute ago), at /).waitFor();
    await page.getByRole('region', { name: '2 copies of star-original.jpg' }).waitFor();
    await expect.poll(() => mark('star-half.jpg').isChecked()).toBe(true);
  });

  it('drops the groups shown once the library changes under them, and says to find again (Note [Groups outdated])', async () => {
    await writeFile(path.join(photos, 'square-again.jpg'), await readFile(path.join(photos, 'square-original.jpg')));
    await page.getByRole('heading', { name: 'The library changed since the copies were found: find again.' }).waitFor({ timeout: 30_000 });
    expect(await page.getByRole('button', { name: 'Move to trash…' }).count()).toBe(0);
    expect(await page.getByRole('checkbox').count()).toBe(0);
  });
});
