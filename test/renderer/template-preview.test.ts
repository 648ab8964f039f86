/** The template editor's live preview, built for real and driven in Chromium against a fake engine. */
import { describe, expect, it } from 'vitest';
import type { CallParams } from '../../preload/contract.js';
import { appPages, libraryFake, rendererInChromium } from './harness.js';

const pages = appPages(rendererInChromium());

describe('the template editor’s live preview', () => {
  it('asks for a renamed tag with its saved name, so that it is compared with itself as saved (Note [Live preview])', async () => {
    const fake = libraryFake();
    const vocabulary = { templates: ['a photo of {}'], tags: [{ name: 'sign', prompts: ['sign'] }, { name: 'beach', prompts: ['beach'] }] };
    fake.overrides['vocabulary.get'] = () => ({ ok: true, value: { vocabulary, isDefault: false } });
    fake.overrides['vocabulary.preview'] = (params: CallParams<'vocabulary.preview'>) => ({
      ok: true,
      value: { tag: params.tag, photos: [], count: 0, gained: [], lost: [], gainedCount: 0, lostCount: 0, milliseconds: 1 },
    });
    const { page } = await pages.open(fake, { hash: '#/templates?tag=sign' });
    const last = () => fake.callsOf('vocabulary.preview').at(-1);
    await expect.poll(() => last()?.tag, { timeout: 5000 }).toBe('sign');
    expect(last()?.renames).toEqual([]);
    await page.getByRole('region', { name: 'Tag sign' }).getByRole('textbox', { name: 'Name' }).fill('street sign');
    await expect.poll(() => last()?.tag, { timeout: 5000 }).toBe('street sign');
    expect(last()?.renames).toEqual([{ from: 'sign', to: 'street sign' }]);
  });
});
