/**
 * A damaged library the engine restored from its backup as it opened it (EngineStatus.restored)
 * is said in the window, in its words, as an error that stays until dismissed and is said once
 * however often the status is read again. Built for real and driven in Chromium against a fake
 * engine.
 */
import { describe, expect, it } from 'vitest';
import { appPages, libraryFake, rendererInChromium } from './harness.js';

const pages = appPages(rendererInChromium());

describe('a restored library', () => {
  it('is said once, until dismissed, with the backup’s date and what may be lost', async () => {
    const fake = libraryFake();
    const backupAt = Date.UTC(2024, 5, 3, 9, 30);
    fake.status.restored = { backupAt, fromBackup: ['folders', 'verdicts', 'albums', 'albumPhotos', 'zeroShotTags', 'vocabularies'], lost: [] };
    const { page, emit } = await pages.open(fake);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const when = await page.evaluate((at) => new Date(at).toLocaleString(), backupAt);
    expect(await alert.textContent()).toContain(
      `Your library was damaged, and Lumen repaired it. Your folders, tags you confirmed or rejected, albums, photos in albums, refinements you turned off, and templates were restored from the backup of ${when}: changes made to them since then may be lost. Its photos come back as Lumen indexes them again.`,
    );
    expect(await alert.textContent()).not.toMatch(/lumen index|`/);

    await alert.getByRole('button', { name: 'Dismiss' }).click();
    await alert.waitFor({ state: 'detached' });
    // The status read again after a change still carries it: it is not said again.
    const asked = fake.callsOf('app.status').length;
    await emit({ type: 'library-changed' });
    await expect.poll(() => fake.callsOf('app.status').length).toBeGreaterThan(asked);
    await page.waitForTimeout(100);
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('comes back after a notice of a drop shown over it goes, never lost unread', async () => {
    const fake = libraryFake();
    fake.status.restored = { backupAt: null, fromBackup: [], lost: ['albums'] };
    const { page } = await pages.open(fake);
    const restored = page.getByRole('alert').filter({ hasText: 'Your library was damaged' });
    await restored.waitFor();
    await page.evaluate(() => {
      const data = new DataTransfer();
      data.items.add(new File(['notes'], 'notes.txt', { type: 'text/plain' }));
      window.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    });
    const dropped = page.getByText('Drop a photo to search by it, or a folder to add it.');
    await dropped.waitFor();
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await restored.waitFor();
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await restored.waitFor({ state: 'detached' });
  });

  it('says what was lost, and to add the folders again', async () => {
    const fake = libraryFake();
    fake.status.restored = { backupAt: null, fromBackup: [], lost: ['folders', 'verdicts'] };
    const { page } = await pages.open(fake);
    await expect.poll(() => page.getByRole('alert').locator('span').textContent()).toBe(
      'Your library was damaged, and Lumen repaired it. Your folders and tags you confirmed or rejected could not be read and had no backup, so they are lost. Add your folders again to see their photos.',
    );
  });
});
