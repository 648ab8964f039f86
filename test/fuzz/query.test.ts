/**
 * The query parser under random input: every query either parses into sound terms or is refused
 * with one clear line, in time linear in its length (Note [Linear parsing] in main/search/query.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../main/core/errors.js';
import { MAX_WEIGHT, parseQuery, type QueryTerm } from '../../main/search/query.js';
import { fuzz } from '../helpers/fuzz.js';

function outcome(query: string): QueryTerm[] | UserError {
  try {
    return parseQuery(query);
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
}

function expectSound(query: string): void {
  const result = outcome(query);
  if (result instanceof UserError) {
    expect(result.code).toBe('bad-input');
    expect(result.message.length).toBeLessThan(400);
    expect(result.message).not.toContain('\n');
    return;
  }
  expect(result.length).toBeGreaterThan(0);
  expect(result.some((term) => term.weight > 0)).toBe(true);
  for (const term of result) {
    expect(Number.isFinite(term.weight) && Math.abs(term.weight) <= MAX_WEIGHT).toBe(true);
    if (term.kind === 'text') expect(term.text).toBe(term.text.trim());
    if (term.kind === 'text') expect(term.text.length).toBeGreaterThan(0);
    if (term.kind === 'phrase') expect(term.text.length).toBeGreaterThan(0);
    if (term.kind === 'photo') expect(Number.isSafeInteger(term.photoId)).toBe(true);
  }
}

/** Queries built from the parser's own alphabet: words, weights, ids, paths, operators, spaces. */
const pieces = fc.constantFrom('dog', 'a red star', 't-shirt', '+', '-', ' + ', ' - ', '  ', '\t', '\n', '2:', '0.5:', '999999999999999999999:', '#', '#42', '#9999999999999999999999', './a.jpg', '/x.png', 'C:\\y.heic', ':', '{}', '\u0000', '\uD800', '"', '“lisboa”', '-"x"', '„a + b“');
const structured = fc.array(pieces, { maxLength: 30 }).map((parts) => parts.join(''));

describe('the query parser, fuzzed', () => {
  it('parses or refuses any string', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), expectSound), fuzz(300));
  });

  it('parses or refuses any arrangement of its own syntax', () => {
    fc.assert(fc.property(structured, expectSound), fuzz(500));
  });

  it('takes long runs of spaces and operators in its stride', () => {
    const long = fc.tuple(fc.constantFrom(' ', '\t', ' +', ' -', '9', 'a '), fc.integer({ min: 1000, max: 60_000 }), fc.constantFrom('', 'x', ' x', ' + y'));
    fc.assert(fc.property(long, ([unit, times, tail]) => expectSound(`a${unit.repeat(times)}${tail}`)), fuzz(20));
  });

  it('keeps what it already did: terms, weights, signs and hyphenated words', () => {
    expect(parseQuery('- people + dog')).toEqual([
      { kind: 'text', text: 'people', weight: -1 },
      { kind: 'text', text: 'dog', weight: 1 },
    ]);
    expect(parseQuery('dog  on the   beach')).toEqual([{ kind: 'text', text: 'dog on the beach', weight: 1 }]);
    expect(parseQuery('receipt - "closed"')).toEqual([
      { kind: 'text', text: 'receipt', weight: 1 },
      { kind: 'phrase', text: 'closed', weight: -1 },
    ]);
    expect(() => parseQuery('a + - b')).toThrow(/operator with nothing after it/);
    expect(() => parseQuery('101:dog')).toThrow(/weights go from 0 to 100/);
    expect(() => parseQuery('#99999999999999999999')).toThrow(/is not a photo id/);
  });
});
