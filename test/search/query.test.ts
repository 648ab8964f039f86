import { describe, expect, it } from 'vitest';
import { combineVectors, parseQuery } from '../../main/search/query.js';

describe('combined queries', () => {
  it('parses terms, weights, signs, photo files and photo ids', () => {
    expect(parseQuery('beach + sunset - people')).toEqual([
      { kind: 'text', text: 'beach', weight: 1 },
      { kind: 'text', text: 'sunset', weight: 1 },
      { kind: 'text', text: 'people', weight: -1 },
    ]);
    expect(parseQuery('2:golden retriever + ./pool.jpg - 0.5:#42', { imageFiles: true })).toEqual([
      { kind: 'text', text: 'golden retriever', weight: 2 },
      { kind: 'file', path: './pool.jpg', weight: 1 },
      { kind: 'photo', photoId: 42, weight: -0.5 },
    ]);
  });

  it('reads a path as a description unless files may be named (Note [No files from the window])', () => {
    const rules = { imageFiles: false };
    expect(parseQuery('2:golden retriever + ./pool.jpg - 0.5:#42', rules)).toEqual([
      { kind: 'text', text: 'golden retriever', weight: 2 },
      { kind: 'text', text: './pool.jpg', weight: 1 },
      { kind: 'photo', photoId: 42, weight: -0.5 },
    ]);
    expect(parseQuery('/r/cats', rules)).toEqual([{ kind: 'text', text: '/r/cats', weight: 1 }]);
    expect(parseQuery('/r/cats')).toEqual(parseQuery('/r/cats', rules));
    expect(parseQuery('/r/cats', { imageFiles: true })).toEqual([{ kind: 'file', path: '/r/cats', weight: 1 }]);
  });

  it('keeps hyphenated words together', () => {
    expect(parseQuery('black-and-white t-shirt')).toEqual([{ kind: 'text', text: 'black-and-white t-shirt', weight: 1 }]);
  });

  it('reads quoted text as text a photo must or must not contain, with the sign of its term', () => {
    expect(parseQuery('"lisboa"')).toEqual([{ kind: 'phrase', text: 'lisboa', weight: 1 }]);
    expect(parseQuery(' “Rua  Augusta” ')).toEqual([{ kind: 'phrase', text: 'Rua Augusta', weight: 1 }]);
    expect(parseQuery('receipt "lisboa" - "porto"')).toEqual([
      { kind: 'phrase', text: 'lisboa', weight: 1 },
      { kind: 'text', text: 'receipt', weight: 1 },
      { kind: 'phrase', text: 'porto', weight: -1 },
    ]);
    expect(parseQuery('2:menu -"closed" + #7')).toEqual([
      { kind: 'text', text: 'menu', weight: 2 },
      { kind: 'phrase', text: 'closed', weight: -1 },
      { kind: 'photo', photoId: 7, weight: 1 },
    ]);
    // Operators inside quotes are text; an unclosed quote (a query being typed) runs to the end.
    expect(parseQuery('"A - B + C"')).toEqual([{ kind: 'phrase', text: 'A - B + C', weight: 1 }]);
    expect(parseQuery('sign "rua aug')).toEqual([
      { kind: 'phrase', text: 'rua aug', weight: 1 },
      { kind: 'text', text: 'sign', weight: 1 },
    ]);
    expect(parseQuery('"東京"')).toEqual([{ kind: 'phrase', text: '東京', weight: 1 }]);
  });

  it('rejects quoted text that only subtracts, carries a weight or is empty', () => {
    expect(() => parseQuery('- "lisboa"')).toThrow(/only subtracts/);
    expect(() => parseQuery('-"lisboa"')).toThrow(/only subtracts/);
    expect(() => parseQuery('2:"lisboa"')).toThrow(/weight \(2:\) goes with a description/);
    expect(() => parseQuery('""')).toThrow(/Type something/);
    expect(() => parseQuery('"')).toThrow(/Type something/);
  });

  it('rejects queries that only subtract or are empty', () => {
    expect(() => parseQuery('   ')).toThrow(/Type something/);
    expect(() => parseQuery('- people')).toThrow(/only subtracts/);
    expect(() => parseQuery('dog + ')).toThrow();
    // The query in the curly quotes the search heading uses; its own quotes as typed; a control character escaped.
    expect(() => parseQuery('- beach')).toThrow('The query “- beach” only subtracts; add something to look for.');
    expect(() => parseQuery('- "lisboa"')).toThrow('The query “- "lisboa"” only subtracts; add something to look for.');
    expect(() => parseQuery('-\tbeach')).toThrow('The query “-\\tbeach” only subtracts; add something to look for.');
  });

  it('refuses a query of operators alone, which has no words to search for', () => {
    expect(() => parseQuery('+')).toThrow('The query “+” has no words to search for; add a term.');
    expect(() => parseQuery('-')).toThrow('The query “-” has no words to search for; add a term.');
    expect(() => parseQuery(' + - ')).toThrow('The query “ + - ” has no words to search for; add a term.');
    expect(() => parseQuery('-\t+\n+')).toThrow(/has no words to search for/);
    // An operator with words is still read as before: a leading "+" as text, a trailing one refused.
    expect(parseQuery('+ beach')).toEqual([{ kind: 'text', text: '+ beach', weight: 1 }]);
    expect(() => parseQuery('sunset -')).toThrow('The query “sunset -” ends with an operator; add a term after it.');
    expect(parseQuery('"+"')).toEqual([{ kind: 'phrase', text: '+', weight: 1 }]);
  });

  it('refuses a weight of 0, which is no subtraction: it leaves its term out', () => {
    expect(() => parseQuery('0:dog')).toThrow('A weight of 0 leaves “dog” out of the search: give it a weight above 0, or leave it out.');
    expect(() => parseQuery('beach + 0.0:dog')).toThrow(/A weight of 0 leaves “dog” out of the search/);
    expect(() => parseQuery('beach - 0:#42')).toThrow(/A weight of 0 leaves “#42” out of the search/);
  });

  it('adds weighted unit vectors and renormalises', () => {
    const x = Float32Array.from([1, 0]);
    const y = Float32Array.from([0, 1]);
    const v = combineVectors([
      { vector: x, weight: 3 },
      { vector: y, weight: -4 },
    ]);
    expect(v[0]).toBeCloseTo(0.6, 6);
    expect(v[1]).toBeCloseTo(-0.8, 6);
    expect(() => combineVectors([{ vector: x, weight: 1 }, { vector: x, weight: -1 }])).toThrow(/cancel/);
  });
});
