/**
 * The viewer for screen-reader and keyboard users, built for real and driven in Chromium against a
 * fake engine: what is said as photos and zoom change (Note [A step said once it rests] in
 * components/viewer/rest.ts), and where focus goes when the tags or the similar photos strip change
 * under it.
 */
import { describe, expect, it } from 'vitest';
import { FAKE_MODEL, appPages, libraryFake, rendererInChromium, type FakeLumen } from './harness.js';
import { listen } from './listening.js';

const pages = appPages(rendererInChromium());
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000, interval: 25 });

const NAMES: Record<number, string> = { 1: 'a.jpg', 2: 'b.jpg', 3: 'c.jpg', 4: 'd.jpg', 5: 'e.jpg', 6: 'f.jpg' };
const details = (id: number) => ({
  ok: true as const,
  value: { id, name: NAMES[id] as string, folderId: 1, takenAt: Date.UTC(2024, 5, id, 12), width: 4000, height: 3000, format: 'jpeg', version: id, path: `/home/ada/Pictures/${NAMES[id]}`, size: 2_000_000, capturedAt: null, camera: null, lens: null, location: null, copies: [] },
});
const hit = (id: number) => ({ ...details(id).value, score: 0.9 });
const similarOf = (ids: (photoId: number) => number[]) => ({ photoId }: { photoId: number }) => {
  const results = ids(photoId).map(hit);
  return { ok: true as const, value: { results, total: results.length, belowCutoff: 0, offset: 0, model: FAKE_MODEL, method: 'exact' as const, counted: true } };
};

function viewerFake(): FakeLumen {
  const fake = libraryFake();
  fake.overrides['photos.details'] = ({ id }: { id: number }) => details(id);
  fake.overrides['photos.text'] = () => ({ ok: true, value: { read: true, skipped: false, lines: [] } });
  fake.overrides['tags.ofPhoto'] = ({ id }: { id: number }) => ({ ok: true, value: { photoId: id, tags: [], rejected: [] } });
  fake.overrides['tags.list'] = () => ({ ok: true, value: [] });
  return fake;
}

/** What the focused element is, as a screen reader would name it, or BODY. */
const focused = (page: import('playwright-core').Page) =>
  page.evaluate(() => {
    const active = document.activeElement;
    if (!active || active === document.body) return 'BODY';
    return `${active.tagName.toLowerCase()} ${active.getAttribute('aria-label') ?? active.textContent?.trim()}`;
  });

/** The label the grid and the strip give a photo (lib/photo-label.ts), worked out in the page. */
const labelOf = (page: import('playwright-core').Page, id: number) =>
  page.evaluate(([name, time]) => `${name}, ${new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(new Date(time))}`, [NAMES[id] as string, details(id).value.takenAt] as const);

describe('opening the viewer', () => {
  it('names it after its photo as focus moves in, before the photo’s details come, from the grid and from the similar strip', async () => {
    const fake = viewerFake();
    let answer = (): void => {};
    fake.overrides['photos.details'] = ({ id }: { id: number }) => (id === 3 ? details(id) : new Promise((resolve) => (answer = () => resolve(details(id)))));
    fake.overrides['search.similar'] = similarOf(() => [1]);
    const { page } = await pages.open(fake, { hash: '#/library' });
    await page.getByRole('listbox', { name: 'Photos' }).getByRole('option', { name: /^b\.jpg/ }).press('Enter');
    await page.getByRole('dialog', { name: 'b.jpg' }).waitFor({ timeout: 5000 });
    expect(fake.callsOf('photos.details').map(({ id }) => id)).toEqual([2]);
    answer();
    await page.getByRole('dialog').getByRole('heading', { name: 'b.jpg' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });

    await page.getByRole('listbox', { name: 'Photos' }).getByRole('option', { name: /^c\.jpg/ }).press('Enter');
    await page.getByRole('dialog').getByRole('heading', { name: 'c.jpg' }).waitFor();
    await page.getByRole('dialog').getByRole('button', { name: /^a\.jpg/ }).click();
    await page.getByRole('dialog', { name: 'a.jpg' }).waitFor({ timeout: 5000 });
    expect(await page.getByRole('dialog').getByRole('heading', { name: 'a.jpg' }).count()).toBe(0);
    answer();
  });
});

describe('moving between photos in the viewer', () => {
  it('says the photo it settles on, with its place, once the steps rest', async () => {
    const fake = viewerFake();
    fake.overrides['search.similar'] = similarOf(() => []);
    const { page } = await pages.open(fake, { hash: '#/library?photo=3' });
    await page.getByRole('dialog', { name: 'c.jpg' }).getByRole('heading', { name: 'c.jpg' }).waitFor();
    await page.getByRole('listbox', { name: 'Photos', includeHidden: true }).getByRole('option', { includeHidden: true }).first().waitFor({ state: 'attached' });
    const heard = await listen(page);
    // Opening says nothing of its own: focus moving into the dialog names the photo.
    await page.waitForTimeout(1200);
    expect(await heard()).toEqual([]);

    // Two quick steps: only the photo settled on is said.
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.getByRole('dialog', { name: 'a.jpg' }).waitFor();
    await poll(heard).toEqual([`${await labelOf(page, 1)}, 3 of 3`]);
    await page.waitForTimeout(1000);
    expect(await heard()).toHaveLength(1);

    // The ‹ button says the same.
    await page.getByRole('button', { name: 'Previous photo' }).click();
    await poll(heard).toEqual([`${await labelOf(page, 1)}, 3 of 3`, `${await labelOf(page, 2)}, 2 of 3`]);
  });

  it('says a photo chosen in the similar photos strip, with its place in the strip', async () => {
    const fake = viewerFake();
    fake.overrides['search.similar'] = similarOf((photoId) => [1, 2, 3].filter((id) => id !== photoId));
    const { page } = await pages.open(fake, { hash: '#/library?photo=2' });
    const strip = page.getByRole('region', { name: 'Similar photos' });
    await strip.getByRole('button').first().waitFor();
    const heard = await listen(page);
    await strip.getByRole('button', { name: /^c\.jpg/ }).click();
    await page.getByRole('dialog', { name: 'c.jpg' }).waitFor();
    await poll(heard).toEqual([`${await labelOf(page, 3)}, 2 of 2`]);
  });

  it('says the zoom level once the zoom keys rest', async () => {
    const fake = viewerFake();
    fake.overrides['search.similar'] = similarOf(() => []);
    const { page } = await pages.open(fake, { hash: '#/library?photo=2' });
    const viewer = page.getByRole('dialog', { name: 'b.jpg' });
    await viewer.getByRole('img', { name: 'b.jpg' }).waitFor();
    const level = viewer.getByRole('group', { name: 'Zoom' }).locator('.level');
    await poll(() => level.textContent()).toMatch(/%$/);
    const heard = await listen(page);
    for (const key of ['+', '+', '+']) await page.keyboard.press(key);
    await poll(heard).toHaveLength(1);
    expect(await heard()).toEqual([await level.textContent()]);
    await page.keyboard.press('0');
    await poll(heard).toHaveLength(2);
    expect((await heard())[1]).toBe(await level.textContent());
  });
});

describe('focus after a tag changes in the viewer', () => {
  /** A photo's tags as the engine keeps them, changed by each verdict. */
  function taggedFake(): FakeLumen {
    const fake = viewerFake();
    fake.overrides['search.similar'] = similarOf(() => []);
    let tags = [
      { tag: 'christmas', source: 'auto' as 'auto' | 'person', score: 0.8 as number | null },
      { tag: 'museum', source: 'auto' as 'auto' | 'person', score: 0.6 as number | null },
      { tag: 'zz review tag', source: 'person' as 'auto' | 'person', score: null as number | null },
    ];
    let rejected: string[] = [];
    const info = (id: number) => ({ photoId: id, tags: structuredClone(tags), rejected: [...rejected] });
    fake.overrides['tags.ofPhoto'] = ({ id }: { id: number }) => ({ ok: true, value: info(id) });
    fake.overrides['tags.verdict'] = ({ photoIds, tag, verdict }: { photoIds: number[]; tag: string; verdict: string }) => {
      const auto = { christmas: 0.8, museum: 0.6 }[tag];
      const before = { confirmed: tags.some((each) => each.tag === tag && each.source === 'person') ? photoIds : [], rejected: rejected.includes(tag) ? photoIds : [] };
      tags = tags.filter((each) => each.tag !== tag);
      rejected = rejected.filter((each) => each !== tag);
      if (verdict === 'reject') rejected.push(tag);
      else if (verdict === 'confirm') tags.push({ tag, source: 'person', score: auto ?? null });
      else if (verdict === 'clear' && auto !== undefined) tags.push({ tag, source: 'auto', score: auto });
      else if (verdict === 'add') tags.push({ tag, source: 'person', score: null });
      tags.sort((a, b) => a.tag.localeCompare(b.tag));
      return { ok: true, value: { given: photoIds.length, photo: photoIds.length === 1 ? info(photoIds[0] as number) : null, before } };
    };
    return fake;
  }

  it('puts focus on Undo after Reject, and on a neighbour or the field after Remove and Undo, never on a link', async () => {
    const { page } = await pages.open(taggedFake(), { hash: '#/library?photo=2' });
    const tags = page.getByRole('dialog').getByRole('region', { name: 'Tags' });
    const press = async (name: string) => {
      await tags.getByRole('button', { name, exact: true }).focus();
      await page.keyboard.press('Enter');
    };

    await press('Reject museum');
    await poll(() => focused(page)).toBe('button Undo rejecting museum');

    // The last row removed: focus goes to the row before it, to its first button.
    await press('Remove tag zz review tag');
    await tags.getByRole('button', { name: 'Remove tag zz review tag' }).waitFor({ state: 'detached' });
    await poll(() => focused(page)).toBe('button Confirm christmas');

    // The only rejected tag put back: no neighbour is left, so the field to add one.
    await press('Undo rejecting museum');
    await tags.getByRole('button', { name: 'Undo rejecting museum' }).waitFor({ state: 'detached' });
    await poll(() => focused(page)).toBe('input Add a tag');

    // Confirming keeps focus where it was, on what the button became.
    await press('Confirm museum');
    await poll(() => focused(page)).toBe('button Undo confirming museum');
    // Still open: no link was followed.
    expect(new URL(page.url()).hash).toBe('#/library?photo=2');
  });

  it('says what each verdict did, as the button pressed changes or goes with it, and nothing of one that failed', async () => {
    const fake = taggedFake();
    const { page } = await pages.open(fake, { hash: '#/library?photo=2' });
    const tags = page.getByRole('dialog').getByRole('region', { name: 'Tags' });
    await tags.getByRole('button', { name: 'Confirm christmas' }).waitFor();
    const heard = await listen(page);
    const press = async (name: string) => {
      await tags.getByRole('button', { name, exact: true }).click();
      await tags.getByRole('button', { name, exact: true }).waitFor({ state: 'detached' });
    };
    await press('Confirm christmas');
    await press('Reject museum');
    await press('Undo rejecting museum');
    await press('Undo confirming christmas');
    await press('Remove tag zz review tag');
    await tags.getByRole('combobox', { name: 'Add a tag' }).fill('harbour');
    await tags.getByRole('button', { name: 'Add', exact: true }).click();
    await tags.getByRole('button', { name: 'Remove tag harbour' }).waitFor();
    // Given again, in other capitals: it has it already.
    const verdicts = fake.callsOf('tags.verdict').length;
    await tags.getByRole('combobox', { name: 'Add a tag' }).fill('Harbour');
    await tags.getByRole('button', { name: 'Add', exact: true }).click();
    await poll(heard).toEqual([
      'Confirmed “christmas”.',
      'Rejected “museum”: it is under Not this.',
      'No longer rejected: “museum”.',
      'No longer confirmed: “christmas”.',
      'Removed the tag “zz review tag”.',
      'Added the tag “harbour”.',
      'This photo has the tag “harbour” already.',
    ]);
    expect(fake.callsOf('tags.verdict')).toHaveLength(verdicts);
    fake.overrides['tags.verdict'] = () => ({ ok: false, error: { code: 'io', message: 'The disk is full.' } });
    await tags.getByRole('button', { name: 'Reject museum' }).click();
    await tags.getByRole('alert').getByText('The disk is full.').waitFor();
    expect((await heard()).slice(7)).toEqual(['The disk is full.']);
  });

  it('puts focus on the next row’s button when a row in the middle goes', async () => {
    const { page } = await pages.open(taggedFake(), { hash: '#/library?photo=2' });
    const tags = page.getByRole('dialog').getByRole('region', { name: 'Tags' });
    await tags.getByRole('button', { name: 'Reject christmas' }).focus();
    await page.keyboard.press('Enter');
    await poll(() => focused(page)).toBe('button Undo rejecting christmas');
    await tags.getByRole('button', { name: 'Reject museum' }).focus();
    await page.keyboard.press('Enter');
    await poll(() => focused(page)).toBe('button Undo rejecting museum');
    // Two rejected: undoing the first puts focus on the other's Undo.
    await tags.getByRole('button', { name: 'Undo rejecting christmas' }).focus();
    await page.keyboard.press('Enter');
    await tags.getByRole('button', { name: 'Undo rejecting christmas' }).waitFor({ state: 'detached' });
    await poll(() => focused(page)).toBe('button Undo rejecting museum');
  });
});

describe('focus in the similar photos strip', () => {
  it('stays on the thumbnail at the same place when the strip is rebuilt, never on the page body', async () => {
    const fake = viewerFake();
    // Each photo's strip is the others in an order of its own, so that a thumbnail focused moves when the strip is rebuilt.
    const others = (photoId: number) => [1, 2, 3, 4, 5, 6].filter((id) => id !== photoId).sort((a, b) => ((a * photoId) % 7) - ((b * photoId) % 7));
    fake.overrides['search.similar'] = similarOf(others);
    const { page } = await pages.open(fake, { hash: '#/library?photo=2' });
    const strip = page.getByRole('region', { name: 'Similar photos' });
    const thumbnails = strip.getByRole('button');
    for (let round = 0; round < 3; round++) {
      await thumbnails.first().waitFor();
      const first = await thumbnails.first().getAttribute('aria-label');
      await thumbnails.first().focus();
      await page.keyboard.press('Enter');
      await page.getByRole('dialog', { name: first!.split(',')[0] }).waitFor();
      await poll(() => focused(page)).toBe(`button ${await thumbnails.first().getAttribute('aria-label')}`);
      const before = await page.getByRole('dialog').getAttribute('aria-label');
      await page.keyboard.press('ArrowRight');
      await poll(() => page.getByRole('dialog').getAttribute('aria-label')).not.toBe(before);
      await page.waitForTimeout(300);
      await poll(() => focused(page)).toBe(`button ${await thumbnails.first().getAttribute('aria-label')}`);
    }
  });

  it('moves focus to Find similar when the strip goes empty under it', async () => {
    const fake = viewerFake();
    fake.overrides['search.similar'] = similarOf((photoId) => (photoId === 2 ? [1, 3] : []));
    const { page } = await pages.open(fake, { hash: '#/library?photo=2' });
    const strip = page.getByRole('region', { name: 'Similar photos' });
    await strip.getByRole('button').first().focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'a.jpg' }).waitFor();
    await strip.waitFor({ state: 'detached' });
    await poll(() => focused(page)).toBe('button Find similar');
  });
});

describe('the viewer’s messages', () => {
  const announcer = (page: import('playwright-core').Page) => page.locator('p.sr-only[aria-live="polite"]').textContent();

  it('says its message through the window’s announcer, which is always there', async () => {
    const fake = viewerFake();
    fake.overrides['search.similar'] = similarOf(() => []);
    fake.overrides['photos.reveal'] = () => ({ ok: true, value: { shown: false } });
    const { page } = await pages.open(fake, { hash: '#/library?photo=2' });
    await page.getByRole('dialog').getByRole('button', { name: 'Show in folder' }).click();
    const message = 'Showing files in a folder works in the Lumen app, not in this preview.';
    await page.getByRole('dialog').getByText(message).waitFor();
    await poll(() => announcer(page)).toBe(message);
  });

  it('says “Copied” (or how to copy) through the window’s announcer', async () => {
    const fake = viewerFake();
    fake.overrides['search.similar'] = similarOf(() => []);
    fake.overrides['photos.text'] = () => ({ ok: true, value: { read: true, skipped: false, lines: [{ text: 'OPEN', confidence: 0.9, box: [0.25, 0.25, 0.5, 0.25] }] } });
    const { page } = await pages.open(fake, { hash: '#/library?photo=2' });
    await page.getByRole('dialog').getByRole('button', { name: 'Copy text' }).click();
    const said = page.getByRole('dialog').locator('.copy .muted');
    await said.waitFor();
    await poll(() => announcer(page)).toBe(await said.textContent());
  });
});
