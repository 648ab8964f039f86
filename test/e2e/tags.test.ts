/**
 * Tags, albums and the template editor end to end, in Chromium through preview mode on the real
 * engine and the fixture model: a tag made in words and applied, a prompt edited with the live
 * preview following before saving, a broken template refused, verdicts in the viewer used by the
 * evaluation, album summaries, and XMP sidecars written and read back.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wellFormedError } from '../../main/tags/xml-check.js';
import { IMMICH_MODEL, SHAPES, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';
import { eventually, launchApp, screenshot, tileNames, type AppSession } from './app.js';

const SHAPES_VOCABULARY = { templates: ['a photo of a {}.', 'a picture of a {}.'], tags: SHAPES.map((shape) => ({ name: shape, prompts: [shape] })) };

describe('tags, albums and templates, end to end', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let session: AppSession;
  let page: Page;
  let photos: string;
  const hashes = new Map<string, string>();

  const link = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

  beforeAll(async () => {
    scratch = await tempDir('lumen-e2e-tags-');
    photos = path.join(scratch.dir, 'Pictures');
    await copyPhotos(await fixturePhotos(), photos);
    for (const shape of SHAPES) {
      for (const name of await readdir(path.join(photos, shape))) hashes.set(path.join(photos, shape, name), createHash('sha256').update(await readFile(path.join(photos, shape, name))).digest('hex'));
    }
    await writeFile(path.join(scratch.dir, 'shapes.json'), JSON.stringify(SHAPES_VOCABULARY));
    session = await launchApp({ dataDir: path.join(scratch.dir, 'data'), model: IMMICH_MODEL, folders: [photos] });
    page = session.view.page;
  });

  afterAll(async () => {
    await session?.close();
    await scratch?.cleanup();
  });

  it('before any folder, shows Tags, Albums and Templates as pages to come back to, in the app’s words (Note [Before a library])', { timeout: 60_000 }, async () => {
    const main = page.getByRole('main');
    const inAppWords = async () => expect(await main.textContent()).not.toMatch(/--data|lumen index|There is no library/);
    const noPhotosYet = main.getByRole('status').filter({ hasText: 'No photos yet' });

    await link('Tags').click();
    await noPhotosYet.waitFor();
    await main.getByRole('heading', { name: /^Tags Lumen looks for \d+ tags$/ }).waitFor();
    expect(await main.getByRole('button', { name: 'Run auto-tagging' }).isDisabled()).toBe(true);
    expect(await main.getByText('Loading tags…').count()).toBe(0);
    await inAppWords();
    await screenshot(page, 'tags-first-run');

    await link('Albums').click();
    await noPhotosYet.filter({ hasText: 'Each folder you add becomes an album' }).waitFor();
    await inAppWords();

    // The built-in vocabulary, to edit now and save once there is a library.
    await link('Templates').click();
    await eventually(() => main.getByRole('textbox', { name: 'Templates', exact: true }).inputValue()).toMatch(/\{\}/);
    await noPhotosYet.waitFor();
    expect(await main.getByRole('alert').count()).toBe(0);
    expect(await main.getByRole('button', { name: 'Save', exact: true }).isDisabled()).toBe(true);
    await inAppWords();
    await screenshot(page, 'templates-first-run');

    await noPhotosYet.getByRole('link', { name: 'Add your photos' }).click();
    await page.getByRole('button', { name: 'Add a folder…' }).waitFor();
  });

  it('indexes the photos (the first-run steps)', { timeout: 120_000 }, async () => {
    await page.getByRole('button', { name: 'Add a folder…' }).click();
    await eventually(async () => page.getByRole('listbox', { name: 'Photos' }).getByRole('option').first().getAttribute('aria-setsize'), 60_000).toBe('80');
    await page.getByRole('status', { name: 'Indexing' }).waitFor({ state: 'detached', timeout: 60_000 });
  });

  it('creates a tag in words and applies it to the right photos', { timeout: 120_000 }, async () => {
    await link('Templates').click();
    await page.locator('input[type="file"]').setInputFiles(path.join(scratch.dir, 'shapes.json'));
    await page.getByText('Imported shapes.json.').waitFor();
    await page.getByRole('button', { name: 'Add a tag' }).click();
    await page.getByLabel('Name').fill('pointy');
    await page.getByRole('textbox', { name: 'Prompts for pointy' }).fill('star');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved. Your photos are being tagged again with it.').waitFor();
    await screenshot(page, 'templates');

    await link('Tags').click();
    const pointy = page.getByRole('link', { name: /^pointy, \d+ photos$/ });
    await eventually(async () => Number(/(\d+) photos/.exec((await pointy.getAttribute('aria-label')) ?? '')?.[1] ?? 0), 60_000).toBeGreaterThanOrEqual(14);
    await screenshot(page, 'tags');
    await pointy.click();
    const tagged = page.getByRole('listbox', { name: 'Photos tagged pointy' });
    // Best first: the surest are stars; a star's points make some crosses pass too (once the
    // tagging started by the save has gone through every photo).
    const stars = async () => {
      const names = await tileNames(tagged);
      return { top: names.slice(0, 5).map((name) => name.split('-')[0]), mostlyStars: names.length > 5 && names.filter((name) => name.startsWith('star-')).length / names.length >= 0.6 };
    };
    await eventually(stars, 60_000).toEqual({ top: ['star', 'star', 'star', 'star', 'star'], mostlyStars: true });
  });

  it('shows what an edited prompt would change before saving, and refuses a template without {}', async () => {
    await link('Templates').click();
    await page.getByRole('listbox', { name: 'Tags to edit' }).getByRole('option', { name: 'circle', exact: true }).click();
    const preview = page.getByRole('region', { name: 'Preview' });
    await eventually(async () => (await preview.textContent()) ?? '').toMatch(/photos would get circle — the same as saved/);
    const circles = await tileNames(preview.getByRole('listbox'));
    expect(circles.filter((name) => name.startsWith('circle-')).length).toBeGreaterThan(10);

    // Described as a square, "circle" would gain the squares, before anything is saved.
    await page.getByRole('textbox', { name: 'Prompts for circle' }).fill('square');
    await eventually(async () => (await preview.textContent()) ?? '').toMatch(/— \d+ more( and \d+ fewer)? than saved/);
    const gained = await preview.getByRole('list', { name: 'Photos circle would gain' }).getByRole('img').evaluateAll((images) => images.map((image) => image.getAttribute('alt') ?? ''));
    expect(gained.length).toBeGreaterThan(5);
    expect(gained.every((name) => name.startsWith('square-'))).toBe(true);
    await expect.poll(() => page.getByRole('button', { name: 'Save', exact: true }).isEnabled()).toBe(true);

    // A look at another screen keeps the draft.
    await link('Library').click();
    await link('Templates').click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Prompts for circle' }).inputValue()).toBe('square');
    expect(await page.getByRole('button', { name: 'Discard changes' }).isEnabled()).toBe(true);

    await page.getByRole('textbox', { name: 'Templates', exact: true }).fill('a photo of a dog');
    // Said once typing rests, not as an alert: the field is marked, and its problem shown beside it.
    await page.getByText(/^Template 1 must contain \{\} exactly once/).waitFor();
    expect(await page.getByRole('textbox', { name: 'Templates', exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByRole('button', { name: 'Save', exact: true }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Discard changes' }).click();
    await eventually(async () => (await preview.textContent()) ?? '').toMatch(/the same as saved/);
  });

  it('confirms and rejects tags in the viewer, and the evaluation uses them', async () => {
    await link('Library').click();
    await page.getByRole('searchbox', { name: 'Search photos' }).fill('a photo of a star.');
    const results = page.getByRole('listbox', { name: 'Search results' });
    await eventually(async () => (await tileNames(results))[0]?.startsWith('star-')).toBe(true);
    await results.getByRole('option').first().click();
    await page.getByRole('button', { name: 'Confirm star' }).click();
    await page.getByRole('button', { name: 'Undo confirming star' }).waitFor();
    await page.getByRole('button', { name: 'Reject pointy' }).click();
    await page.getByRole('button', { name: 'Undo rejecting pointy' }).waitFor();
    // A refused name's message lasts until the name changes.
    const addTag = page.getByRole('combobox', { name: 'Add a tag' });
    await addTag.fill('bad|name');
    await addTag.press('Enter');
    const refused = page.getByRole('alert').filter({ hasText: 'must not contain' });
    await refused.waitFor();
    await addTag.fill('');
    await refused.waitFor({ state: 'detached' });
    await page.keyboard.press('Escape');

    await link('Templates').click();
    await page.getByRole('button', { name: 'Evaluate on your verdicts' }).click();
    await page.getByText('1 confirmed and 1 rejected tag on 1 photo.').waitFor();
    const table = page.getByRole('region', { name: 'Evaluation on your verdicts' }).getByRole('table').first();
    await eventually(async () => (await table.getByRole('row', { name: /^Top-1/ }).textContent()) ?? '').toMatch(/100\.0%/);
    // Each tag to learn from verdicts: its status once, in the badge, then why.
    const star = page.getByRole('region', { name: 'Evaluation on your verdicts' }).getByRole('listitem').filter({ has: page.getByText('star', { exact: true }) });
    expect((await star.textContent())?.replace(/\s+/g, ' ').trim()).toMatch(/^star zero-shot refining needs at least 5 confirmed and 5 rejected photos \(there are \d+ and \d+\)$/);

    // Renamed in the editor, a tag keeps the verdicts given under its old name.
    await page.getByRole('listbox', { name: 'Tags to edit' }).getByRole('option', { name: 'pointy', exact: true }).click();
    await page.getByLabel('Name').fill('spiky');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved. Your photos are being tagged again with it.').waitFor();
    await page.getByRole('button', { name: 'Evaluate on your verdicts' }).click();
    await page.getByText('1 confirmed and 1 rejected tag on 1 photo.').waitFor();
    expect(await page.getByRole('region', { name: 'Evaluation on your verdicts' }).getByText('spiky', { exact: true }).count()).toBeGreaterThan(0);
  });

  it('summarises folders as albums and opens one', async () => {
    await link('Albums').click();
    const star = page.getByRole('link', { name: /^star, 16 photos$/ });
    await star.waitFor();
    // A tag and its share read as one chip, as the locale writes a percentage: "star 100%".
    expect(await star.textContent()).toMatch(/star \d+%/);
    await screenshot(page, 'albums');
    await star.click();
    const album = page.getByRole('listbox', { name: 'Photos of star' });
    await eventually(async () => (await tileNames(album)).length).toBe(16);
  });

  it('saves a selection as an album, and deletes it only when asked twice', async () => {
    const album = page.getByRole('listbox', { name: 'Photos of star' });
    await album.getByRole('option').first().click({ modifiers: ['Control'] });
    await album.getByRole('option').nth(1).click({ modifiers: ['Control'] });
    const saveAs = page.getByRole('button', { name: 'Save as album…' });
    await saveAs.click();
    // Escape in the name field closes the field, not the selection, and focus goes back to its button.
    await page.keyboard.type('Tw');
    await page.keyboard.press('Escape');
    await page.getByRole('textbox', { name: 'Album name' }).waitFor({ state: 'detached' });
    await page.getByText('2 selected').waitFor();
    await expect.poll(() => saveAs.evaluate((button) => button === document.activeElement)).toBe(true);
    await saveAs.click();
    // The name field takes the typing at once, and starts empty.
    await page.keyboard.type('Two stars');
    await expect.poll(() => page.getByRole('textbox', { name: 'Album name' }).inputValue()).toBe('Two stars');
    // A name is not cut short as it is typed or pasted: one too long is said at the field (test/renderer/albums.test.ts).
    expect(await page.getByRole('textbox', { name: 'Album name' }).getAttribute('maxlength')).toBeNull();
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Saved the album “Two stars” (2 photos).' }).waitFor();
    await page.getByRole('button', { name: 'Clear selection' }).click();
    // A selection stays with its page: another page starts with none.
    await album.getByRole('option').first().click({ modifiers: ['Control'] });
    await page.getByText('1 selected').waitFor();

    await link('Albums').click();
    // The album saved comes first, under its own heading, not after every folder (Note [Your albums first]).
    await page.getByRole('region', { name: 'Your albums' }).getByRole('link', { name: /^Two stars, 2 photos, saved$/ }).waitFor();
    expect(await page.getByRole('heading', { level: 2 }).allTextContents()).toEqual(['Your albums', 'Folders']);
    await page.getByRole('link', { name: /^Two stars, 2 photos, saved$/ }).click();
    // The opened album's title takes the focus, as a new screen's does.
    await expect.poll(() => page.evaluate(() => (document.activeElement?.tagName === 'H1' ? document.activeElement.textContent : null))).toMatch(/^Two stars/);
    expect(await page.getByRole('group', { name: 'Selection' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Delete this album' }).click();
    await page.getByText('Delete this album? Its photos stay in the library.').waitFor();
    await page.getByRole('button', { name: 'Keep' }).click();
    await page.getByRole('button', { name: 'Delete this album' }).click();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('link', { name: /^star, 16 photos$/ }).waitFor();
    await expect.poll(() => page.getByRole('link', { name: /^Two stars/ }).count()).toBe(0);
    // Its address, gone back to, says what became of it.
    await page.goBack();
    await page.getByText('There is no such album any more: it was deleted, or its folder removed from the library.').waitFor();
    await link('Albums').click();
  });

  it('writes the tags of a tag’s photos to XMP sidecars, leaving the photos untouched', async () => {
    await link('Tags').click();
    await page.getByRole('link', { name: /^star, \d+ photos$/ }).click();
    await page.getByRole('button', { name: 'Write to XMP sidecars' }).click();
    await page.getByRole('button', { name: 'Write sidecars' }).click();
    await page.getByText(/XMP sidecars: \d+ written, 0 unchanged, 0 skipped\./).waitFor({ timeout: 30_000 });
    const starDir = path.join(photos, 'star');
    const sidecars = (await readdir(starDir)).filter((name) => name.endsWith('.xmp'));
    expect(sidecars.length).toBeGreaterThan(10);
    const xml = await readFile(path.join(starDir, sidecars[0]!), 'utf8');
    expect(wellFormedError(xml)).toBeNull();
    expect(xml).toContain('<rdf:li>star</rdf:li>');
    for (const [file, hash] of hashes) expect(createHash('sha256').update(await readFile(file)).digest('hex')).toBe(hash);
  });

  it('opens the prompts of the tag shown from its "Edit prompts"', async () => {
    for (const name of ['star', 'circle']) {
      await link('Tags').click();
      await page.getByRole('link', { name: new RegExp(`^${name}, \\d+ photos$`) }).click();
      await page.getByRole('link', { name: 'Edit prompts' }).click();
      await page.getByRole('region', { name: `Tag ${name}` }).waitFor();
      expect(await page.getByRole('listbox', { name: 'Tags to edit' }).getByRole('option', { name, exact: true }).getAttribute('aria-selected')).toBe('true');
    }
  });

  it('narrows the library to a tag from the filters, kept in the address', async () => {
    await link('Tags').click();
    const starLink = page.getByRole('link', { name: /^star, \d+ photos$/ });
    const tagged = Number(/(\d+) photos$/.exec((await starLink.getAttribute('aria-label')) ?? '')?.[1]);
    expect(tagged).toBeGreaterThan(0);
    await link('Library').click();
    const grid = page.getByRole('listbox', { name: 'Photos' });
    const size = () => grid.getByRole('option').first().getAttribute('aria-setsize');
    const everything = await size();
    await page.getByRole('button', { name: 'Filters' }).click();
    await page.getByRole('group', { name: 'Filters' }).getByLabel('Tag').selectOption('star');
    await expect.poll(size).toBe(String(tagged));
    expect(new URL(page.url()).hash).toContain('tagged=star');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(size).toBe(everything);
  });
});
