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
});
