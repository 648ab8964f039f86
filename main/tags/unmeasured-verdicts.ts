/**
 * Why an evaluation on the person's verdicts measured none of them, in the words the CLI and the
 * app share (Note [Verdicts not measured]).
 */
import type { TagCount } from './verdicts.js';
import { findTag, type Vocabulary } from './vocabulary.js';

/** What each caller says in its own terms: how to count, and what the person can do there. */
export interface UnmeasuredWords {
  /** "2 photos", as the caller counts. */
  count: (n: number, singular: string) => string;
  /** The whole answer when there are no verdicts at all, with how to give some. */
  none: string;
  /** What to do when every verdict is on a tag the vocabulary lacks; worded for how many tags, where the caller says so. */
  addTags: string | ((tags: number) => string);
  /** How the photos get indexed, said after "not indexed with this model yet". */
  index: string;
  /** A tag's name quoted as the caller quotes names: “beach” in the app; "beach" unless said (the CLI). */
  quote?: (name: string) => string;
}

const plainQuotes = (name: string) => `"${name}"`;

/** Tags named in a sentence: the first five, then "...". */
const named = (tags: readonly TagCount[], quote: (name: string) => string) => tags.slice(0, 5).map((c) => quote(c.tag)).join(', ') + (tags.length > 5 ? ', ...' : '');

/**
 * Note [Verdicts not measured]: an evaluation that measured none of the verdicts says why, as
 * "no verdicts yet" is untrue on a library with thousands of them: there are none yet; those
 * there are are on tags the vocabulary lacks (added by hand with "Add a tag…", or a vocabulary
 * given with --vocabulary), named; or on tags it has switched off, or photos the model has not
 * embedded. `counts` are the library's verdicts per tag.
 */
export function unmeasuredVerdictsText(counts: readonly TagCount[], vocabulary: Vocabulary, words: UnmeasuredWords): string {
  const judged = counts.filter((c) => c.confirmed + c.rejected > 0);
  if (!judged.length) return words.none;
  const verdicts = judged.reduce((sum, c) => sum + c.confirmed + c.rejected, 0);
  const one = verdicts === 1;
  const quote = words.quote ?? plainQuotes;
  // One verdict is said as one: "None of the library's 1 … are" would not agree.
  const subject = `${one ? 'The' : 'None of the'} library’s ${words.count(verdicts, 'confirmed or rejected tag')}`;
  const tagOf = new Map(judged.map((c) => [c, findTag(vocabulary, c.tag)]));
  if (judged.every((c) => !tagOf.get(c))) {
    return `${subject} ${one ? 'is not a tag' : 'are tags'} of this vocabulary: ${one ? 'it is' : 'they are'} on ${named(judged, quote)}. ${typeof words.addTags === 'string' ? words.addTags : words.addTags(judged.length)}`;
  }
  const off = judged.filter((c) => tagOf.get(c)?.enabled === false);
  const notIndexed = `${one ? 'its photo is' : 'their photos are'} not indexed with this model yet (${words.index})`;
  const why = off.length ? `the vocabulary has ${named(off, quote)} switched off, or ${notIndexed}` : notIndexed;
  return `${subject} ${one ? 'could not' : 'could'} be measured: ${why}.`;
}
