/**
 * Long names, one unbroken word, built for real and laid out in Chromium against a fake engine:
 * a folder album's path and a tag of 80 letters stay inside their cards, whose samples keep the
 * size of their neighbours', and inside the viewer's panel, whose field to add a tag stays whole;
 * copies compared side by side keep to their cards; a long query leaves the results in view and
 * the window's title short.
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { AlbumInfo, DuplicatePhotoInfo, SearchHitInfo, TagInfo } from '../../preload/contract.js';
import { albumsFake } from './album-fake.js';
import { appPages, FAKE_MODEL, libraryFake, rendererInChromium } from './harness.js';

const pages = appPages(rendererInChromium());
const LONG_TAG = 'a'.repeat(80);

/** What inside `box` reaches past its sides or its foot, or is cut inside itself, by text or class: nothing, where the layout holds. Runs in the page. */
function spills(box: Element): string[] {
  const edge = box.getBoundingClientRect();
  const nameOf = (part: Element) => `${part.tagName.toLowerCase()}.${part.className.toString().split(' ')[0]} "${part.textContent?.trim().slice(0, 20) ?? ''}"`;
  const said: string[] = [];
  for (const part of box.querySelectorAll('*')) {
    const own = part.getBoundingClientRect();
    if (own.width < 1 || own.height < 1) continue;
    if (own.left < edge.left - 0.5 || own.right > edge.right + 0.5) said.push(`${nameOf(part)} leaves it (${Math.round(own.left)} to ${Math.round(own.right)}, in ${Math.round(edge.left)} to ${Math.round(edge.right)})`);
    if (own.bottom > edge.bottom + 0.5) said.push(`${nameOf(part)} leaves its foot (${Math.round(own.bottom)}, below ${Math.round(edge.bottom)})`);
    if (part.scrollWidth > part.clientWidth + 1 && getComputedStyle(part).overflowX !== 'visible') said.push(`${nameOf(part)} is cut`);
  }
  return said;
}

/** The size of each card's first sample, rounded: one size for all, where a long name changes nothing. */
const sampleSizes = (cards: Locator) => cards.evaluateAll((links) => links.map((link) => {
  const { width, height } = link.querySelector('img')!.getBoundingClientRect();
  return `${Math.round(width)}x${Math.round(height)}`;
}));

async function cardsHold(page: Page, cards: Locator): Promise<void> {
  await expect.poll(() => cards.evaluateAll((links) => links.every((link) => [...link.querySelectorAll('img')].every((img) => img.complete))), { timeout: 5000 }).toBe(true);
  for (const card of await cards.all()) expect(await card.evaluate(spills), (await card.getAttribute('aria-label')) ?? '').toEqual([]);
  expect(new Set(await sampleSizes(cards)).size).toBe(1);
  // The page beside the cards does not scroll sideways.
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
}

describe('a long name on a card', () => {
  it('of a folder album wraps inside its card at 800 x 600, its samples the size of its neighbours’', async () => {
    const fake = albumsFake({});
    const folder = (id: number, album: string, samples: number[]): AlbumInfo => {
      const name = album.split('/').slice(-3).join('/');
      return { id: `folder:${id}`, kind: 'folder', name, album, photos: samples.length, files: samples.length, tags: [], label: `${name}: (no common tags)`, samples };
    };
    fake.overrides['albums.list'] = () => ({
      ok: true,
      value: [
        folder(1, '/usr/share/wallpapers/MilkyWay/contents/images', [1, 2]),
        folder(2, '/usr/share/wallpapers/OneStandsOut/contents', [3]),
        folder(3, '/usr/share/wallpapers/OneStandsOut/contents/images', [1, 2, 3]),
      ],
    });
    const { page } = await pages.open(fake, { hash: '#/albums' });
    await page.setViewportSize({ width: 800, height: 600 });
    const cards = page.getByRole('list').getByRole('link');
    await page.getByRole('link', { name: 'OneStandsOut/contents/images, 3 photos' }).waitFor();
    await cardsHold(page, cards);
    // Its path wraps after a "/", not inside a folder's name.
    const lines = await page.getByRole('link', { name: 'OneStandsOut/contents/images, 3 photos' }).locator('.set-name').evaluate((name) => {
      const ends = new Map<number, string>();
      const walker = document.createTreeWalker(name, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (let i = 0; i < (node.textContent ?? '').length; i++) {
          const range = document.createRange();
          range.setStart(node, i);
          range.setEnd(node, i + 1);
          const top = Math.round(range.getBoundingClientRect().top);
          ends.set(top, (ends.get(top) ?? '') + (node.textContent ?? '')[i]);
        }
      }
      return [...ends.values()];
    });
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines.slice(0, -1)) expect(line).toMatch(/\/$/);
    expect(lines.join('')).toBe('OneStandsOut/contents/images');
    // Its whole name is on the card, and its path in its tooltip.
    expect(await page.getByRole('link', { name: 'OneStandsOut/contents/images, 3 photos' }).getAttribute('title')).toBe('/usr/share/wallpapers/OneStandsOut/contents/images');
  });

  it('of a tag of one long word wraps inside its card at 1280 x 800, its sample the size of its neighbours’', async () => {
    const fake = libraryFake();
    const tag = (name: string, samples: number[], more: Partial<TagInfo> = {}): TagInfo => ({ name, enabled: true, inVocabulary: true, photos: samples.length, confirmed: 0, rejected: 0, samples, ...more });
    fake.overrides['tags.list'] = () => ({ ok: true, value: [tag('sign', [1, 2, 3]), tag('street art', [1, 2]), tag('train', [2, 3]), tag(LONG_TAG, [2], { confirmed: 1, enabled: false }), tag('boat', [1]), tag('clothing', [3])] });
    const { page } = await pages.open(fake, { hash: '#/tags' });
    await page.setViewportSize({ width: 1280, height: 800 });
    const cards = page.getByRole('list').first().getByRole('link');
    // Its accessible name stays its name and count.
    await page.getByRole('link', { name: `${LONG_TAG}, 1 photo`, exact: true }).waitFor();
    await cardsHold(page, cards);
    // The cards of its row are as tall as it, its name wrapped and its last line whole (above).
    const card = page.getByRole('link', { name: `${LONG_TAG}, 1 photo`, exact: true });
    const [own, neighbour] = await Promise.all([card.boundingBox(), page.getByRole('link', { name: 'boat, 1 photo' }).boundingBox()]);
    expect(neighbour!.height).toBeCloseTo(own!.height, 0);
  });
});

describe('a long tag in the viewer', () => {
  it('wraps inside the panel, which keeps the field to add a tag whole', async () => {
    const fake = libraryFake();
    fake.overrides['tags.ofPhoto'] = ({ id }: { id: number }) => ({ ok: true, value: { photoId: id, tags: [{ tag: LONG_TAG, source: 'person', score: null }, { tag: 'my cat', source: 'person', score: null }, { tag: 'sign', source: 'auto', score: 0.7 }], rejected: [LONG_TAG.replace(/a/g, 'b')] } });
    fake.overrides['photos.details'] = ({ id }: { id: number }) => ({ ok: true, value: { id, name: 'b.jpg', folderId: 1, takenAt: Date.UTC(2024, 5, 2), width: 400, height: 300, format: 'jpeg', version: 2, path: '/home/ada/Pictures/b.jpg', size: 1, capturedAt: null, camera: null, lens: null, location: null, copies: [] } });
    const { page } = await pages.open(fake, { hash: '#/library?photo=2' });
    await page.setViewportSize({ width: 1280, height: 800 });
    const tags = page.getByRole('dialog', { name: 'b.jpg' }).getByRole('region', { name: 'Tags' });
    await tags.getByRole('link', { name: LONG_TAG, exact: true }).waitFor();
    expect(await tags.evaluate(spills)).toEqual([]);
    // The region itself is no wider than the panel it is in.
    expect(await tags.evaluate((region) => region.getBoundingClientRect().right <= region.parentElement!.getBoundingClientRect().right + 0.5)).toBe(true);
    const field = await tags.getByLabel('Add a tag').boundingBox();
    expect(field!.x + field!.width).toBeLessThanOrEqual(1280);
    expect(field!.width).toBeGreaterThan(100);
    // Each tag's buttons stay whole, their words on one line.
    await tags.getByRole('button', { name: `Undo rejecting ${LONG_TAG.replace(/a/g, 'b')}` }).waitFor();
    const cutButtons = () => tags.getByRole('button').evaluateAll((buttons) => buttons.filter((button) => button.scrollWidth > button.clientWidth + 1 || button.scrollHeight > button.clientHeight + 1).map((button) => button.getAttribute('aria-label')?.slice(0, 30)));
    expect(await cutButtons()).toEqual([]);
  });
});

describe('copies with long file names compared side by side', () => {
  const names = ['backgrounds_mate_desktop_GreenTraditional.jpg', 'backgrounds_mate_desktop_GreenTraditional_copy.jpg', 'wallpapers_plasma_workspace_MilkyWayAtNightOverTheMountains.png'];
  const copy = (name: string, i: number): DuplicatePhotoInfo => ({ id: i + 1, name, path: `/usr/share/backgrounds/mate/desktop/${name}`, width: 1920, height: 1080, size: 1000 * (i + 1), capturedAt: null, camera: null, hasLocation: false, links: [] });

  for (const [width, height] of [[1280, 800], [1920, 1080]] as const) {
    it(`keep each to its card at ${width} x ${height}, their names whole and the cards apart`, async () => {
      const fake = libraryFake();
      fake.overrides['duplicates.find'] = () => ({ ok: true, value: { model: FAKE_MODEL, threshold: 0.75, images: 3, groups: [{ keep: 1, reason: 'the largest', similarity: null, photos: names.map(copy) }] } });
      const { page } = await pages.open(fake, { hash: '#/duplicates' });
      await page.setViewportSize({ width, height });
      await page.getByRole('button', { name: 'Find duplicates' }).click();
      await page.getByRole('button', { name: 'Compare side by side' }).click();
      const dialog = page.getByRole('dialog', { name: 'Compare 3 copies' });
      const cards = dialog.getByRole('listitem');
      await expect.poll(() => dialog.locator('[aria-busy="true"]').count(), { timeout: 5000 }).toBe(0);
      for (const card of await cards.all()) {
        // The words for screen readers of why a copy cannot be marked are cut to 1 px on purpose (.sr-only, app.css).
        const spilled = await card.evaluate(spills);
        expect(spilled.filter((said) => !said.startsWith('span.sr-only')), (await card.textContent())?.slice(0, 40)).toEqual([]);
      }
      // Each image is inside its card's frame, and each name is all on the card, in its own words.
      const boxes = await cards.evaluateAll((items) => items.map((item) => {
        const box = (element: Element) => {
          const { left, right, top, bottom } = element.getBoundingClientRect();
          return { left, right, top, bottom };
        };
        return { card: box(item), image: box(item.querySelector('img')!), name: box(item.querySelector('strong')!), named: item.querySelector('strong')!.textContent };
      }));
      const dialogBox = (await dialog.boundingBox())!;
      expect(boxes.map(({ named }) => named)).toEqual(names);
      for (const { card, image, name } of boxes) {
        for (const part of [image, name]) {
          expect(part.left).toBeGreaterThanOrEqual(card.left - 0.5);
          expect(part.right).toBeLessThanOrEqual(card.right + 0.5);
        }
        expect(card.right).toBeLessThanOrEqual(dialogBox.x + dialogBox.width + 0.5);
      }
      // No card lies over another.
      for (const [i, one] of boxes.entries()) {
        for (const other of boxes.slice(i + 1)) {
          const apart = one.card.right <= other.card.left + 0.5 || other.card.right <= one.card.left + 0.5 || one.card.bottom <= other.card.top + 0.5 || other.card.bottom <= one.card.top + 0.5;
          expect(apart, `${one.named} and ${other.named}`).toBe(true);
        }
      }
    });
  }
});

describe('a long query', () => {
  /** A search that finds three photos, whatever is asked. */
  function searchFake() {
    const fake = libraryFake();
    const results: SearchHitInfo[] = [1, 2, 3].map((id) => ({ id, name: `IMG_${id}.jpg`, folderId: 1, takenAt: Date.UTC(2024, 5, 2), width: 400, height: 300, format: 'jpeg', version: id, score: 0.31 }));
    fake.overrides['search.query'] = () => ({ ok: true, value: { results, total: 3, belowCutoff: 0, offset: 0, model: FAKE_MODEL, method: 'index', counted: true } });
    fake.overrides['search.count'] = () => ({ ok: true, value: { total: 3, belowCutoff: 0 } });
    return fake;
  }
  const pasted = (letters: number) => 'a quiet harbour at dawn with fishing boats and gulls over the water '.repeat(Math.ceil(letters / 68)).slice(0, letters).trim();

  it('of 2,500 letters is quoted cut short in the heading, two lines at most at 800 x 600, and leaves the photos in view', async () => {
    const query = pasted(2500);
    const { page } = await pages.open(searchFake(), { hash: `#/library?q=${encodeURIComponent(query)}` });
    await page.setViewportSize({ width: 800, height: 600 });
    const heading = page.getByRole('heading', { level: 1 });
    // Cut short as the window's title and what is said quote it (QUOTED_LETTERS in LibraryView.svelte); the search box holds the whole query.
    await expect.poll(() => heading.textContent(), { timeout: 5000 }).toMatch(/^3 photos match “a quiet harbour at dawn with fishing boats.{0,60}…”$/);
    const { height, lineHeight } = await heading.evaluate((h1) => ({ height: h1.getBoundingClientRect().height, lineHeight: parseFloat(getComputedStyle(h1).lineHeight) }));
    expect(height).toBeLessThanOrEqual(2 * lineHeight + 1);
    expect(await page.getByRole('searchbox', { name: 'Search photos' }).inputValue()).toBe(query.slice(0, 2000));
    const photo = await page.getByRole('listbox', { name: 'Search results' }).getByRole('option').first().boundingBox();
    expect(photo!.y + photo!.height).toBeLessThanOrEqual(600);
  });

  it('is cut short in the window’s title, with an ellipsis', async () => {
    const query = pasted(157);
    const { page } = await pages.open(searchFake(), { hash: `#/library?q=${encodeURIComponent(query)}` });
    await expect.poll(() => page.title(), { timeout: 5000 }).toMatch(/…” — Lumen$/);
    const title = await page.title();
    expect(title.startsWith(`“${query.slice(0, 40)}`)).toBe(true);
    expect(title.length).toBeLessThanOrEqual(60 + '“” — Lumen'.length);
    // A short one is whole.
    await page.evaluate(() => (location.hash = '#/library?q=harbour'));
    await expect.poll(() => page.title()).toBe('“harbour” — Lumen');
  });

  it('in quotes of its own is not quoted again, in the title as in the heading', async () => {
    const { page } = await pages.open(searchFake(), { hash: `#/library?q=${encodeURIComponent('"lisboa"')}` });
    const heading = page.getByRole('heading', { level: 1 });
    await expect.poll(() => page.title(), { timeout: 5000 }).toBe('“lisboa” — Lumen');
    await expect.poll(() => heading.textContent(), { timeout: 5000 }).toBe('3 photos contain the text “lisboa”');
    // Two quoted phrases: shown as typed, in neither wrapped in quotes again.
    await page.evaluate(() => (location.hash = `#/library?q=${encodeURIComponent('"lisboa" "porto"')}`));
    await expect.poll(() => page.title()).toBe('"lisboa" "porto" — Lumen');
    await expect.poll(() => heading.textContent(), { timeout: 5000 }).toBe('3 photos match "lisboa" "porto"');
  });
});
