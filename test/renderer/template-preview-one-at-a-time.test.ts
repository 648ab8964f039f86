/** The template editor's live preview while typing outpaces the engine (Note [One preview at a time]). */
import { describe, expect, it } from 'vitest';
import type { CallParams } from '../../preload/contract.js';
import { appPages, libraryFake, rendererInChromium } from './harness.js';

const pages = appPages(rendererInChromium());

describe('the template editor’s live preview on a slow engine', () => {
  it('has one preview call out at a time, and asks about the latest draft once it returns', async () => {
    const fake = libraryFake();
    const vocabulary = { templates: ['a photo of {}'], tags: [{ name: 'sign', prompts: ['sign'] }] };
    fake.overrides['vocabulary.get'] = () => ({ ok: true, value: { vocabulary, isDefault: false } });
    const photo = { id: 1, name: 'a.jpg', folderId: 1, takenAt: Date.UTC(2024, 5, 1), width: 400, height: 300, format: 'jpeg', version: 1, score: 0.3 };
    // Each preview takes longer than several keystrokes, as on a large library.
    fake.overrides['vocabulary.preview'] = (params: CallParams<'vocabulary.preview'>) =>
      new Promise((resolve) =>
        setTimeout(() => resolve({ ok: true, value: { tag: params.tag, photos: [photo], count: 1, gained: [], lost: [], gainedCount: 0, lostCount: 0, milliseconds: 1500 } }), 1500),
      );
    const { page } = await pages.open(fake, { hash: '#/templates?tag=sign' });
    const shown = (tag: string) => page.getByRole('listbox', { name: `Photos that would get ${tag}`, exact: true }).count();
    await expect.poll(() => shown('sign'), { timeout: 10_000 }).toBe(1);
    const before = fake.callsOf('vocabulary.preview').length;
    const name = page.getByRole('region', { name: 'Tag sign' }).getByRole('textbox', { name: 'Name' });
    await name.click();
    await page.keyboard.press('End');
    // Keys slower than the pause the preview waits for: each would ask for a preview of its own.
    await page.keyboard.type(' post', { delay: 300 });
    await expect.poll(() => shown('sign post'), { timeout: 10_000 }).toBe(1);
    await page.waitForTimeout(2000);
    const typed = fake.callsOf('vocabulary.preview').slice(before).map((call) => call.tag);
    // The first draft sent, and then only the latest: none of the drafts typed meanwhile.
    expect(typed.length).toBeLessThanOrEqual(2);
    expect(typed.at(-1)).toBe('sign post');
    expect(await shown('sign post')).toBe(1);
  });
});
