/**
 * The viewer's Tags as a keyboard user and a screen reader meet them, built for real and driven in
 * Chromium against a fake engine: ← and → after a verdict (Note [Viewer keys where focus is] in
 * Viewer.svelte, Note [Focus when the photo changes] in PhotoTags.svelte), and what "Add a tag"
 * refuses, says and offers.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { appPages, rendererInChromium } from './harness.js';
import { listen } from './listening.js';
import { verdictsFake } from './verdicts-fake.js';

const pages = appPages(rendererInChromium());
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000, interval: 25 });

/** What the focused element is, as a screen reader would name it, or BODY. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const active = document.activeElement;
    if (!active || active === document.body) return 'BODY';
    return `${active.tagName.toLowerCase()} ${active.getAttribute('aria-label') ?? active.textContent?.trim()}`;
  });

/** The viewer's photo, by its name. */
const shown = (page: Page) => page.getByRole('dialog').getAttribute('aria-label');

describe('← and → in the viewer, after a verdict on a tag', () => {
  // Photo 2 (b.jpg) sits between c.jpg and a.jpg in the library.
  const fake = () => verdictsFake({ 1: [{ tag: 'sky', source: 'auto', score: 0.7 }], 2: [{ tag: 'sign', source: 'auto', score: 0.8 }] });

  for (const [what, give] of [
    ['rejecting', 'Reject sign'],
    ['confirming', 'Confirm sign'],
  ] as const) {
    it(`go on moving between photos after ${what} a tag: focus waits on the Tags heading, not on a checkbox`, async () => {
      const { page } = await pages.open(fake(), { hash: '#/library?photo=2' });
      const tags = page.getByRole('dialog').getByRole('region', { name: 'Tags' });
      await tags.getByRole('button', { name: give }).click();
      await poll(() => focused(page)).toMatch(/^button Undo /);

      await page.keyboard.press('ArrowRight');
      await poll(() => shown(page)).toBe('a.jpg');
      await tags.getByRole('button', { name: 'Confirm sky' }).waitFor();
      await poll(() => focused(page)).toBe('h3 Tags');
      await page.keyboard.press('ArrowLeft');
      await poll(() => shown(page)).toBe('b.jpg');
      await page.keyboard.press('ArrowLeft');
      await poll(() => shown(page)).toBe('c.jpg');
      expect(await focused(page)).toBe('h3 Tags');
    });
  }

  it('go on moving between photos from a checkbox, and a text field keeps its arrows', async () => {
    const { page } = await pages.open(fake(), { hash: '#/library?photo=2' });
    const viewer = page.getByRole('dialog');
    const scores = viewer.getByRole('checkbox', { name: 'Show scores' });
    await scores.focus();
    await page.keyboard.press('ArrowRight');
    await poll(() => shown(page)).toBe('a.jpg');
    await page.keyboard.press('ArrowLeft');
    await poll(() => shown(page)).toBe('b.jpg');
    expect(await scores.evaluate((box) => box === document.activeElement)).toBe(true);
    expect(await scores.isChecked()).toBe(false);

    const field = viewer.getByRole('combobox', { name: 'Add a tag' });
    await field.fill('beach');
    await page.keyboard.press('ArrowLeft');
    await page.waitForTimeout(300);
    expect(await shown(page)).toBe('b.jpg');
  });
});

describe('“Add a tag” in the viewer', () => {
  it('refuses a name too long in the template editor’s words, and cuts nothing', async () => {
    const fake = verdictsFake({});
    const { page } = await pages.open(fake, { hash: '#/library?photo=2' });
    const tags = page.getByRole('dialog').getByRole('region', { name: 'Tags' });
    const field = tags.getByRole('combobox', { name: 'Add a tag' });
    await field.fill('x'.repeat(300));
    expect(await field.inputValue()).toHaveLength(300);
    await tags.getByRole('button', { name: 'Add', exact: true }).click();
    await tags.getByRole('alert').getByText('The name is longer than 100 characters.').waitFor();
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(fake.callsOf('tags.verdict')).toEqual([]);
  });

  it('says a rejected tag typed in other capitals was confirmed, as it was named', async () => {
    const fake = verdictsFake({ 2: [{ tag: 'sign', source: 'auto', score: 0.8, rejected: true }] });
    const { page } = await pages.open(fake, { hash: '#/library?photo=2' });
    const tags = page.getByRole('dialog').getByRole('region', { name: 'Tags' });
    await tags.getByRole('button', { name: 'Undo rejecting sign' }).waitFor();
    const heard = await listen(page);
    await tags.getByRole('combobox', { name: 'Add a tag' }).fill('Sign');
    await tags.getByRole('button', { name: 'Add', exact: true }).click();
    await tags.getByRole('button', { name: 'Undo confirming sign' }).waitFor();
    await poll(heard).toEqual(['Confirmed “sign” (it was rejected).']);
    expect(fake.callsOf('tags.verdict')).toEqual([{ photoIds: [2], tag: 'sign', verdict: 'confirm' }]);
  });

  it('offers the tags made by hand on other photos beside the vocabulary’s, and adds one as it is named', async () => {
    const fake = verdictsFake({ 3: [{ tag: 'Harbour walk', source: 'person', score: null }] }, ['beach']);
    const { page } = await pages.open(fake, { hash: '#/library?photo=2' });
    const tags = page.getByRole('dialog').getByRole('region', { name: 'Tags' });
    const offered = () => tags.locator('datalist option').evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value));
    await poll(offered).toEqual(['beach', 'Harbour walk']);

    await tags.getByRole('combobox', { name: 'Add a tag' }).fill('harbour WALK');
    await tags.getByRole('button', { name: 'Add', exact: true }).click();
    await tags.getByRole('button', { name: 'Remove tag Harbour walk' }).waitFor();
    // A tag new to the library is offered from then on.
    await tags.getByRole('combobox', { name: 'Add a tag' }).fill('lighthouse');
    await tags.getByRole('button', { name: 'Add', exact: true }).click();
    await tags.getByRole('button', { name: 'Remove tag lighthouse' }).waitFor();
    await poll(offered).toEqual(['beach', 'Harbour walk', 'lighthouse']);
    expect(fake.callsOf('tags.verdict').map(({ tag }) => tag)).toEqual(['Harbour walk', 'lighthouse']);
  });
});
