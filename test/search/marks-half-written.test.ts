/**
 * A `#` that names no photo and a weight with nothing to weigh are refused with one sentence, not
 * searched for as text (Note [Marks half written] in main/search/query.ts); `#` among words stays text.
 */
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../main/search/query.js';

describe('marks of the query language written half', () => {
  it.each([
    ['#abc', '“#abc” is not a photo id: # names a photo by its number, as in #12; to search for the word, leave out the #.'],
    ['#-1', '“#-1” is not a photo id: # names a photo by its number, as in #12; to search for the word, leave out the #.'],
    ['#', '“#” is not a photo id: # names a photo by its number, as in #12; to search for the word, leave out the #.'],
    ['beach + 2:#12x', '“#12x” is not a photo id: # names a photo by its number, as in #12; to search for the word, leave out the #.'],
    ['2:', 'The weight 2: has nothing after it to weigh; give a description or a photo after it, as in 2:beach.'],
    ['beach - 0.5:', 'The weight 0.5: has nothing after it to weigh; give a description or a photo after it, as in 0.5:beach.'],
  ])('refuses %j with one sentence', (query, message) => {
    for (const imageFiles of [false, true]) expect(() => parseQuery(query, { imageFiles })).toThrow(expect.objectContaining({ code: 'bad-input', message }));
  });

  it('keeps # among words as text, ids and weights as they were, and a file named with # as a file in the CLI', () => {
    expect(parseQuery('C#')).toEqual([{ kind: 'text', text: 'C#', weight: 1 }]);
    expect(parseQuery('#1 dad')).toEqual([{ kind: 'text', text: '#1 dad', weight: 1 }]);
    expect(parseQuery('"#abc"')).toEqual([{ kind: 'phrase', text: '#abc', weight: 1 }]);
    expect(parseQuery('#12 - 0.5:#3')).toEqual([
      { kind: 'photo', photoId: 12, weight: 1 },
      { kind: 'photo', photoId: 3, weight: -0.5 },
    ]);
    expect(parseQuery('2: beach')).toEqual([{ kind: 'text', text: 'beach', weight: 2 }]);
    expect(parseQuery('#party.jpg', { imageFiles: true })).toEqual([{ kind: 'file', path: '#party.jpg', weight: 1 }]);
  });
});
