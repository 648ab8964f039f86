/**
 * A term that starts with a number and a colon the weight pattern does not read is refused, saying
 * how to write the weight, not searched for whole as words (Note [Weights only as written] in
 * query.ts); what the pattern reads is read as before.
 */
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../main/search/query.js';

describe('weights written some other way', () => {
  it('refuses a weight below 0, suggesting a subtraction', () => {
    expect(() => parseQuery('-1:sunset')).toThrow('The weight -1 in the query is below 0: weights go from 0 to 100. To leave “sunset” out, subtract it, as in “dog - sunset”.');
    expect(() => parseQuery('dog + -.5:cat')).toThrow(/The weight -\.5 in the query is below 0.*To leave “cat” out, subtract it, as in “dog - sunset”\.$/);
    // The person's text, on one line in the message (found by test/fuzz/query.test.ts).
    expect(() => parseQuery('-2:dog\ndog')).toThrow('The weight -2 in the query is below 0: weights go from 0 to 100. To leave “dog\\ndog” out, subtract it, as in “dog - sunset”.');
  });

  it('refuses numbers the weight pattern does not read', () => {
    for (const [query, weight] of [['.5:sunset', '.5'], ['dog + 2.:sunset', '2.'], ['1e3:sunset', '1e3'], ['+1:sunset', '+1']] as const) {
      expect(() => parseQuery(query), query).toThrow(`The weight ${weight} in the query is not one the query reads: write a weight in digits, as in 2:sunset or 0.5:sunset.`);
    }
  });

  it('reads as before what the weight pattern reads, and words with a colon that are no number', () => {
    expect(parseQuery('10:30 meeting')).toEqual([{ kind: 'text', text: '30 meeting', weight: 10 }]);
    expect(parseQuery('0.5:dog + beach')).toEqual([
      { kind: 'text', text: 'dog', weight: 0.5 },
      { kind: 'text', text: 'beach', weight: 1 },
    ]);
    expect(parseQuery('a:b')).toEqual([{ kind: 'text', text: 'a:b', weight: 1 }]);
    expect(parseQuery('nan: sunset')).toEqual([{ kind: 'text', text: 'nan: sunset', weight: 1 }]);
    expect(parseQuery('Infinity: war poster')).toEqual([{ kind: 'text', text: 'Infinity: war poster', weight: 1 }]);
  });
});
