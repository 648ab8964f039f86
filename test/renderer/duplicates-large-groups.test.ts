/** A group of hundreds of copies on the Duplicates screen, built for real and driven in Chromium against a fake engine. */
import { describe, expect, it } from 'vitest';
import { appPages, FAKE_MODEL, libraryFake, rendererInChromium } from './harness.js';

const pages = appPages(rendererInChromium());

// Copies 2 to 400 are alike to the keep (1) itself; 401 to 500 joined the group only through them (Note [Marked only beside the keep]).
const COPIES = 500;
const NEAR_KEEP = 400;
const photo = (id: number) => ({
  id,
  name: `copy-${id}.jpg`,
  path: `/p/copy-${id}.jpg`,
  width: 800,
  height: 600,
  size: 1000,
  capturedAt: null,
  camera: null,
  hasLocation: false,
  links: [],
  ...(id > NEAR_KEEP && { joinedThroughOthers: true as const }),
});
const ids = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function largeGroupFake() {
  const fake = libraryFake();
  const group = { keep: 1, reason: 'the largest', similarity: 0.8, photos: ids(1, COPIES).map(photo) };
  fake.overrides['duplicates.find'] = () => ({ ok: true, value: { model: FAKE_MODEL, threshold: 0.75, images: COPIES, groups: [group] } });
  fake.overrides['duplicates.trash'] = (({ photoIds }: { photoIds: number[] }) => ({ ok: true, value: { trashed: photoIds.map((id) => `/p/copy-${id}.jpg`), sidecars: [], skipped: [] } })) as never;
  return fake;
}

describe('a group of 500 copies', () => {
  it('draws its first 12 copies, marks only those alike to the keep, and moves every marked copy, drawn or not', async () => {
    const fake = largeGroupFake();
    const { page } = await pages.open(fake, { hash: '#/duplicates' });
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    const tiles = page.getByRole('list', { name: 'Copies' }).getByRole('listitem');
    await page.getByRole('button', { name: 'Show all 500 copies' }).waitFor();
    expect(await tiles.count()).toBe(12);
    await page.getByText(`${NEAR_KEEP - 1} marked for the trash`).waitFor();
    expect(await page.getByText('488 copies not shown, 388 of them marked for the trash').count()).toBe(1);
    await page.getByRole('button', { name: 'Move to trash…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Move to trash' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect(fake.callsOf('duplicates.trash')).toEqual([{ photoIds: ids(2, NEAR_KEEP) }]);
  });

  it('draws every copy at "Show all 500 copies", with focus on the first it drew, and copies joined only through others unmarked', async () => {
    const fake = largeGroupFake();
    const { page } = await pages.open(fake, { hash: '#/duplicates' });
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    await page.getByRole('button', { name: 'Show all 500 copies' }).click();
    const tiles = page.getByRole('list', { name: 'Copies' }).getByRole('listitem');
    await expect.poll(() => tiles.count()).toBe(COPIES);
    expect(await page.getByRole('button', { name: /^Show all/ }).count()).toBe(0);
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label')?.split(',')[0])).toBe('copy-13.jpg');
    expect(await page.getByRole('checkbox', { name: 'To the trash: copy-400.jpg' }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: 'To the trash: copy-401.jpg' }).isChecked()).toBe(false);
  });
});
