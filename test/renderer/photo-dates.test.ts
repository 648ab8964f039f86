/**
 * Photo dates as their clock showed them (Note [Dates as the clock showed] in
 * main/library/decode.ts), with the browser in a time zone far from UTC: a photo taken at 23:30
 * on 30 June shows that time, that day and that month, not 1 July where the laptop is now.
 */
import { describe, expect, it } from 'vitest';
import { emptySearch, searchOptions } from '../../renderer/src/lib/search-params.js';
import { appPages, libraryFake, rendererInChromium } from './harness.js';
import { inTimeZone } from '../helpers/time-zone.js';

// Chromium takes its zone from TZ when it starts (in beforeAll, after this line): UTC+14, as this process does.
inTimeZone('Pacific/Kiritimati');

const pages = appPages(rendererInChromium());
const LATE_IN_JUNE = Date.UTC(2021, 5, 30, 23, 30);

function lateInJune() {
  const fake = libraryFake();
  fake.overrides['photos.timeline'] = () => ({ ok: true, value: { total: 2, ids: [2, 1], ratios: [1, 1], takenAt: [LATE_IN_JUNE, Date.UTC(2021, 4, 10, 12)], names: ['late.jpg', 'may.jpg'], folderIds: [1, 1], versions: [2, 1] } });
  fake.overrides['photos.details'] = () => ({ ok: true, value: { id: 2, name: 'late.jpg', folderId: 1, takenAt: LATE_IN_JUNE, width: 400, height: 300, format: 'jpeg', version: 2, path: '/home/ada/Pictures/late.jpg', size: 1, capturedAt: LATE_IN_JUNE, camera: null, lens: null, location: null, copies: [] } });
  return fake;
}

describe('photo dates in another time zone', () => {
  it('puts a photo taken at 23:30 on 30 June under June, named with that day', async () => {
    const { page } = await pages.open(lateInJune());
    expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe('Pacific/Kiritimati');
    await expect.poll(() => page.locator('.heading').allTextContents(), { timeout: 5000 }).toEqual(['June 2021', 'May 2021']);
    expect(await page.getByRole('option', { name: /^late\.jpg/ }).getAttribute('aria-label')).toBe('late.jpg, Jun 30, 2021');
  });

  it('asks for the photos of a day chosen in the date filters by that day on their clock', () => {
    const day = { ...emptySearch(), filters: { ...emptySearch().filters, from: '2021-06-30', to: '2021-06-30' } };
    expect(new Date(LATE_IN_JUNE).getTimezoneOffset()).toBe(-14 * 60);
    expect(searchOptions(day, 50).filters).toMatchObject({ takenAfter: Date.UTC(2021, 5, 30), takenBefore: Date.UTC(2021, 5, 30, 23, 59, 59, 999) });
  });

  it('shows in the viewer that it was taken at 23:30 on 30 June', async () => {
    const { page } = await pages.open(lateInJune(), { hash: '#/library?photo=2' });
    await page.getByRole('dialog', { name: /^late\.jpg/ }).getByText(/^Wednesday, June 30, 2021 at 11:30\sPM$/).waitFor();
  });
});
