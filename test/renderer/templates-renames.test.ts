/**
 * A tag renamed in the template editor, built for real and driven in Chromium against a fake
 * engine: Evaluate says the rename as the preview does (Note [Verdicts under new names] in
 * main/tags/renamed-verdicts.ts), and Back from a saved rename shows the tag under its new name
 * (Note [Pages follow a rename] in renderer/src/state/editor.svelte.ts). And a space typed within
 * a tag's name finds a two-word tag in the list of tags.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { TagInfo, VocabularyInfo } from '../../preload/contract.js';
import { appPages, rendererInChromium, type FakeLumen } from './harness.js';
import { vocabularyFake } from './vocabulary-fake.js';

const pages = appPages(rendererInChromium());
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000 });

const REPORT = { photos: 1, confirmed: 1, rejected: 0, accuracy: 1, precision: 1, recall: 1, top1: 1, top5: 1, perTag: {} };

/** A fake engine whose saved vocabulary is `vocabulary`: Save saves it as given, and the list of tags is its tags. */
function editorFake(vocabulary: VocabularyInfo): FakeLumen {
  const { fake, saved } = vocabularyFake(vocabulary);
  fake.overrides['vocabulary.evaluate'] = () => ({ ok: true, value: { edited: REPORT, saved: REPORT, singleTemplate: null, refinements: [], unmeasured: null } });
  fake.overrides['tags.list'] = () => ({ ok: true, value: saved().tags.map((tag): TagInfo => ({ name: tag.name, enabled: true, inVocabulary: true, photos: 0, confirmed: 0, rejected: 0, samples: [] })) });
  return fake;
}

const shops: VocabularyInfo = {
  templates: ['a photo of {}'],
  tags: [
    { name: 'shop', prompts: ['shop'] },
    { name: 'hotel', prompts: ['hotel'] },
    { name: 'hotel room', prompts: ['hotel room'] },
  ],
};

async function rename(page: Page, from: string, to: string): Promise<void> {
  const name = page.getByRole('region', { name: `Tag ${from}` }).getByRole('textbox', { name: 'Name' });
  await name.fill(to);
  await page.getByRole('region', { name: `Tag ${to}` }).waitFor();
}

describe('a tag renamed in the template editor', () => {
  it('is evaluated with its rename, as the preview is', async () => {
    const fake = editorFake(shops);
    const { page } = await pages.open(fake, { hash: '#/templates?tag=shop' });
    await rename(page, 'shop', 'store');
    await page.getByRole('button', { name: 'Evaluate on your verdicts' }).click();
    await page.getByRole('region', { name: 'Evaluation on your verdicts' }).waitFor();
    expect(fake.callsOf('vocabulary.evaluate').at(-1)?.renames).toEqual([{ from: 'shop', to: 'store' }]);
  });

  it('once saved, is the tag a page of its old name shows, Back from the editor included', async () => {
    const { page } = await pages.open(editorFake(shops), { hash: '#/tags?tag=shop' });
    await page.getByRole('link', { name: 'Edit prompts' }).click();
    await rename(page, 'shop', 'store');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').first().waitFor();
    await page.goBack();
    await poll(() => page.evaluate(() => decodeURIComponent(location.hash))).toBe('#/tags?tag=store');
    await page.getByRole('heading', { level: 1, name: /^store/ }).waitFor();
    expect(await page.getByText('There is no tag').count()).toBe(0);
  });
});

describe('type to find in the list of tags', () => {
  it('takes a space typed within a name as part of it, and a space after a pause as choosing', async () => {
    const { page } = await pages.open(editorFake(shops), { hash: '#/templates?tag=shop' });
    const list = page.getByRole('listbox', { name: 'Tags to edit' });
    await list.getByRole('option', { name: 'shop' }).focus();
    await page.keyboard.type('hotel r', { delay: 50 });
    const focusedName = () => page.evaluate(() => document.activeElement?.textContent?.trim() ?? null);
    await poll(focusedName).toBe('hotel room');
    // Still the tag shown before: finding does not choose.
    expect(await page.getByRole('region', { name: 'Tag shop' }).count()).toBe(1);
    await page.waitForTimeout(900);
    await page.keyboard.press(' ');
    await page.getByRole('region', { name: 'Tag hotel room' }).waitFor();
  });
});
