/**
 * Vocabulary files under random input (Note [Vocabulary limits] in main/tags/vocabulary-rules.ts):
 * anything is either a vocabulary every later step can use (its tag names fit an XMP sidecar,
 * it survives a save and reload unchanged) or refused with one clear message; never a crash.
 */
import fc from 'fast-check';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../main/core/errors.js';
import { forbiddenCharacter } from '../../main/tags/xml-check.js';
import { formatVocabulary, parseVocabulary, readVocabularyFile, type Vocabulary } from '../../main/tags/vocabulary.js';
import { tempDir } from '../helpers/fixtures.js';
import { fuzz } from '../helpers/fuzz.js';

function outcome(raw: unknown): Vocabulary | UserError {
  try {
    return parseVocabulary(raw, 'The vocabulary');
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
}

function expectSound(raw: unknown): void {
  const result = outcome(raw);
  if (result instanceof UserError) {
    expect(result.code).toBe('bad-input');
    expect(result.message).toMatch(/^The vocabulary is not valid: .*\. Fix it and try again\.$/s);
    expect(result.message.length).toBeLessThan(4000);
    return;
  }
  for (const tag of result.tags) {
    expect(forbiddenCharacter(tag.name)).toBeNull();
    expect(tag.name).not.toMatch(/\p{Cc}|\|/u);
  }
  expect(parseVocabulary(JSON.parse(formatVocabulary(result)))).toEqual(result);
}

const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'a {} b', '{}', '{} {}', 'dog|cat', 'tab\there', 'nul\u0000', 'del\u007f', 'c1\u0085', '\uD800', '\uFFFF', 'x'.repeat(1001), 'a photo of a {}.') },
);
const tag = fc.record(
  {
    name: text,
    prompts: fc.array(text, { maxLength: 4 }),
    templates: fc.array(text, { maxLength: 3 }),
    threshold: fc.oneof(fc.double({ noNaN: false }), fc.double({ min: 0, max: 1 })),
    enabled: fc.oneof(fc.boolean(), fc.anything()),
  },
  { requiredKeys: ['name', 'prompts'] },
);
const vocabulary = fc.record(
  {
    description: fc.oneof(fc.string(), fc.anything()),
    templates: fc.array(text, { maxLength: 4 }),
    background: fc.array(text, { maxLength: 3 }),
    tags: fc.array(tag, { maxLength: 12 }),
  },
  { requiredKeys: ['templates', 'tags'] },
);

/** Mostly valid vocabularies, so the accepting side is exercised as much as the refusing one. */
const plausible = fc.record({
  templates: fc.array(fc.constantFrom('a photo of a {}.', 'a {} photo', '{}', 'a {} and a {}'), { minLength: 1, maxLength: 3 }),
  tags: fc.array(fc.record({ name: fc.string({ minLength: 1, maxLength: 20 }), prompts: fc.array(fc.string({ minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 3 }) }), { maxLength: 10 }),
});

describe('vocabulary files, fuzzed', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    scratch = await tempDir();
  });
  afterAll(() => scratch.cleanup());

  it('accepts a usable vocabulary or refuses it clearly, whatever its shape', () => {
    fc.assert(fc.property(vocabulary, expectSound), fuzz(400));
  });

  it('accepts plausible vocabularies that follow the rules, and they round-trip', () => {
    let accepted = 0;
    fc.assert(
      fc.property(plausible, (raw) => {
        expectSound(raw);
        if (!(outcome(raw) instanceof UserError)) accepted++;
      }),
      fuzz(300),
    );
    expect(accepted).toBeGreaterThan(0);
  });

  it('refuses anything that is not a vocabulary at all', () => {
    fc.assert(fc.property(fc.anything({ withNullPrototype: true, withObjectString: true }), expectSound), fuzz(300));
  });

  it('reads any file: bytes that are not JSON, or JSON that is not a vocabulary, are refused naming the file', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)), fc.json().map((json) => Buffer.from(json))), async (bytes) => {
        const file = path.join(scratch.dir, 'vocabulary.json');
        await writeFile(file, bytes);
        const read = await readVocabularyFile(file).then(
          (value) => value,
          (error: unknown) => error,
        );
        if (read instanceof UserError) expect(read.message).toContain(file);
        else expect(read).toMatchObject({ templates: expect.any(Array), tags: expect.any(Array) });
      }),
      fuzz(100),
    );
  });

  it('handles the largest vocabularies quickly: 10k tags, 10k-character prompts', () => {
    const many = { templates: ['a photo of a {}.'], tags: Array.from({ length: 10_000 }, (_, i) => ({ name: `tag ${i}`, prompts: [`thing ${i}`] })) };
    expect(() => parseVocabulary(many)).toThrow(/must be at most 5000 tags/);
    const long = { templates: ['a photo of a {}.'], tags: [{ name: 'long', prompts: ['x'.repeat(10_000)] }] };
    expect(() => parseVocabulary(long)).toThrow(/at most 1000 characters/);
    const allowed = { templates: ['a photo of a {}.'], tags: Array.from({ length: 5000 }, (_, i) => ({ name: `tag ${i}`, prompts: Array.from({ length: 5 }, (_, j) => `thing ${i} ${j}`) })) };
    expect(parseVocabulary(allowed).tags).toHaveLength(5000);
  });
});
