/**
 * A vocabulary as other tools write it: a UTF-8 file that begins with a byte order mark (Windows
 * Notepad), tag names in either Unicode form (Note [One name, one tag] in
 * main/tags/vocabulary-rules.ts), and no templates to evaluate with.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTag, parseVocabulary, readVocabularyFile, withTemplates } from '../../main/tags/vocabulary.js';
import { tempDir } from '../helpers/fixtures.js';

const COMPOSED = 'caf\u00e9';
const DECOMPOSED = 'cafe\u0301';
const vocabulary = (...names: string[]) => ({ templates: ['a photo of a {}.'], tags: names.map((name) => ({ name, prompts: [name] })) });

describe('vocabularies as other tools write them', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    scratch = await tempDir();
  });
  afterAll(() => scratch.cleanup());

  it('reads a file that begins with a byte order mark', async () => {
    const file = path.join(scratch.dir, 'notepad.json');
    await writeFile(file, `\uFEFF${JSON.stringify(vocabulary('dog'))}`);
    expect((await readVocabularyFile(file)).tags.map((tag) => tag.name)).toEqual(['dog']);
  });

  it('refuses two tags whose names differ only in Unicode form, as it does two that differ in case', () => {
    expect(() => parseVocabulary(vocabulary(COMPOSED, DECOMPOSED))).toThrow(`tags[1]) name is a second tag named "${DECOMPOSED}" (tags[0] has that name)`);
  });

  it('finds a tag by its name typed in either form, as the vocabulary spells it', () => {
    expect(findTag(parseVocabulary(vocabulary(COMPOSED)), DECOMPOSED)?.name).toBe(COMPOSED);
    expect(findTag(parseVocabulary(vocabulary(COMPOSED)), ` ${DECOMPOSED.toUpperCase()} `)?.name).toBe(COMPOSED);
    expect(findTag(parseVocabulary(vocabulary(DECOMPOSED)), COMPOSED)?.name).toBe(DECOMPOSED);
  });

  it('refuses to evaluate with no templates', () => {
    expect(() => withTemplates(parseVocabulary(vocabulary('dog')), [])).toThrow('No template was given: give at least one, with {} where the prompt goes.');
  });
});
