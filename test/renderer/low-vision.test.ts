/**
 * The app for people who zoom in or change the colours, built for real and laid out in Chromium
 * against a fake engine: every screen reflows at 320 px (WCAG 1.4.10, 400 % of 1280 px), forced
 * colours (Windows' contrast themes) keep the progress bars, the current section, the search
 * box's focus and the viewer's buttons in sight, and placeholders are readable (WCAG 1.4.3);
 * and what describes, labels or is controlled by an element is on the page for assistive
 * technology to find.
 */
import type { Locator, Page } from 'playwright-core';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { TagInfo, VocabularyInfo } from '../../preload/contract.js';
import { albumsFake } from './album-fake.js';
import { appPages, contrastOf, FAKE_MODEL, jobEvent, rendererInChromium, type FakeLumen } from './harness.js';

const pages = appPages(rendererInChromium());
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000 });

/** `libraryFake` with what each screen shows, its longest texts as people meet them. */
function fullFake(): FakeLumen {
  const fake = albumsFake({ 'Summer by the sea': [1, 2] });
  // Every choice of where models run, most not available here: "DirectML (Windows GPUs), not available here".
  fake.status.providerChoices = ['auto', 'gpu', 'cpu', 'webgpu', 'dml', 'coreml', 'cuda'];
  fake.status.library!.folders.push({ id: 2, path: '/media/ada/Photo archive/2019 and before', excludes: [] });
  const tag = (name: string, samples: number[]): TagInfo => ({ name, enabled: true, inVocabulary: true, photos: samples.length, confirmed: 0, rejected: 0, samples });
  fake.overrides['tags.list'] = () => ({ ok: true, value: [tag('beach', [1, 2]), tag('sunset', [3]), tag('street art', [2, 3])] });
  const vocabulary: VocabularyInfo = { templates: ['a photo of {}'], tags: [{ name: 'beach', prompts: ['beach', 'sand and sea'] }, { name: 'sunset', prompts: ['sunset'] }] };
  fake.overrides['vocabulary.get'] = () => ({ ok: true, value: { vocabulary: structuredClone(vocabulary), isDefault: false } });
  const photo = (id: number, path: string) => ({ id, name: path.split('/').pop() as string, path, width: 4000, height: 3000, size: 1000 * id, capturedAt: null, camera: null, hasLocation: false, links: [] });
  const photos = [photo(1, '/home/ada/Pictures/phone/2023/IMG_20230514_181502.jpg'), photo(2, '/home/ada/Pictures/camera/2023/IMG_20230514_181502.jpg')];
  fake.overrides['duplicates.find'] = () => ({ ok: true, value: { model: FAKE_MODEL, threshold: 0.75, images: 3, groups: [{ keep: 1, reason: 'largest (4000 × 3000)', similarity: null, photos }] } });
  // The viewer, on b.jpg (id 2) with no tags yet.
  fake.overrides['photos.details'] = ({ id }: { id: number }) => ({ ok: true, value: { id, name: 'b.jpg', folderId: 1, takenAt: Date.UTC(2024, 5, 2), width: 400, height: 300, format: 'jpeg', version: 2, path: '/home/ada/Pictures/b.jpg', size: 1, capturedAt: null, camera: null, lens: null, location: null, copies: [] } });
  fake.overrides['tags.ofPhoto'] = ({ id }: { id: number }) => ({ ok: true, value: { photoId: id, tags: [], rejected: [] } });
  return fake;
}

/**
 * What on the screen reaches past the window's right edge, and what scrolls sideways: nothing,
 * where it reflows. The header's sections too: a strip scrolled to reach them hides them.
 * Runs in the page.
 */
function pastTheEdge(): string[] {
  const edge = document.documentElement.clientWidth;
  const nameOf = (part: Element) => `${part.tagName.toLowerCase()}${part.className.toString() ? `.${part.className.toString().split(' ')[0]}` : ''} "${(part.getAttribute('aria-label') ?? part.textContent ?? '').trim().slice(0, 30)}"`;
  const said: string[] = [];
  for (const part of document.body.querySelectorAll('*')) {
    const box = part.getBoundingClientRect();
    if (box.width < 1 || box.height < 1) continue;
    if (box.right > edge + 0.5) said.push(`${nameOf(part)} ends at ${Math.round(box.right)}`);
  }
  for (const scroller of [document.documentElement, document.querySelector('main')!]) {
    if (scroller.scrollWidth > scroller.clientWidth) said.push(`${scroller.tagName.toLowerCase()} scrolls sideways (${scroller.scrollWidth} in ${scroller.clientWidth})`);
  }
  return said;
}

/** Each screen, its address, and what shows once it is drawn. */
const SCREENS = [
  ['Library', '#/library', (page: Page) => page.getByRole('listbox').getByRole('option').first().waitFor()],
  ['Tags', '#/tags', (page: Page) => page.getByRole('link', { name: 'street art, 2 photos' }).waitFor()],
  ['Albums', '#/albums', (page: Page) => page.getByRole('link', { name: /^Summer by the sea/ }).waitFor()],
  ['Templates', '#/templates', (page: Page) => page.getByRole('region', { name: 'Tag beach' }).waitFor()],
  [
    'Duplicates',
    '#/duplicates',
    async (page: Page) => {
      await page.getByRole('button', { name: 'Find duplicates' }).click();
      await page.getByRole('region', { name: '2 copies of IMG_20230514_181502.jpg' }).waitFor();
    },
  ],
  ['Settings', '#/settings', (page: Page) => page.getByRole('button', { name: 'Remove /media/ada/Photo archive/2019 and before' }).waitFor()],
] as const;

describe('every screen at 320 px (WCAG 1.4.10 Reflow)', () => {
  it.each(SCREENS)('shows %s inside the window, nothing to scroll sideways', async (_name, hash, ready) => {
    const { page } = await pages.open(fullFake(), { hash });
    await page.setViewportSize({ width: 320, height: 640 });
    await ready(page);
    await poll(() => page.evaluate(pastTheEdge)).toEqual([]);
    // Every section and Shortcuts in sight, without scrolling the header.
    for (const link of await page.getByRole('navigation', { name: 'Main' }).getByRole('link').all()) expect(await link.isVisible()).toBe(true);
    const shortcuts = (await page.getByRole('button', { name: 'Keyboard shortcuts' }).boundingBox())!;
    expect(shortcuts.x + shortcuts.width).toBeLessThanOrEqual(320);
  });
});

describe('references between elements (aria-controls, -describedby, -labelledby)', () => {
  it.each(SCREENS)('point at elements on %s, the filters and the viewer open or not', async (_name, hash, ready) => {
    const { page } = await pages.open(fullFake(), { hash });
    await ready(page);
    const dangling = () =>
      page.evaluate(() =>
        [...document.querySelectorAll('[aria-controls], [aria-describedby], [aria-labelledby]')].flatMap((element) =>
          ['aria-controls', 'aria-describedby', 'aria-labelledby'].flatMap((attribute) =>
            (element.getAttribute(attribute) ?? '').split(/\s+/).filter((id) => id && !document.getElementById(id)).map((id) => `${element.tagName.toLowerCase()} ${attribute}="${id}"`),
          ),
        ),
      );
    expect(await dangling()).toEqual([]);
    if (hash === '#/library') {
      await page.getByRole('button', { name: /^Filters/ }).click();
      await page.getByRole('group', { name: 'Filters' }).waitFor();
      expect(await dangling()).toEqual([]);
      await page.getByRole('listbox').getByRole('option').first().click();
      await page.getByRole('dialog').getByRole('heading').first().waitFor();
      expect(await dangling()).toEqual([]);
    }
  });
});

/** The computed style `property` of `locator`'s element (or its `pseudo`), as Chromium draws it now. */
const styleOf = (locator: Locator, property: string, pseudo?: string) =>
  locator.evaluate((element, [name, part]) => getComputedStyle(element, part).getPropertyValue(name), [property, pseudo] as const);

describe('forced colours (a contrast theme)', () => {
  it('draws the progress bars with an edge and a system colour for their value', async () => {
    const { page, emit } = await pages.open(fullFake(), { hash: '#/library' });
    await page.emulateMedia({ forcedColors: 'active' });
    await emit(jobEvent({ id: 'ocr-1', kind: 'ocr', state: 'running', progress: { total: 102, done: 31, read: 31, withText: 1, skipped: 0, failed: 0, perSecond: 2.5, etaSeconds: 4000 } }));
    const bar = page.getByRole('progressbar', { name: 'Reading text in photos progress' });
    await bar.waitFor();
    expect(await styleOf(bar, 'border-top-style')).toBe('solid');
    expect(await styleOf(bar, 'border-top-width')).not.toBe('0px');
    // Its value shows: the bar's first third (31 of 102) is drawn in another colour than the rest, not all painted over in the theme's background.
    const { data, info } = await sharp(await bar.screenshot()).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const pixel = (share: number) => {
      const at = (Math.floor(info.height / 2) * info.width + Math.floor(info.width * share)) * info.channels;
      return [...data.subarray(at, at + 3)];
    };
    const [done, left] = [pixel(0.15), pixel(0.85)];
    expect(Math.max(...done.map((channel, i) => Math.abs(channel - left[i]!))), `${done} against ${left}`).toBeGreaterThan(100);
  });

  it('marks the current section by more than colour', async () => {
    const { page } = await pages.open(fullFake(), { hash: '#/tags' });
    await page.emulateMedia({ forcedColors: 'active' });
    const nav = page.getByRole('navigation', { name: 'Main' });
    const current = nav.getByRole('link', { name: 'Tags' });
    await poll(() => current.getAttribute('aria-current')).toBe('page');
    expect(await styleOf(current, 'text-decoration-line')).toBe('underline');
    expect(await styleOf(nav.getByRole('link', { name: 'Library' }), 'text-decoration-line')).toBe('none');
  });

  it('rings the search box while it has focus', async () => {
    const { page } = await pages.open(fullFake(), { hash: '#/library' });
    await page.emulateMedia({ forcedColors: 'active' });
    const search = page.getByRole('search');
    const box = page.getByRole('searchbox', { name: 'Search photos' });
    await page.getByRole('listbox').getByRole('option').first().waitFor();
    expect(await styleOf(search, 'outline-style')).toBe('none');
    await box.focus();
    expect(await styleOf(search, 'outline-style')).toBe('solid');
    expect(await styleOf(search, 'outline-width')).toBe('2px');
  });

  it('shows the tag chosen in the template editor in the system’s selection colours, not by a background the theme paints over', async () => {
    const { page } = await pages.open(fullFake(), { hash: '#/templates' });
    await page.emulateMedia({ forcedColors: 'active' });
    const list = page.getByRole('listbox', { name: 'Tags to edit' });
    const chosen = list.getByRole('option', { selected: true });
    await chosen.waitFor();
    const highlight = await page.evaluate(() => {
      const probe = document.body.appendChild(document.createElement('div'));
      probe.style.cssText = 'forced-color-adjust: none; background: Highlight; color: HighlightText';
      const { backgroundColor, color } = getComputedStyle(probe);
      probe.remove();
      return { backgroundColor, color };
    });
    expect(await styleOf(chosen, 'background-color')).toBe(highlight.backgroundColor);
    expect(await styleOf(chosen, 'color')).toBe(highlight.color);
    expect(await styleOf(list.getByRole('option', { selected: false }).first(), 'background-color')).not.toBe(highlight.backgroundColor);
  });

  it('keeps an edge round the viewer’s buttons: previous, next and zoom', async () => {
    const { page } = await pages.open(fullFake(), { hash: '#/library?photo=2' });
    await page.emulateMedia({ forcedColors: 'active' });
    const viewer = page.getByRole('dialog', { name: 'b.jpg' });
    for (const name of ['Previous photo', 'Next photo', 'Zoom out', 'Zoom in']) {
      const button = viewer.getByRole('button', { name, exact: true });
      await button.waitFor();
      expect(await styleOf(button, 'border-top-style'), name).toBe('solid');
      expect(await styleOf(button, 'border-top-width'), name).not.toBe('0px');
    }
  });
});

describe('placeholders (WCAG 1.4.3, at least 4.5:1)', () => {
  it.each(['light', 'dark'] as const)('of the search box and the viewer’s Add a tag are readable in the %s theme', async (colorScheme) => {
    const { page } = await pages.open(fullFake(), { hash: '#/library?photo=2', colorScheme });
    const viewer = page.getByRole('dialog', { name: 'b.jpg' });
    const field = viewer.getByRole('combobox', { name: 'Add a tag' });
    await field.waitFor();
    expect(await contrastOf(field, { pseudo: '::placeholder' })).toBeGreaterThanOrEqual(4.5);
    await page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'hidden' });
    const search = page.getByRole('searchbox', { name: 'Search photos' });
    expect(await contrastOf(search, { pseudo: '::placeholder' })).toBeGreaterThanOrEqual(4.5);
    // Focused, its box turns from the second surface to the first.
    await search.focus();
    expect(await contrastOf(search, { pseudo: '::placeholder' })).toBeGreaterThanOrEqual(4.5);
  });
});
