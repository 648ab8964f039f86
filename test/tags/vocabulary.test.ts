import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_THRESHOLD,
  backgroundTag,
  enabledTags,
  ensembleKey,
  loadDefaultVocabulary,
  parseVocabulary,
  promptTexts,
  readVocabularyFile,
  resolveTag,
  resourcesDir,
  validateTemplate,
  withTemplates,
} from '../../main/tags/vocabulary.js';
import { ROOT, tempDir } from '../helpers/fixtures.js';

const valid = () => ({
  templates: ['a photo of a {}.', 'a blurry photo of a {}.'],
  tags: [
    { name: 'dog', prompts: ['dog', 'puppy'] },
    { name: 'snow', prompts: ['snow'], templates: ['a photo of {}.'], threshold: 0.3, enabled: false },
  ],
});

describe('tag vocabularies', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    scratch = await tempDir();
  });
  afterAll(() => scratch.cleanup());

  it('accepts the file format and fills in defaults', () => {
    const vocabulary = parseVocabulary(valid());
    const [dog, snow] = vocabulary.tags.map((tag) => resolveTag(tag, vocabulary));
    expect(dog).toMatchObject({ name: 'dog', templates: ['a photo of a {}.', 'a blurry photo of a {}.'], threshold: DEFAULT_THRESHOLD, enabled: true });
    expect(snow).toMatchObject({ templates: ['a photo of {}.'], threshold: 0.3, enabled: false });
    expect(enabledTags(vocabulary).map((tag) => tag.name)).toEqual(['dog']);
    expect(backgroundTag(vocabulary).prompts).toContain('a photo.');
  });

  it('rejects templates without exactly one {}, naming the tag and field', () => {
    expect(() => validateTemplate('a photo of a dog.')).toThrow(/must contain \{\} exactly once/);
    expect(() => validateTemplate('{} and {}')).toThrow(/exactly once/);
    expect(validateTemplate(' a {}. ')).toBe('a {}.');
    expect(() => parseVocabulary({ ...valid(), templates: ['a photo.'] })).toThrow(/templates\[0\] must contain \{\} exactly once/);
    const own = valid();
    own.tags[1]!.templates = ['a photo of {}.', 'snow {} {}'];
    expect(() => parseVocabulary(own)).toThrow(/tag "snow" \(tags\[1\]\) templates\[1\] must contain \{\} exactly once/);
  });

  it('explains every other problem in one line', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ ...valid(), tags: [{ name: 'dog', prompts: ['dog'], treshold: 0.2 }] }, /tag "dog" \(tags\[0\]\) has unknown field "treshold"/],
      [{ ...valid(), tags: [{ name: 'dog' }] }, /tag "dog" \(tags\[0\]\) prompts must be a list/],
      [{ ...valid(), tags: [{ name: 'dog', prompts: [] }] }, /prompts needs at least one prompt/],
      [{ ...valid(), tags: [{ name: 'dog', prompts: ['a {}'] }] }, /prompts\[0\] must not contain \{\}/],
      [{ ...valid(), tags: [{ name: 'dog', prompts: ['dog'], threshold: 2 }] }, /threshold must be between 0 and 1/],
      [{ ...valid(), tags: [{ name: 'Dog', prompts: ['dog'] }, { name: 'dog', prompts: ['puppy'] }] }, /tag "dog" \(tags\[1\]\) name is a second tag named "dog"/],
      [{ ...valid(), tags: [{ name: 'a|b', prompts: ['x'] }] }, /name must not contain “\|”: XMP sidecars use it to separate the levels of a keyword/],
      [{ tags: [] }, /templates must be a list/],
      [[], /the vocabulary must be an object/],
      [{ ...valid(), tags: [{ name: 'dog', prompts: ['dog'], enabled: 'yes' }] }, /enabled must be true or false/],
    ];
    for (const [raw, message] of cases) {
      let error: unknown;
      try {
        parseVocabulary(raw, 'The vocabulary file v.json');
      } catch (caught) {
        error = caught;
      }
      expect(error).toMatchObject({ code: 'bad-input' });
      const text = (error as Error).message;
      expect(text).toMatch(message);
      expect(text).toMatch(/^The vocabulary file v\.json is not valid: .*Fix it and try again\.$/);
      expect(text).not.toContain('\n');
    }
  });

  it('says the same problems in words for the app, with no JSON paths (Note [Problems in words])', () => {
    const cases: Array<[unknown, string]> = [
      [{ tags: [{ name: 'x' }] }, 'it has no list of templates; the tag “x” has no list of prompts'],
      [{ ...valid(), tags: [{ name: 'dog', prompts: ['dog'], treshold: 0.2 }] }, 'the tag “dog” has an unknown field “treshold”'],
      [{ ...valid(), tags: [{ name: 'dog', prompts: ['dog', 'a {}'] }] }, 'prompt 2 of the tag “dog” must not contain {} (that belongs in templates)'],
      [{ ...valid(), templates: ['a photo.'] }, 'template 1 must contain {} exactly once, where the prompt goes'],
      [{ ...valid(), tags: [{ name: 'Dog', prompts: ['dog'] }, { name: 'dog', prompts: ['puppy'] }] }, 'two tags are named “dog”'],
      [{ ...valid(), tags: [{ prompts: ['dog'] }] }, 'tag 1 has no name'],
      [{ ...valid(), tags: ['dog'] }, 'tag 1 is not a tag: a name and its prompts'],
      [{ ...valid(), tags: [{ name: 'dog', prompts: 'dog' }] }, 'the prompts of the tag “dog” are not a list'],
      [{ ...valid(), tags: [{ name: 'dog', prompts: ['dog'], enabled: 'yes' }] }, 'the switch “enabled” of the tag “dog” must be true or false'],
      [[], 'it is not a vocabulary: templates and tags'],
    ];
    for (const [raw, problems] of cases) {
      expect(() => parseVocabulary(raw, 'That file', 'words')).toThrow(`That file is not a vocabulary Lumen can use: ${problems}. Fix it and try again.`);
      let text = '';
      try {
        parseVocabulary(raw, 'That file', 'words');
      } catch (error) {
        text = (error as Error).message;
      }
      expect(text).not.toMatch(/tags\[|\]\.|\[\d+\]/);
    }
  });

  it('reads files and says what is wrong with a broken one', async () => {
    const good = path.join(scratch.dir, 'good.json');
    await writeFile(good, JSON.stringify(valid()));
    expect((await readVocabularyFile(good)).tags).toHaveLength(2);
    const broken = path.join(scratch.dir, 'broken.json');
    await writeFile(broken, '{"templates": [');
    await expect(readVocabularyFile(broken)).rejects.toThrow(/broken\.json is not JSON/);
    // In words, not the system's "ENOENT: no such file or directory, open …".
    await expect(readVocabularyFile(path.join(scratch.dir, 'missing.json'))).rejects.toThrow(/^Cannot read the vocabulary file \S+missing\.json: it does not exist\. Check the path\.$/);
    await expect(readVocabularyFile(scratch.dir)).rejects.toThrow(/^Cannot read the vocabulary file \S+: it is a folder\. Check the path\.$/);
  });

  it('expands prompts into templates literally, and keys ensembles by content', () => {
    expect(promptTexts(['dog', 'puppy'], ['a photo of a {}.', '{}'])).toEqual(['a photo of a dog.', 'dog', 'a photo of a puppy.', 'puppy']);
    expect(promptTexts(['$& $1'], ['a {}!'])).toEqual(['a $& $1!']);
    expect(ensembleKey(['dog', 'puppy'], ['a {}.', 'the {}.'])).toBe(ensembleKey(['puppy', 'dog'], ['the {}.', 'a {}.']));
    expect(ensembleKey(['dog'], ['a {}.'])).not.toBe(ensembleKey(['dog'], ['the {}.']));
    // Renaming or re-thresholding a tag keeps its embedding.
    const vocabulary = parseVocabulary(valid());
    expect(resolveTag({ ...vocabulary.tags[0]!, name: 'hound', threshold: 0.9 }, vocabulary).key).toBe(resolveTag(vocabulary.tags[0]!, vocabulary).key);
    const single = withTemplates(vocabulary, ['a photo of a {}.']);
    expect(single.tags.map((tag) => resolveTag(tag, single).templates)).toEqual([['a photo of a {}.'], ['a photo of a {}.']]);
    expect(() => withTemplates(vocabulary, ['nothing'])).toThrow(/exactly once/);
  });

  it('ships a default vocabulary of everyday things, from an overridable resources folder', async () => {
    expect(resourcesDir()).toBe(path.join(ROOT, 'resources'));
    const vocabulary = await loadDefaultVocabulary();
    expect(vocabulary.tags.length).toBeGreaterThanOrEqual(90);
    expect(vocabulary.templates.length).toBeGreaterThanOrEqual(5);
    const names = vocabulary.tags.map((tag) => tag.name);
    for (const name of ['beach', 'mountains', 'snow', 'sunset', 'city', 'food', 'dog', 'cat', 'car', 'document', 'screenshot', 'receipt', 'whiteboard', 'birthday', 'wedding', 'baby', 'concert']) {
      expect(names).toContain(name);
    }
    expect(vocabulary.tags.find((tag) => tag.name === 'dog')!.prompts).toContain('puppy');

    const custom = path.join(scratch.dir, 'resources');
    await mkdir(path.join(custom, 'vocabulary'), { recursive: true });
    await writeFile(path.join(custom, 'vocabulary', 'default.json'), JSON.stringify(valid()));
    expect((await loadDefaultVocabulary(custom)).tags.map((tag) => tag.name)).toEqual(['dog', 'snow']);
    await expect(loadDefaultVocabulary(path.join(scratch.dir, 'nowhere'))).rejects.toThrow(/default tag vocabulary is missing .*Reinstall Lumen/);
  });
});
