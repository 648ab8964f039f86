/**
 * Note [Saved over a change] in main/tags/library-vocabulary.ts: a save over templates saved
 * elsewhere since the edit began is refused, and the editor shows them, the edit kept aside.
 */
import { describe, expect, it } from 'vitest';
import type { CallParams, VocabularyInfo } from '../../preload/contract.js';
import { appPages, libraryFake, rendererInChromium } from './harness.js';

const pages = appPages(rendererInChromium());
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000 });

const begun: VocabularyInfo = { templates: ['a photo of {}'], tags: [{ name: 'sea', prompts: ['sea'] }, { name: 'lake', prompts: ['lake'] }] };
const theirs: VocabularyInfo = { templates: ['a photo of {}'], tags: [{ name: 'sea', prompts: ['sea'] }, { name: 'lake', prompts: ['lake'], threshold: 0.3 }] };

describe('templates saved elsewhere while they were edited', () => {
  it('are not undone by a save: the editor shows them, and the edit comes back over them to be saved knowingly', async () => {
    const fake = libraryFake();
    let saved = begun;
    fake.overrides['vocabulary.get'] = () => ({ ok: true, value: { vocabulary: structuredClone(saved), isDefault: false } });
    // As the engine does: a save begun from templates no longer saved is refused.
    fake.overrides['vocabulary.save'] = ((params: CallParams<'vocabulary.save'>) => {
      if (params.basedOn && JSON.stringify(params.basedOn) !== JSON.stringify(saved)) {
        return { ok: false, error: { code: 'bad-input', message: 'The templates were changed elsewhere since you began editing. Nothing was saved.' } };
      }
      saved = params.vocabulary;
      return { ok: true, value: { vocabulary: structuredClone(saved), jobId: 'tag-1' } };
    }) as never;
    const { page } = await pages.open(fake, { hash: '#/templates?tag=sea' });
    const prompts = page.getByRole('textbox', { name: 'Prompts for sea' });
    await prompts.fill('sea\nocean');
    // Another window saves meanwhile.
    saved = theirs;
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await poll(() => page.getByRole('alert').filter({ hasText: 'changed elsewhere' }).textContent()).toBe(
      'The templates were changed elsewhere since you began editing. Nothing was saved. The templates saved now are shown; your changes are kept aside: bring them back over them, or let them go.',
    );
    expect(saved).toEqual(theirs);
    await poll(() => prompts.inputValue()).toBe('sea');

    await page.getByRole('button', { name: 'Bring back my changes' }).click();
    await poll(() => prompts.inputValue()).toBe('sea\nocean');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved. Your photos are being tagged again with it.').waitFor();
    expect(saved.tags[0]).toEqual({ name: 'sea', prompts: ['sea', 'ocean'] });
    expect(fake.callsOf('vocabulary.save').at(-1)?.basedOn).toEqual(theirs);
  });
});
