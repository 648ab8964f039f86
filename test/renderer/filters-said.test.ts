/**
 * The Library's filters as an address gives them and as a person types them: a tag or folder the
 * library does not have is dropped and said (Note [Filters naming what is not there] in
 * FiltersBar.svelte), and a date range typed the wrong way round is refused and said (Note [Dates
 * the wrong way round] in search-params.ts). Built for real and driven in Chromium against a fake engine.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { folderKey } from '../../main/core/folder-key.js';
import type { TagInfo, VocabularyInfo } from '../../preload/contract.js';
import { appPages, FAKE_FOLDER, libraryFake, rendererInChromium } from './harness.js';
import { vocabularyFake } from './vocabulary-fake.js';

const pages = appPages(rendererInChromium());
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000, interval: 25 });
const hash = (page: Page) => page.evaluate(() => location.hash);
const tag = (name: string, photos: number): TagInfo => ({ name, enabled: true, inVocabulary: true, photos, confirmed: 0, rejected: 0, samples: [] });

/** `libraryFake` with the tags "beach" (on two photos) and "snow" (on none: all rejected). */
function taggedFake() {
  const fake = libraryFake();
  fake.overrides['tags.list'] = () => ({ ok: true, value: [tag('beach', 2), tag('snow', 0)] });
  return fake;
}

const said = (page: Page) => page.locator('p[role="status"].said').textContent();

describe('a tag filter in the address that names no tag', () => {
  it('is dropped and said, and the photos show; a tag the library has is kept, in any case, with photos or none', async () => {
    const fake = taggedFake();
    const { page } = await pages.open(fake, { hash: '#/library?tagged=nope' });
    await poll(() => said(page)).toBe('There is no tag “nope”, so the photos are not filtered by tag.');
    expect(await hash(page)).toBe('#/library');
    await poll(() => fake.callsOf('photos.timeline').at(-1)?.filters?.tag).toBeUndefined();
    await page.getByRole('option', { name: /^a\.jpg/ }).waitFor();
    // Said until the filters change.
    await page.getByRole('button', { name: /^Filters/ }).click();
    await page.getByRole('group', { name: 'Filters' }).getByLabel('Has location').check();
    await poll(() => said(page)).toBe('');
    for (const known of ['Beach', 'snow']) {
      await page.evaluate((to) => (location.hash = to), `#/library?tagged=${known}`);
      await poll(() => fake.callsOf('photos.timeline').at(-1)?.filters?.tag).toBe(known);
      await page.waitForTimeout(200);
      expect(await hash(page)).toBe(`#/library?tagged=${known}`);
      expect(await said(page)).toBe('');
    }
  });
});

describe('a tag filter whose tag was renamed in the template editor (Note [Pages follow a rename])', () => {
  const holiday: VocabularyInfo = { templates: ['a photo of {}'], tags: ['beach', 'snow'].map((name) => ({ name, prompts: [name] })) };
  /** A fake engine whose tags are its saved vocabulary's, each on two photos. */
  function editorFake() {
    const { fake, saved } = vocabularyFake(holiday);
    fake.overrides['tags.list'] = () => ({ ok: true, value: saved().tags.map((saved) => tag(saved.name, 2)) });
    return fake;
  }
  /** From the Library filtered by "beach" to the template editor, where "beach" is renamed "seaside" and saved. */
  async function renameBeach(page: Page, fake: ReturnType<typeof editorFake>) {
    await poll(() => fake.callsOf('photos.timeline').at(-1)?.filters?.tag).toBe('beach');
    await page.evaluate(() => (location.hash = '#/templates?tag=beach'));
    await page.getByRole('region', { name: 'Tag beach' }).getByRole('textbox', { name: 'Name' }).fill('seaside');
    await page.getByRole('button', { name: 'Save' }).click();
    await poll(() => fake.callsOf('vocabulary.save').length).toBe(1);
  }

  it('filters by the tag it became, Back from the editor, the address put right in place', async () => {
    const fake = editorFake();
    const { page } = await pages.open(fake, { hash: '#/library?tagged=beach' });
    await renameBeach(page, fake);
    await page.goBack();
    await poll(() => hash(page)).toBe('#/library?tagged=seaside');
    await poll(() => fake.callsOf('photos.timeline').at(-1)?.filters?.tag).toBe('seaside');
    await page.waitForTimeout(200);
    expect(await said(page)).toBe('');
    // Replaced, not stepped to: Forward still leads to the editor.
    await page.goForward();
    await poll(() => hash(page)).toMatch(/^#\/templates/);
  });

  it('is dropped and said when the tag it became has been deleted since', async () => {
    const fake = editorFake();
    const { page } = await pages.open(fake, { hash: '#/library?tagged=beach' });
    await renameBeach(page, fake);
    await page.getByRole('button', { name: 'Delete seaside' }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await poll(() => fake.callsOf('vocabulary.save').length).toBe(2);
    await page.goBack();
    await poll(() => said(page)).toBe('There is no tag “beach”, so the photos are not filtered by tag.');
    expect(await hash(page)).toBe('#/library');
    await poll(() => fake.callsOf('photos.timeline').at(-1)?.filters?.tag).toBeUndefined();
  });
});

describe('a folder filter in the address that names no library folder', () => {
  it('is dropped and said, as a tag is, whether it is no folder’s key or the key of a folder not in the library; a library folder is kept', async () => {
    const fake = libraryFake();
    const { page } = await pages.open(fake, { hash: '#/library?folder=nope' });
    const gone = 'The folder filtered by is not in the library, so the photos are not narrowed to a folder.';
    await poll(() => said(page)).toBe(gone);
    expect(await hash(page)).toBe('#/library');
    await page.evaluate((to) => (location.hash = to), `#/library?q=sea&folder=${folderKey('/home/ada/Elsewhere')}`);
    await poll(() => hash(page)).toBe('#/library?q=sea');
    await poll(() => said(page)).toBe(gone);
    await page.evaluate((to) => (location.hash = to), `#/library?folder=${FAKE_FOLDER.key}`);
    await poll(() => fake.callsOf('photos.timeline').at(-1)?.filters?.within).toBe(FAKE_FOLDER.key);
    await page.waitForTimeout(200);
    expect(await hash(page)).toBe(`#/library?folder=${FAKE_FOLDER.key}`);
    expect(await said(page)).toBe('');
  });
});

describe('a date range typed the wrong way round (Note [Dates the wrong way round])', () => {
  it('refuses the day typed, says why at its field, keeps the range, and takes it once the other end puts them in order', async () => {
    const { page } = await pages.open(libraryFake(), { hash: '#/library?from=2021-06-01&to=2021-08-01' });
    await page.getByRole('button', { name: 'Filters (2)' }).click();
    const filters = page.getByRole('group', { name: 'Filters' });
    const [from, to] = [filters.getByLabel('From', { exact: true }), filters.getByLabel('To', { exact: true })];
    // The range moved two years earlier, its end first.
    await to.fill('2019-08-01');
    const alert = page.getByRole('alert');
    await poll(() => alert.textContent()).toMatch(/^“To” cannot be before “From”, .*2021: choose a later day, or an earlier “From”\. The photos keep the dates they had\.$/);
    expect(await to.getAttribute('aria-invalid')).toBe('true');
    expect(await to.getAttribute('aria-describedby')).toBe(await alert.getAttribute('id'));
    expect(await to.inputValue()).toBe('2019-08-01');
    expect(await from.inputValue()).toBe('2021-06-01');
    expect(await hash(page)).toBe('#/library?from=2021-06-01&to=2021-08-01');
    await from.fill('2019-06-01');
    await poll(() => hash(page)).toBe('#/library?from=2019-06-01&to=2019-08-01');
    expect(await alert.count()).toBe(0);
    expect(await to.getAttribute('aria-invalid')).toBeNull();
    // The start typed past the end, then the refusal given up by clearing the filters.
    await from.fill('2020-01-01');
    await poll(() => alert.textContent()).toMatch(/^“From” cannot be after “To”, /);
    expect(await from.getAttribute('aria-invalid')).toBe('true');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await poll(() => hash(page)).toBe('#/library');
    expect(await alert.count()).toBe(0);
    expect(await from.inputValue()).toBe('');
  });
});

describe('the file types offered', () => {
  it('are those the library has photos in, and a type chosen in the address that it has none in, until it is cleared', async () => {
    const fake = libraryFake();
    fake.overrides['photos.formats'] = () => ({ ok: true, value: [{ format: 'jpeg', photos: 2 }, { format: 'png', photos: 1 }] });
    const { page } = await pages.open(fake, { hash: '#/library?type=heic' });
    await page.getByRole('button', { name: 'Filters (1)' }).click();
    const types = page.getByRole('group', { name: 'File type' });
    const offered = () => types.getByRole('checkbox').evaluateAll((boxes) => boxes.map((box) => box.parentElement?.textContent?.trim()));
    await poll(offered).toEqual(['JPEG', 'PNG', 'HEIC']);
    await types.getByText('HEIC').click();
    await poll(offered).toEqual(['JPEG', 'PNG']);
    expect(await hash(page)).toBe('#/library');
  });
});
