/**
 * A vocabulary's problems as the app says them (Note [Problems in words]), read as sentences: a
 * list's size said of the tag or vocabulary it belongs to, a value of the wrong kind in a list said
 * in words, and names in the app's curly quotes, with why a tag name may not hold "|".
 */
import { describe, expect, it } from 'vitest';
import { parseVocabulary, validateTagName, validateTemplate } from '../../main/tags/vocabulary.js';

const inWords = (raw: unknown) => () => parseVocabulary(raw, 'That file', 'words');
const said = (problems: string) => `That file is not a vocabulary Lumen can use: ${problems}. Fix it and try again.`;
const TEMPLATES = ['a photo of {}'];

describe('a vocabulary’s problems in words', () => {
  it('say a list’s size of its owner, in a sentence that agrees', () => {
    expect(inWords({ tags: [{ name: 'x', prompts: [] }] })).toThrow(said('it has no list of templates; the tag “x” needs at least one prompt'));
    expect(inWords({ templates: [], tags: [] })).toThrow(said('it needs at least one template'));
    expect(inWords({ templates: TEMPLATES, background: [], tags: [] })).toThrow(said('it needs at least one background prompt, or no background prompts to use the built-in ones'));
    expect(inWords({ templates: TEMPLATES, tags: [{ name: 'x', prompts: ['x'], templates: [] }] })).toThrow(said('the tag “x” needs at least one template, or no templates of its own to use the global ones'));
    expect(inWords({ templates: TEMPLATES, tags: [{ name: 'x', prompts: Array.from({ length: 101 }, (_, i) => `p${i}`) }] })).toThrow(said('the tag “x” has 101 prompts, more than the 100 allowed'));
    expect(inWords({ templates: TEMPLATES, tags: Array.from({ length: 5001 }, (_, i) => ({ name: `t${i}`, prompts: ['p'] })) })).toThrow(said('it has 5,001 tags, more than the 5,000 allowed'));
  });

  it('say a value of the wrong kind in a list in words, not in the checker’s', () => {
    expect(inWords({ templates: [4], tags: [{ name: 'x', prompts: ['x', 3] }] })).toThrow(said('template 1 must be text; prompt 2 of the tag “x” must be text'));
  });

  it('say why a tag name may not hold “|”, in curly quotes', () => {
    expect(inWords({ templates: TEMPLATES, tags: [{ name: 'trip|2023/summer', prompts: ['x'] }] })).toThrow(said('the name of the tag “trip|2023/summer” must not contain “|”: XMP sidecars use it to separate the levels of a keyword'));
  });
});

describe('a name or template refused on its own', () => {
  it('is quoted as the app quotes, and says why', () => {
    expect(() => validateTagName('trip|2023/summer')).toThrow(/^The tag name “trip\|2023\/summer” must not contain “\|”: XMP sidecars use it to separate the levels of a keyword\.$/);
    expect(() => validateTemplate('a photo')).toThrow(/^The template “a photo” must contain \{\} exactly once, where the prompt goes\.$/);
  });

  it('shows a character it must not hold by its code, and a long one cut short', () => {
    expect(() => validateTagName('bell\u0007')).toThrow(/^The tag name “bell\\u0007” must not contain control characters/);
    const long = 'x'.repeat(150);
    expect(() => validateTagName(long)).toThrow(`The tag name “${'x'.repeat(57)}…” must be at most 100 characters.`);
  });
});
