/** The Duplicates screen's choice of how alike copies must be, built for real and driven in Chromium against a fake engine. */
import { describe, expect, it } from 'vitest';
import type { CallParams } from '../../preload/contract.js';
import { appPages, FAKE_MODEL, libraryFake, rendererInChromium } from './harness.js';

const pages = appPages(rendererInChromium());

describe('finding duplicates', () => {
  it('asks in words how alike copies must be, and sends the engine the threshold on its calibrated scale', async () => {
    const fake = libraryFake();
    fake.overrides['duplicates.find'] = (({ threshold }: CallParams<'duplicates.find'>) => ({ ok: true, value: { model: FAKE_MODEL, threshold: threshold ?? 0.75, images: 3, groups: [] } })) as never;
    const { page } = await pages.open(fake, { hash: '#/duplicates' });
    const likeness = page.getByRole('combobox', { name: /^Find/ });
    expect(await likeness.locator('option:checked').textContent()).toBe('Copies and edits (suggested)');
    const find = page.getByRole('button', { name: 'Find duplicates' });
    await find.click();
    await expect.poll(() => fake.callsOf('duplicates.find')).toEqual([{}]);
    for (const [label, threshold] of [['Re-saves and resized copies only', 1.25], ['Also crops and heavy edits', 0.5], ['Also other shots of the same scene', 0]] as const) {
      await likeness.selectOption({ label });
      await find.click();
      await expect.poll(() => fake.callsOf('duplicates.find').at(-1)).toEqual({ threshold });
    }
  });

  it('leaves the keys to the confirmation while it asks: no shortcut moves away beneath it, and Escape closes it', async () => {
    const fake = libraryFake();
    const photo = (id: number) => ({ id, name: `copy-${id}.jpg`, path: `/p/copy-${id}.jpg`, width: 800, height: 600, size: 1000 * id, capturedAt: null, camera: null, hasLocation: false });
    fake.overrides['duplicates.find'] = () => ({ ok: true, value: { model: FAKE_MODEL, threshold: 0.75, images: 2, groups: [{ keep: 1, reason: 'the largest', similarity: null, photos: [photo(1), photo(2)] }] } });
    const { page } = await pages.open(fake, { hash: '#/duplicates' });
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    await page.getByRole('button', { name: 'Move to trash…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    for (const key of ['Control+1', 'Control+,', '/', '?']) await page.keyboard.press(key);
    await page.waitForTimeout(100);
    expect(await page.evaluate(() => location.hash)).toBe('#/duplicates');
    expect(await dialog.isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => location.hash)).toBe('#/duplicates');
    await page.getByRole('button', { name: 'Move to trash…' }).waitFor();
  });

  it('stays open while the files move, as Cancel or Escape cannot call the move back, and says what it did', async () => {
    const fake = libraryFake();
    const photo = (id: number) => ({ id, name: `copy-${id}.jpg`, path: `/p/copy-${id}.jpg`, width: 800, height: 600, size: 1000 * id, capturedAt: null, camera: null, hasLocation: false });
    fake.overrides['duplicates.find'] = () => ({ ok: true, value: { model: FAKE_MODEL, threshold: 0.75, images: 2, groups: [{ keep: 1, reason: 'the largest', similarity: null, photos: [photo(1), photo(2)] }] } });
    let release = () => {};
    fake.overrides['duplicates.trash'] = (() => new Promise((resolve) => (release = () => resolve({ ok: true, value: { trashed: ['/p/copy-2.jpg'], sidecars: [], skipped: [] } })))) as never;
    const { page } = await pages.open(fake, { hash: '#/duplicates' });
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    await page.getByRole('button', { name: 'Move to trash…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Move to trash' }).click();
    await expect.poll(() => fake.callsOf('duplicates.trash').length).toBe(1);
    expect(await dialog.getByRole('button', { name: 'Cancel' }).isDisabled()).toBe(true);
    for (let i = 0; i < 3; i++) await page.keyboard.press('Escape');
    await page.waitForTimeout(200);
    expect(await dialog.isVisible()).toBe(true);
    release();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText(/Moved 1 file to the trash/).waitFor();
  });
});
