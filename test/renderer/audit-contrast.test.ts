/**
 * What an accessibility audit found, built for real and measured in Chromium against a fake
 * engine, in both themes: the first run's reason the Add button does nothing reads at 4.5:1, form
 * fields' edges stand out at 3:1 from what is around them (WCAG 1.4.11), the search box has the
 * app's focus ring, and an album card's tags are read out in words, not as "christmas 33%".
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { AlbumInfo, TagInfo, VocabularyInfo } from '../../preload/contract.js';
import { albumsFake, FOLDER_ALBUM } from './album-fake.js';
import { appPages, contrastOf, libraryFake, rendererInChromium, type FakeLumen } from './harness.js';

const pages = appPages(rendererInChromium());
const THEMES = ['light', 'dark'] as const;

/** The contrast of a field's edge (its top border) against what is around it. */
const edgeContrast = (field: Locator) => contrastOf(field, { paint: 'borderTopColor' });

describe('the first run, with no model yet', () => {
  it.each(THEMES)('says why Add a folder… does nothing at 4.5:1 or more in the %s theme, faded step and all', async (colorScheme) => {
    const fake = libraryFake();
    fake.status.model = null;
    fake.status.modelProblem = { kind: 'none-installed', message: 'No model is installed.' };
    fake.status.library = null;
    fake.listing.installed = [];
    fake.overrides['photos.timeline'] = () => ({ ok: true, value: { total: 0, ids: [], ratios: [], takenAt: [], names: [], folderIds: [], versions: [] } });
    const { page } = await pages.open(fake, { colorScheme });
    const add = page.getByRole('button', { name: 'Add a folder…' });
    await add.waitFor();
    const reason = page.locator(`#${await add.getAttribute('aria-describedby')}`);
    expect(await reason.textContent()).toMatch(/^Get a model first/);
    expect(await contrastOf(reason)).toBeGreaterThanOrEqual(4.5);
  });
});

/** `albumsFake` with what the fields' screens need: tags, cameras, a vocabulary and the viewer's photo. */
function fieldsFake(): FakeLumen {
  const fake = albumsFake({ Trip: [1, 2] });
  const tag: TagInfo = { name: 'beach', enabled: true, inVocabulary: true, photos: 2, confirmed: 0, rejected: 0, samples: [1, 2] };
  fake.overrides['tags.list'] = () => ({ ok: true, value: [tag] });
  fake.overrides['photos.cameras'] = () => ({ ok: true, value: [] });
  const vocabulary: VocabularyInfo = { templates: ['a photo of {}'], tags: [{ name: 'beach', prompts: ['beach', 'sand and sea'] }] };
  fake.overrides['vocabulary.get'] = () => ({ ok: true, value: { vocabulary: structuredClone(vocabulary), isDefault: false } });
  fake.overrides['photos.details'] = ({ id }: { id: number }) => ({ ok: true, value: { id, name: 'b.jpg', folderId: 1, takenAt: Date.UTC(2024, 5, 2), width: 400, height: 300, format: 'jpeg', version: 2, path: '/home/ada/Pictures/b.jpg', size: 1, capturedAt: null, camera: null, lens: null, location: null, copies: [] } });
  fake.overrides['tags.ofPhoto'] = ({ id }: { id: number }) => ({ ok: true, value: { photoId: id, tags: [], rejected: [] } });
  return fake;
}

describe('form fields’ edges (WCAG 1.4.11, at least 3:1 against what is around them)', () => {
  it.each(THEMES)('stand out in the Filters, the viewer, the template editor and an album’s rename in the %s theme', async (colorScheme) => {
    const { page } = await pages.open(fieldsFake(), { hash: '#/library', colorScheme });
    const edges: Record<string, number> = {};
    const measure = async (name: string, field: Locator) => {
      await field.waitFor();
      edges[name] = await edgeContrast(field);
    };
    await page.getByRole('button', { name: 'Filters' }).click();
    const filters = page.getByRole('group', { name: 'Filters' });
    // A select's name ends in its choice: "Folder All folders".
    for (const name of ['Camera', 'Folder', 'Tag']) await measure(name, filters.getByLabel(new RegExp(`^${name}`)));
    await measure('Sort', page.getByLabel(/^Sort/));

    await page.getByRole('listbox').getByRole('option', { name: /^b\.jpg/ }).dblclick();
    await measure('Add a tag', page.getByRole('dialog', { name: 'b.jpg' }).getByRole('combobox', { name: 'Add a tag' }));
    await page.keyboard.press('Escape');

    await go(page, '#/templates');
    await measure('Prompts', page.getByRole('textbox', { name: 'Prompts for beach' }));
    await go(page, '#/albums?album=saved%3A1');
    await page.getByRole('button', { name: 'Rename album' }).click();
    await measure('Album name', page.getByRole('textbox', { name: 'Album name' }));

    for (const [name, ratio] of Object.entries(edges)) expect(ratio, name).toBeGreaterThanOrEqual(3);
  });
});

const go = (page: Page, hash: string) => page.evaluate((to) => (location.hash = to), hash);

describe('the search box’s focus', () => {
  it.each(THEMES)('is the app’s ring, 2 px or more at 3:1 or more, in the %s theme', async (colorScheme) => {
    const { page } = await pages.open(libraryFake(), { hash: '#/library', colorScheme });
    await page.getByRole('listbox').getByRole('option').first().waitFor();
    await page.getByRole('searchbox', { name: 'Search photos' }).focus();
    const search = page.getByRole('search');
    const ring = await search.evaluate((element) => {
      const style = getComputedStyle(element);
      return { style: style.outlineStyle, width: parseFloat(style.outlineWidth) };
    });
    expect(ring.style).toBe('solid');
    expect(ring.width).toBeGreaterThanOrEqual(2);
    expect(await contrastOf(search, { paint: 'outlineColor' })).toBeGreaterThanOrEqual(3);
  });
});

describe('an album’s tags, read out (Note [Tag shares said] in AlbumsView.svelte)', () => {
  it('say what the number is, keeping the chips and the cards’ names as they are', async () => {
    const fake = albumsFake({ 'Holiday test': [1, 2, 3] });
    const listed = fake.overrides['albums.list'] as () => { ok: true; value: AlbumInfo[] };
    const tags = [
      { tag: 'christmas', photos: 1, share: 1 / 3, meanScore: 0.3 },
      { tag: 'snow', photos: 3, share: 1, meanScore: 0.3 },
    ];
    fake.overrides['albums.list'] = () => ({ ok: true, value: listed().value.map((album) => ({ ...album, tags })) });
    const { page } = await pages.open(fake, { hash: '#/albums' });
    const session = await page.context().newCDPSession(page);
    const described = async (selector: string) => {
      const { root } = await session.send('DOM.getDocument');
      const { nodeId } = await session.send('DOM.querySelector', { nodeId: root.nodeId, selector });
      const { nodes } = await session.send('Accessibility.getPartialAXTree', { nodeId, fetchRelatives: false });
      return { name: nodes[0]?.name?.value, description: nodes[0]?.description?.value };
    };
    const saved = page.getByRole('link', { name: 'Holiday test, 3 photos, saved' });
    await saved.waitFor();
    expect(await saved.locator('.badge').allInnerTexts()).toEqual(['christmas 33%', 'snow 100%']);
    const said = 'christmas, on 33% of photos; snow, on 100% of photos';
    expect(await described('a[href="#/albums?album=saved%3A1"]')).toEqual({ name: 'Holiday test, 3 photos, saved', description: said });
    expect(await described(`a[href="#/albums?album=${encodeURIComponent(FOLDER_ALBUM)}"]`)).toEqual({ name: 'Pictures, 3 photos', description: said });
    // The album's page says them so too, below its heading.
    await saved.click();
    await page.getByText(said, { exact: true }).waitFor();
  });
});
