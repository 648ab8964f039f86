/** The Duplicates screen says in words, to everyone, how alike a group is and which copy it suggests keeping, and its confirmation starts on Cancel. */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { appPages, FAKE_MODEL, libraryFake, rendererInChromium } from './harness.js';

const pages = appPages(rendererInChromium());
const photo = (id: number) => ({ id, name: `copy-${id}.jpg`, path: `/p/copy-${id}.jpg`, width: 800, height: 600, size: 1000 * id, capturedAt: null, camera: null, hasLocation: false, links: [] });
const group = (ids: number[], similarity: number | null) => ({ keep: ids[0] as number, reason: 'largest (800 × 600)', similarity, photos: ids.map(photo) });

/** The text an element's aria-describedby points at, as a screen reader reads it after its name. */
const description = (page: Page, name: string) =>
  page
    .getByRole('main')
    .getByRole('region', { name })
    .getByRole('button', { name: 'Compare side by side' })
    .evaluate((button) => (button.getAttribute('aria-describedby') ?? '').split(' ').map((id) => document.getElementById(id)?.textContent?.trim()).join(' / '));

describe('the Duplicates screen explained', () => {
  it('says how alike each group is in words from the calibrated scale, with the number, and explains the scale on the page', async () => {
    const fake = libraryFake();
    const groups = [group([1, 2], 1.07), group([3, 4], 1), group([5, 6], 0.82), group([7, 8], -0.2), group([9, 10], null)];
    fake.overrides['duplicates.find'] = () => ({ ok: true, value: { model: FAKE_MODEL, threshold: -0.5, images: 10, groups } });
    const { page } = await pages.open(fake, { hash: '#/duplicates' });
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    const main = page.getByRole('main');
    await main.getByRole('region', { name: '2 copies of copy-9.jpg' }).waitFor();
    const said = {
      'copy-1.jpg': 'More alike than a typical edited copy (likeness 1.07)',
      'copy-3.jpg': 'As alike as a typical edited copy (likeness 1.00)',
      'copy-5.jpg': 'Less alike than a typical edited copy (likeness 0.82)',
      'copy-7.jpg': 'Less alike than two far-apart views of one scene (likeness -0.20)',
      'copy-9.jpg': 'Identical files',
    };
    for (const [keep, words] of Object.entries(said)) {
      const region = main.getByRole('region', { name: `2 copies of ${keep}` });
      // Shown, not in a tooltip only a mouse reaches; and read with the button that opens the group.
      expect(await region.getByText(words, { exact: true }).isVisible()).toBe(true);
      expect(await description(page, `2 copies of ${keep}`)).toBe(`2 copies of ${keep} / ${words}`);
    }
    expect(await main.locator('[title*="alike"]').count()).toBe(0);
    // What the number means is on the page, once.
    const scale = main.getByText(/1 is as alike as a typical edited copy, 0 as two\s+far-apart views of one scene/);
    expect(await scale.count()).toBe(1);
    expect(await scale.isVisible()).toBe(true);
  });

  it('does not explain a scale no group shows: identical files only', async () => {
    const fake = libraryFake();
    fake.overrides['duplicates.find'] = () => ({ ok: true, value: { model: FAKE_MODEL, threshold: 0.75, images: 2, groups: [group([1, 2], null)] } });
    const { page } = await pages.open(fake, { hash: '#/duplicates' });
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    await page.getByRole('main').getByText('Identical files', { exact: true }).waitFor();
    expect(await page.getByRole('main').getByText(/1 is as alike as a typical edited copy/).count()).toBe(0);
  });

  it('opens the confirmation on Cancel, the safe answer, not on its long list of files', async () => {
    const fake = libraryFake();
    const groups = Array.from({ length: 30 }, (_, i) => group([2 * i + 1, 2 * i + 2], 1.1));
    fake.overrides['duplicates.find'] = () => ({ ok: true, value: { model: FAKE_MODEL, threshold: 0.75, images: 60, groups } });
    const { page } = await pages.open(fake, { hash: '#/duplicates' });
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    await page.getByRole('button', { name: 'Move to trash…' }).click();
    const confirm = page.getByRole('dialog', { name: 'Move 30 files to the trash?' });
    await confirm.waitFor();
    const focused = () => page.evaluate(() => `${document.activeElement?.tagName} ${document.activeElement?.textContent?.trim().slice(0, 20)}`);
    await expect.poll(focused).toBe('BUTTON Cancel');
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'detached' });
    // And again at the next time it opens.
    await page.getByRole('button', { name: 'Move to trash…' }).click();
    await confirm.waitFor();
    await expect.poll(focused).toBe('BUTTON Cancel');
  });

  it('says in the comparison which copy it suggests keeping and why, as the group does', async () => {
    const fake = libraryFake();
    fake.overrides['duplicates.find'] = () => ({ ok: true, value: { model: FAKE_MODEL, threshold: 0.75, images: 3, groups: [group([1, 2, 3], 1.07)] } });
    fake.overrides['duplicates.trash'] = (() => ({ ok: true, value: { trashed: ['/p/copy-1.jpg'], sidecars: [], skipped: [] } })) as never;
    const { page } = await pages.open(fake, { hash: '#/duplicates' });
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    const region = page.getByRole('region', { name: '3 copies of copy-1.jpg' });
    const said = 'Suggested keep copy-1.jpg: largest (800 × 600)';
    await region.getByText(said).waitFor();
    await region.getByRole('button', { name: 'Compare side by side' }).click();
    const compare = page.getByRole('dialog', { name: 'Compare 3 copies' });
    await compare.waitFor();
    expect(await compare.getByText(said, { exact: true }).isVisible()).toBe(true);
    // Read out as the comparison opens.
    expect(await compare.evaluate((dialog) => document.getElementById(dialog.getAttribute('aria-describedby') ?? '')?.textContent?.trim())).toBe(said);

    // The keep moved to the trash, the comparison says so, as the group does.
    await page.keyboard.press('Escape');
    await compare.waitFor({ state: 'hidden' });
    await region.getByRole('checkbox', { name: 'To the trash: copy-3.jpg' }).uncheck();
    await region.getByRole('checkbox', { name: 'To the trash: copy-1.jpg' }).check();
    await region.getByRole('checkbox', { name: 'To the trash: copy-2.jpg' }).uncheck();
    await page.getByRole('button', { name: 'Move to trash…' }).click();
    await page.getByRole('dialog', { name: 'Move 1 file to the trash?' }).getByRole('button', { name: 'Move to trash' }).click();
    const left = page.getByRole('region', { name: '2 copies of copy-2.jpg' });
    const gone = 'The copy Lumen suggested keeping went to the trash; keep whichever of these you like.';
    await left.getByText(gone).waitFor();
    await left.getByRole('button', { name: 'Compare side by side' }).click();
    await page.getByRole('dialog', { name: 'Compare 2 copies' }).getByText(gone).waitFor();
  });
});
