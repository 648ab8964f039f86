/**
 * An album's long name in the selection bar, built for real and laid out in Chromium against a
 * fake engine (album-fake.ts): what the bar says about it, and the list to choose it from, wrap
 * inside the bar, so that the page never grows wider than the window, on a tag's page as in the
 * Library, from 1280 px wide down to 480.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { albumsFake } from './album-fake.js';
import { appPages, FAKE_TIMELINE, rendererInChromium } from './harness.js';

const pages = appPages(rendererInChromium());
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000, interval: 25 });

/** A name as a person gave it, its last word longer than any window is wide. */
const LONG_NAME = `Summer 🌞 2023 — «été» ${'long'.repeat(40)}`;

/** How far the page reaches past the window, and the bar's contents (its text and fields) past the bar, in px: 0 and 0 where they wrap inside them. */
const overflow = (page: Page) =>
  page.evaluate(() => {
    const bar = document.querySelector('[data-selection-bar]') as Element;
    const contents = document.createRange();
    contents.selectNodeContents(bar);
    return {
      page: Math.max(0, document.documentElement.scrollWidth - window.innerWidth),
      bar: Math.max(0, Math.round(contents.getBoundingClientRect().right - bar.getBoundingClientRect().right)),
    };
  });

/** Selects every photo of the grid shown, and adds them to the only saved album twice: what the bar says after each add. */
async function addTwice(page: Page, grid: string): Promise<void> {
  const said = page.getByRole('group', { name: 'Selection' }).getByRole('status');
  await page.getByRole('listbox', { name: grid }).getByRole('option').first().focus();
  await page.keyboard.press('Control+a');
  await page.getByText(`${FAKE_TIMELINE.ids.length} selected`).waitFor();
  await page.getByRole('button', { name: 'Add to album…' }).click();
  // The choice of album shows the name too.
  await page.getByRole('combobox', { name: 'Saved album' }).waitFor();
  expect(await overflow(page)).toEqual({ page: 0, bar: 0 });
  await page.keyboard.press('Enter');
  await poll(() => said.textContent()).toBe(`Added 2 photos to “${LONG_NAME}”; 1 was in it already.`);
  expect(await overflow(page)).toEqual({ page: 0, bar: 0 });
  await page.getByRole('button', { name: 'Add to album…' }).click();
  await page.keyboard.press('Enter');
  await poll(() => said.textContent()).toBe(`Those 3 photos are in “${LONG_NAME}” already.`);
  expect(await overflow(page)).toEqual({ page: 0, bar: 0 });
}

describe('a long album name in the selection bar', () => {
  for (const width of [480, 800, 1280]) {
    it(`wraps inside the bar on a tag’s page ${width} px wide: the page is no wider than the window`, async () => {
      const fake = albumsFake({ [LONG_NAME]: [1] });
      fake.overrides['tags.photos'] = () => ({ ok: true, value: structuredClone(FAKE_TIMELINE) });
      const { page } = await pages.open(fake, { hash: '#/tags?tag=beach' });
      await page.setViewportSize({ width, height: 700 });
      await addTwice(page, 'Photos tagged beach');
    });
  }

  it('wraps inside the bar in the Library 480 px wide, and so does a refused name’s reason', async () => {
    const fake = albumsFake({ [LONG_NAME]: [1] });
    const { page } = await pages.open(fake, { hash: '#/library' });
    await page.setViewportSize({ width: 480, height: 700 });
    await addTwice(page, 'Photos');
    // The reason a name is refused names the album it is taken by.
    await page.getByRole('button', { name: 'Save as album…' }).click();
    await page.getByRole('textbox', { name: 'Album name' }).fill(LONG_NAME);
    await page.keyboard.press('Enter');
    await poll(() => page.getByRole('group', { name: 'Selection' }).getByRole('alert').textContent()).toContain(LONG_NAME);
    expect(await overflow(page)).toEqual({ page: 0, bar: 0 });
  });
});
