/**
 * What the template editor says of a discard and of the preview against the saved tag, built for
 * real and driven in Chromium against a fake engine: a discard is said, over what the edits left
 * in the live region, and focus goes to the tag shown; the preview's change names only the parts
 * that are not none.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { CallParams, TagPreviewInfo } from '../../preload/contract.js';
import { appPages, libraryFake, rendererInChromium } from './harness.js';
import { listen } from './listening.js';

const pages = appPages(rendererInChromium());
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000, interval: 25 });

/** What the window's polite live region holds now (App.svelte). */
const announced = (page: Page) => page.locator('p.sr-only[aria-live="polite"]').textContent().then((text) => text?.trim() ?? '');

/** `libraryFake` with a saved vocabulary of `signage` and `beach`, whose preview answers with `change` for each draft sent. */
function editorFake(change: (params: CallParams<'vocabulary.preview'>) => Pick<TagPreviewInfo, 'count' | 'gainedCount' | 'lostCount'>) {
  const fake = libraryFake();
  const vocabulary = { templates: ['a photo of {}'], tags: [{ name: 'signage', prompts: ['sign'] }, { name: 'beach', prompts: ['beach'] }] };
  fake.overrides['vocabulary.get'] = () => ({ ok: true, value: { vocabulary: structuredClone(vocabulary), isDefault: false } });
  fake.overrides['vocabulary.preview'] = (params: CallParams<'vocabulary.preview'>) => ({ ok: true, value: { tag: params.tag, photos: [], gained: [], lost: [], milliseconds: 1, ...change(params) } });
  return fake;
}

describe('discarding changes to the templates', () => {
  it('is said over the problem an edit left in the live region, and focus goes from Discard to the tag shown', async () => {
    const fake = editorFake(() => ({ count: 8, gainedCount: 0, lostCount: 0 }));
    const { page } = await pages.open(fake, { hash: '#/templates?tag=beach' });
    const name = page.getByRole('region', { name: 'Tag beach' }).getByRole('textbox', { name: 'Name' });
    await name.fill('');
    await poll(() => announced(page)).toBe('The tag needs a name.');
    const heard = await listen(page);
    const discard = page.getByRole('button', { name: 'Discard changes' });
    await discard.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('region', { name: 'Tag beach' }).waitFor();
    await poll(() => announced(page)).toBe('Changes discarded.');
    expect(await discard.getAttribute('aria-disabled')).toBe('true');
    const focused = () => page.evaluate(() => [document.activeElement?.getAttribute('role'), document.activeElement?.textContent?.trim(), document.activeElement?.getAttribute('aria-selected')]);
    await poll(focused).toEqual(['option', 'beach', 'true']);
    // Nothing of the draft discarded is said after it.
    await page.waitForTimeout(1500);
    expect(await heard()).toEqual(['Changes discarded.']);
  });

  it('leaves unsaid what an edit discarded before it rested was due to say', async () => {
    const fake = editorFake(({ vocabulary }) => ((vocabulary.tags[0]?.threshold ?? 0.1) > 0.1 ? { count: 2, gainedCount: 0, lostCount: 6 } : { count: 8, gainedCount: 0, lostCount: 0 }));
    const { page } = await pages.open(fake, { hash: '#/templates?tag=signage' });
    const shown = page.getByRole('region', { name: 'Preview' }).locator('p').first();
    await poll(() => shown.textContent()).toMatch(/^\s*8 photos would get signage/);
    const heard = await listen(page);
    await page.getByRole('slider', { name: 'Threshold for signage' }).fill('0.3');
    await poll(() => shown.textContent()).toMatch(/^\s*2 photos would get signage/);
    await page.getByRole('button', { name: 'Discard changes' }).click();
    await poll(() => shown.textContent()).toMatch(/^\s*8 photos would get signage/);
    await page.waitForTimeout(1500);
    expect(await heard()).toEqual(['Changes discarded.']);
  });

  it('goes to the tag shown before a tag added with the draft, in the list', async () => {
    const { page } = await pages.open(editorFake(() => ({ count: 8, gainedCount: 0, lostCount: 0 })), { hash: '#/templates?tag=signage' });
    await page.getByRole('region', { name: 'Tag signage' }).waitFor();
    await page.getByRole('button', { name: 'Add a tag' }).click();
    await page.getByRole('button', { name: 'Discard changes' }).click();
    await poll(() => announced(page)).toBe('Changes discarded.');
    await poll(() => page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('signage');
  });
});

describe('the preview against the saved tag', () => {
  it('names only what changed: photos gained, lost, or both', async () => {
    // The threshold sent picks the answer: raised, the tag loses photos; lowered, it gains them.
    const fake = editorFake(({ vocabulary }) => {
      const threshold = vocabulary.tags[0]?.threshold ?? 0.1;
      if (threshold > 0.1) return { count: 2, gainedCount: 0, lostCount: 6 };
      if (threshold < 0.1) return { count: 10, gainedCount: 2, lostCount: 0 };
      return vocabulary.tags[0]?.prompts.length === 2 ? { count: 4, gainedCount: 2, lostCount: 6 } : { count: 8, gainedCount: 0, lostCount: 0 };
    });
    const { page } = await pages.open(fake, { hash: '#/templates?tag=signage' });
    const shown = page.getByRole('region', { name: 'Preview' }).locator('p').first();
    const said = () => shown.textContent().then((text) => text?.replace(/\s+/g, ' ').trim());
    await poll(said).toBe('8 photos would get signage — the same as saved');
    const threshold = page.getByRole('slider', { name: 'Threshold for signage' });
    await threshold.fill('0.3');
    await poll(said).toBe('2 photos would get signage — 6 fewer than saved');
    // Said in the same words, once the edit rests.
    await poll(() => announced(page)).toBe('2 photos would get signage — 6 fewer than saved');
    await threshold.fill('0.05');
    await poll(said).toBe('10 photos would get signage — 2 more than saved');
    await threshold.fill('0.1');
    await page.getByRole('textbox', { name: 'Prompts for signage' }).fill('sign\nstreet sign');
    await poll(said).toBe('4 photos would get signage — 2 more and 6 fewer than saved');
  });
});
