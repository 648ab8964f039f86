/** The evaluation panel when none of the verdicts could be measured: it shows and says why (Note [Verdicts not measured]). */
import { describe, expect, it } from 'vitest';
import { appPages, libraryFake, rendererInChromium } from './harness.js';

const pages = appPages(rendererInChromium());

describe('the evaluation on verdicts it could not measure', () => {
  it('says the verdicts are on tags the vocabulary lacks, as the engine words it, not that there are none', async () => {
    const fake = libraryFake();
    const vocabulary = { templates: ['a photo of {}'], tags: [{ name: 'beach', prompts: ['beach'] }] };
    fake.overrides['vocabulary.get'] = () => ({ ok: true, value: { vocabulary, isDefault: false } });
    const report = { photos: 0, confirmed: 0, rejected: 0, accuracy: null, precision: null, recall: null, top1: null, top5: null, perTag: {} };
    const unmeasured = 'None of the library’s 4,210 confirmed or rejected tags are tags of this vocabulary: they are on “everything”, “bulkadded”. Add those tags to the vocabulary to measure them.';
    fake.overrides['vocabulary.evaluate'] = () => ({ ok: true, value: { edited: report, saved: report, singleTemplate: null, refinements: [], unmeasured } });
    const { page } = await pages.open(fake, { hash: '#/templates?tag=beach' });
    await page.getByRole('region', { name: 'Tag beach' }).waitFor();
    await page.getByRole('button', { name: 'Evaluate on your verdicts' }).click();
    const panel = page.getByRole('region', { name: 'Evaluation on your verdicts' });
    await panel.getByText(unmeasured).waitFor({ timeout: 5000 });
    expect(await panel.getByText('No confirmed or rejected tags yet').count()).toBe(0);
    const announced = () => page.locator('p.sr-only[aria-live="polite"]').textContent().then((text) => text?.trim() ?? '');
    await expect.poll(announced, { timeout: 5000 }).toBe(`Evaluated. ${unmeasured}`);
  });
});
