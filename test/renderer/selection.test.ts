/**
 * What a screen reader hears of a selection in the grid, built for real and driven in Chromium
 * against a fake engine: each photo says it is selected itself (its option's aria-selected); the
 * count is said once selecting rests (Note [Selection counted once it rests] in
 * renderer/src/components/SelectionBar.svelte), never at each key.
 */
import { describe, expect, it } from 'vitest';
import { appPages, libraryFake, rendererInChromium } from './harness.js';
import { heardWhen, listen, recordKeys, saidWhileTyping } from './listening.js';

const pages = appPages(rendererInChromium());
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000, interval: 25 });

describe("the selection's count", () => {
  it('is said once selecting rests, not at each key, and not for the first photo alone or a selection cleared', async () => {
    const { page } = await pages.open(libraryFake(), { hash: '#/library' });
    const grid = page.getByRole('listbox', { name: 'Photos' });
    await grid.getByRole('option').first().focus();
    const heard = await listen(page);
    const keys = await recordKeys(page);

    // One photo: its option says "selected"; "1 photo selected" would only say it again.
    await page.keyboard.press('Space');
    await page.getByRole('group', { name: 'Selection' }).getByText('1 selected').waitFor();
    await page.waitForTimeout(1500);
    expect(await heard()).toEqual([]);

    // A range grown key by key is counted once, when the keys rest.
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Shift+ArrowRight');
    await page.getByRole('group', { name: 'Selection' }).getByText('3 selected').waitFor();
    await poll(heard).toEqual(['3 photos selected.']);
    expect(saidWhileTyping(await heardWhen(page), await keys())).toEqual([]);

    // Back to one from more is news; cleared, the bar goes and nothing is said.
    await page.keyboard.press('Shift+ArrowLeft');
    await page.keyboard.press('Shift+ArrowLeft');
    await poll(heard).toEqual(['3 photos selected.', '1 photo selected.']);
    await page.keyboard.press('Escape');
    await page.getByRole('group', { name: 'Selection' }).waitFor({ state: 'detached' });
    await page.waitForTimeout(1500);
    expect(await heard()).toEqual(['3 photos selected.', '1 photo selected.']);
    expect(saidWhileTyping(await heardWhen(page), await keys())).toEqual([]);
  });
});
