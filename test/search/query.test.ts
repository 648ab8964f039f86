import { describe, expect, it } from 'vitest';
import { combineVectors, parseQuery } from '../../main/search/query.js';

describe('combined queries', () => {
  it('parses terms, weights, signs, photo files and photo ids', () => {
    expect(parseQuery('beach + sunset - people')).toEqual([
      { kind: 'text', text: 'beach', weight: 1 },
      { kind: 'text', text: 'sunset', weight: 1 },
      { kind: 'text', text: 'people', weight: -1 },
    ]);
    expect(parseQuery('2:golden retriever + ./pool.jpg - 0.5:#42')).toEqual([
      { kind: 'text', text: 'golden retriever', weight: 2 },
      { kind: 'file', path: './pool.jpg', weight: 1 },
      { kind: 'photo', photoId: 42, weight: -0.5 },
    ]);
  });

  it('keeps hyphenated words together', () => {
    expect(parseQuery('black-and-white t-shirt')).toEqual([{ kind: 'text', text: 'black-and-white t-shirt', weight: 1 }]);
  });

  it('rejects queries that only subtract or are empty', () => {
    expect(() => parseQuery('   ')).toThrow(/Type something/);
    expect(() => parseQuery('- people')).toThrow(/only subtracts/);
    expect(() => parseQuery('dog + ')).toThrow();
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
