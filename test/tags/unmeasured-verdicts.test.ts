/** Why an evaluation measured none of the verdicts, in the words the CLI and the app share (Note [Verdicts not measured]). */
import { describe, expect, it } from 'vitest';
import { unmeasuredVerdictsText, type UnmeasuredWords } from '../../main/tags/unmeasured-verdicts.js';
import type { TagCount } from '../../main/tags/verdicts.js';

const words: UnmeasuredWords = { count: (n, singular) => `${n} ${n === 1 ? singular : `${singular}s`}`, none: 'None yet.', addTags: 'Add them.', index: 'index them' };
const counted = (tag: string, confirmed: number, rejected = 0): TagCount => ({ tag, photos: confirmed, auto: 0, confirmed, rejected });
const vocabulary = { templates: ['a photo of {}'], tags: [{ name: 'beach', prompts: ['beach'], enabled: false }] };

describe('why no verdict was measured', () => {
  it('names at most five tags the vocabulary lacks, then "..."', () => {
    const counts = ['a', 'b', 'c', 'd', 'e', 'f'].map((tag) => counted(tag, 1000, 1));
    expect(unmeasuredVerdictsText(counts, vocabulary, words)).toBe('None of the library’s 6006 confirmed or rejected tags are tags of this vocabulary: they are on "a", "b", "c", "d", "e", .... Add them.');
  });

  it('says which tags of the vocabulary are switched off, and that there are none yet when there are none', () => {
    expect(unmeasuredVerdictsText([counted('beach', 2)], vocabulary, words)).toBe('None of the library’s 2 confirmed or rejected tags could be measured: the vocabulary has "beach" switched off, or their photos are not indexed with this model yet (index them).');
    expect(unmeasuredVerdictsText([counted('beach', 0)], vocabulary, words)).toBe('None yet.');
  });

  it('says one verdict as one, and quotes names as the caller does', () => {
    const curly = { ...words, addTags: (tags: number) => `Add ${tags === 1 ? 'it' : 'them'}.`, quote: (name: string) => `“${name}”` };
    expect(unmeasuredVerdictsText([counted('shop', 1)], vocabulary, curly)).toBe('The library’s 1 confirmed or rejected tag is not a tag of this vocabulary: it is on “shop”. Add it.');
    expect(unmeasuredVerdictsText([counted('shop', 2), counted('cafe', 1)], vocabulary, curly)).toBe('None of the library’s 3 confirmed or rejected tags are tags of this vocabulary: they are on “shop”, “cafe”. Add them.');
    expect(unmeasuredVerdictsText([counted('beach', 0, 1)], vocabulary, curly)).toBe('The library’s 1 confirmed or rejected tag could not be measured: the vocabulary has “beach” switched off, or its photo is not indexed with this model yet (index them).');
  });
});
