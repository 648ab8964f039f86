/** A fake engine for the template editor's tests. */
import type { CallParams, VocabularyInfo } from '../../preload/contract.js';
import { libraryFake, type FakeLumen } from './harness.js';

/** A fake engine whose saved vocabulary is `vocabulary`, and Save saves it as given; `saved()` is the vocabulary it holds now. */
export function vocabularyFake(vocabulary: VocabularyInfo): { fake: FakeLumen; saved: () => VocabularyInfo } {
  const fake = libraryFake();
  let saved = vocabulary;
  fake.overrides['vocabulary.get'] = () => ({ ok: true, value: { vocabulary: structuredClone(saved), isDefault: false } });
  fake.overrides['vocabulary.save'] = ((params: CallParams<'vocabulary.save'>) => {
    saved = params.vocabulary;
    return { ok: true, value: { vocabulary: structuredClone(saved) } };
  }) as never;
  return { fake, saved: () => saved };
}
