/** Settings' "Your data": where Lumen keeps what it made, and when what only the person made was last backed up (Note [Backups] in main/storage/backups.ts). */
import { describe, expect, it } from 'vitest';
import { appPages, libraryFake, rendererInChromium } from './harness.js';
import { inTimeZone } from '../helpers/time-zone.js';

// A backup is an instant, said in the person's own zone, not on a photo's UTC clock: Chromium takes its zone from TZ as it starts (after this line).
inTimeZone('Pacific/Kiritimati');

const pages = appPages(rendererInChromium());
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000, interval: 25 });

describe('Settings, your data', () => {
  it('names the data folder and when the last backup was made, in the person’s own time', async () => {
    const fake = libraryFake();
    const at = Date.UTC(2026, 11, 7, 8, 5);
    (fake.status.library as NonNullable<typeof fake.status.library>).lastBackupAt = at;
    const { page } = await pages.open(fake, { hash: '#/settings' });
    const card = page.getByRole('region', { name: 'Your data' });
    await poll(() => card.getByRole('definition').first().textContent()).toBe('/home/ada/.config/Lumen');
    const shown = await page.evaluate((moment) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(moment), at);
    // 08:05 UTC is 22:05 in UTC+14.
    expect(shown).toMatch(/10:05\sPM|22:05/);
    await poll(() => card.getByTestId('last-backup').textContent()).toBe(shown);
  });

  it('says there is no backup yet, and why, before the first and before any folder', async () => {
    const fake = libraryFake();
    const { page } = await pages.open(fake, { hash: '#/settings' });
    const backup = page.getByRole('region', { name: 'Your data' }).getByTestId('last-backup');
    await poll(async () => (await backup.textContent())?.trim()).toBe('None yet: one is made after indexing, once a day.');
    fake.status.library = null;
    const { page: empty } = await pages.open(fake, { hash: '#/settings' });
    await poll(async () => (await empty.getByRole('region', { name: 'Your data' }).getByTestId('last-backup').textContent())?.trim()).toBe(
      'None yet: there is nothing of yours to back up before a folder is added.',
    );
  });
});
