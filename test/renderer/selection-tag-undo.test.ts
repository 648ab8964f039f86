/**
 * Undo after a verdict on selected photos (Note [Undo a verdict on a selection] in
 * components/selection-verdict.ts), built for real and driven in Chromium against a fake engine:
 * "Add a tag…" in the library, and "Remove tag" on a tag's page. Each photo gets back what it had:
 * no verdict, or the one the person gave before.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { CallOutcome, CallParams, PhotoTagsInfo } from '../../preload/contract.js';
import { appPages, rendererInChromium } from './harness.js';
import { verdictsFake, type StartingTag } from './verdicts-fake.js';

const pages = appPages(rendererInChromium());
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000, interval: 25 });

/** `verdictsFake`, with each photo's tags read as the viewer reads them. */
function undoableFake(start: Record<number, StartingTag[]>, vocabulary: readonly string[]) {
  const fake = verdictsFake(start, vocabulary);
  const ofPhoto = fake.overrides['tags.ofPhoto'] as (params: CallParams<'tags.ofPhoto'>) => CallOutcome<'tags.ofPhoto'>;
  const tagsOf = (id: number): PhotoTagsInfo => {
    const outcome = ofPhoto({ id });
    if (!outcome.ok) throw new Error(outcome.error.message);
    return outcome.value;
  };
  return Object.assign(fake, { tagsOf });
}

/** Selects photos of the grid named `grid` by file name, as Ctrl+click does. */
async function select(page: Page, grid: string, ...names: string[]): Promise<void> {
  for (const name of names) await page.getByRole('listbox', { name: grid }).getByRole('option', { name: new RegExp(`^${name.replace('.', '\\.')}`) }).click({ modifiers: ['Control'] });
  await page.getByText(`${names.length} selected`).waitFor();
}

const gridNames = (page: Page, grid: string) => page.getByRole('listbox', { name: grid }).getByRole('option').evaluateAll((tiles) => tiles.map((tile) => tile.getAttribute('aria-label')?.split(',')[0]));

describe('Undo after "Add a tag…" on a selection', () => {
  it('gives each photo back what it had: no verdict, confirmed, rejected', async () => {
    // a.jpg (1) has "sunset" confirmed, b.jpg (2) rejected, c.jpg (3) the tagger's.
    const fake = undoableFake({ 1: [{ tag: 'sunset', source: 'person', score: 0.9 }], 2: [{ tag: 'sunset', source: 'auto', score: 0.7, rejected: true }], 3: [{ tag: 'sunset', source: 'auto', score: 0.6 }] }, ['sunset']);
    const { page } = await pages.open(fake, { hash: '#/library' });
    await select(page, 'Photos', 'a.jpg', 'b.jpg', 'c.jpg');
    const bar = page.getByRole('group', { name: 'Selection' });
    await bar.getByRole('button', { name: 'Add a tag…' }).click();
    await bar.getByRole('textbox', { name: 'Tag to add' }).fill('Sunset');
    await bar.getByRole('button', { name: 'Add tag' }).click();
    await poll(() => bar.getByRole('status').textContent()).toBe('Tagged 3 photos “Sunset”.');
    expect([1, 2, 3].map((id) => fake.tagsOf(id).tags.map((tag) => tag.source))).toEqual([['person'], ['person'], ['person']]);

    await bar.getByRole('button', { name: 'Undo tagging 3 photos “Sunset”' }).click();
    await poll(() => bar.getByRole('status').textContent()).toBe('Undone: “Sunset” is as it was on 3 photos.');
    expect(fake.tagsOf(1)).toEqual({ photoId: 1, tags: [{ tag: 'sunset', source: 'person', score: 0.9 }], rejected: [] });
    expect(fake.tagsOf(2)).toEqual({ photoId: 2, tags: [], rejected: ['sunset'] });
    expect(fake.tagsOf(3)).toEqual({ photoId: 3, tags: [{ tag: 'sunset', source: 'auto', score: 0.6 }], rejected: [] });
    // The confirmed photo keeps its verdict untouched: only those this press changed are given verdicts back.
    expect(fake.callsOf('tags.verdict').slice(1).map(({ photoIds, verdict }) => ({ photoIds: [...photoIds].sort(), verdict }))).toEqual([
      { photoIds: [3], verdict: 'clear' },
      { photoIds: [2], verdict: 'reject' },
    ]);
    expect(await bar.getByRole('button', { name: /^Undo/ }).count()).toBe(0);
    // Undo, pressed, is gone: focus is on the button the tag was added from, not lost to the page.
    await poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Add a tag…');
  });
});

describe('"Remove tag" on a tag’s page', () => {
  it('takes the photos off the page, and Undo puts them back as they were', async () => {
    // a.jpg (1) has "sunset" confirmed, b.jpg (2) the tagger's; c.jpg (3) has it not.
    const fake = undoableFake({ 1: [{ tag: 'sunset', source: 'person', score: 0.9 }], 2: [{ tag: 'sunset', source: 'auto', score: 0.7 }] }, ['sunset']);
    const { page } = await pages.open(fake, { hash: '#/tags?tag=sunset' });
    const grid = 'Photos tagged sunset';
    await poll(() => gridNames(page, grid)).toEqual(['a.jpg', 'b.jpg']);
    await select(page, grid, 'a.jpg', 'b.jpg');
    const remove = page.getByRole('group', { name: 'Selection' }).getByRole('button', { name: 'Remove tag sunset' });
    expect(await remove.textContent()).toBe('Remove tag “sunset”');
    await remove.click();

    const main = page.getByRole('main');
    await poll(() => main.getByRole('status').filter({ hasText: 'Removed' }).textContent()).toBe('Removed “sunset” from 2 photos.');
    await main.getByText('No photo has “sunset” any more.').waitFor();
    expect(fake.photosShowing('sunset')).toEqual([]);
    expect([fake.tagsOf(1).rejected, fake.tagsOf(2).rejected]).toEqual([['sunset'], ['sunset']]);

    await main.getByRole('button', { name: 'Undo removing tag sunset from 2 photos' }).click();
    await poll(() => gridNames(page, grid)).toEqual(['a.jpg', 'b.jpg']);
    await poll(() => main.getByRole('status').filter({ hasText: 'Put' }).textContent()).toBe('Put “sunset” back as it was on 2 photos.');
    expect(fake.tagsOf(1)).toEqual({ photoId: 1, tags: [{ tag: 'sunset', source: 'person', score: 0.9 }], rejected: [] });
    expect(fake.tagsOf(2)).toEqual({ photoId: 2, tags: [{ tag: 'sunset', source: 'auto', score: 0.7 }], rejected: [] });
    expect(await main.getByRole('button', { name: /^Undo removing/ }).count()).toBe(0);
    await poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('H1');

    // Removed again, then a new selection: the status says nothing of the Undo before.
    await select(page, grid, 'a.jpg');
    await page.getByRole('group', { name: 'Selection' }).getByRole('button', { name: 'Remove tag sunset' }).click();
    await poll(() => main.getByRole('status').filter({ hasText: 'Removed' }).textContent()).toBe('Removed “sunset” from 1 photo.');
    await poll(() => gridNames(page, grid)).toEqual(['b.jpg']);
    await select(page, grid, 'b.jpg');
    expect(await main.getByRole('status').filter({ hasText: /Put|Removed/ }).count()).toBe(0);
  });
});
