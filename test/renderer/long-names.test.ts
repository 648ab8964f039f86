/**
 * Long names, one unbroken word, built for real and laid out in Chromium against a fake engine:
 * a folder album's path and a tag of 80 letters stay inside their cards, whose samples keep the
 * size of their neighbours', and inside the viewer's panel, whose field to add a tag stays whole.
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { AlbumInfo, TagInfo } from '../../preload/contract.js';
import { albumsFake } from './album-fake.js';
import { appPages, libraryFake, rendererInChromium } from './harness.js';

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
    const lines = await page.getByRole('link', { name: 'OneStandsOut/contents/images, 3 photos' }).locator('.name').evaluate((name) => {
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
