/**
 * What the tagging commands refuse, or say, rather than do the wrong thing: an export over a
 * photo or into the data folder (Note [An export replaces only an export] in
 * main/tags/library-vocabulary.ts), templates that hold none, an evaluation on verdicts that
 * finds none of this vocabulary's, an XMP export that skipped photos, a tag name of spaces.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultVocabularyFile } from '../../main/tags/vocabulary.js';
import { cli } from '../helpers/cli-main.js';
import { IMMICH_MODEL, PHOTOS, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';
import { shapesVocabulary } from './shapes.js';

const MODEL = ['--model', IMMICH_MODEL, '--provider', 'cpu'];
const sha = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');

describe('tagging commands that refuse rather than do harm', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let data: string;
  let files: string[];
  let shapesFile: string;
  let star: string;

  beforeAll(async () => {
    scratch = await tempDir();
    data = path.join(scratch.dir, 'data');
    shapesFile = path.join(scratch.dir, 'shapes.json');
    await writeFile(shapesFile, JSON.stringify(shapesVocabulary()));
    files = await copyPhotos((await fixturePhotos()).filter((_, i) => i % 10 === 0), path.join(scratch.dir, 'Photos'));
    expect((await cli('index', '--data', data, ...MODEL, path.join(scratch.dir, 'Photos'))).code).toBe(0);
    expect((await cli('tag', '--data', data, '--provider', 'cpu', '--vocabulary', shapesFile)).code).toBe(0);
    star = files.find((file) => path.basename(file).startsWith('star-')) as string;
    const circle = files.find((file) => path.basename(file).startsWith('circle-')) as string;
    expect((await cli('tags', '--data', data, '--confirm', 'star', star)).code).toBe(0);
    expect((await cli('tags', '--data', data, '--reject', 'star', circle)).code).toBe(0);
  });
  afterAll(() => scratch.cleanup());

  it('vocabulary --export never writes over a photo, nor anything in the data folder, and says why with exit 2', async () => {
    const photo = files[0] as string;
    const before = await sha(photo);
    const library = path.join(data, 'library.db');
    const libraryBefore = await sha(library);
    const link = path.join(scratch.dir, 'into-data.json');
    await symlink(library, link);
    const otherJson = path.join(scratch.dir, 'settings.json');
    await writeFile(otherJson, '{"theme": "dark"}\n');
    for (const [target, message] of [
      [photo, /^lumen vocabulary: Cannot write the vocabulary to .*\.jpg: a file is there that is not a vocabulary, and an export replaces only an earlier one\. Nothing was written; name a new file\.\n$/],
      [library, /^lumen vocabulary: Cannot write the vocabulary to .*library\.db: it is in Lumen's data folder \(.*data\), which holds the library\. Name a file outside it\.\n$/],
      [otherJson, /settings\.json: a file is there that is not a vocabulary/],
      [path.join(data, 'vocabulary.json'), /it is in Lumen's data folder/],
      [link, /it is in Lumen's data folder/],
    ] as const) {
      const refused = await cli('vocabulary', '--data', data, '--export', target);
      expect({ target, code: refused.code }).toEqual({ target, code: 2 });
      expect(refused.stderr).toMatch(message);
    }
    expect(await sha(photo)).toBe(before);
    expect(await sha(library)).toBe(libraryBefore);
    expect(await readFile(otherJson, 'utf8')).toBe('{"theme": "dark"}\n');
    expect(existsSync(path.join(data, 'vocabulary.json'))).toBe(false);
    expect((await cli('status', '--data', data)).code).toBe(0);
  });

  it('vocabulary --export replaces an earlier export, or an empty file', async () => {
    const earlier = path.join(scratch.dir, 'earlier.json');
    await writeFile(earlier, JSON.stringify({ templates: ['a {}.'], tags: [{ name: 'old', prompts: ['old'] }] }));
    const empty = path.join(scratch.dir, 'empty.json');
    await writeFile(empty, '');
    for (const file of [earlier, empty]) {
      expect((await cli('vocabulary', '--data', data, '--export', file)).code).toBe(0);
      expect(JSON.parse(await readFile(file, 'utf8')).tags.map((tag: { name: string }) => tag.name)).toContain('star');
    }
  });

  it('vocabulary --export - writes the vocabulary file to standard output, not to a file named "-"', async () => {
    const cwd = process.cwd();
    const here = path.join(scratch.dir, 'here');
    await mkdir(here);
    process.chdir(here);
    try {
      const printed = await cli('vocabulary', '--data', data, '--export', '-');
      expect(printed.code).toBe(0);
      expect(existsSync(path.join(here, '-'))).toBe(false);
      expect(printed.stdout).toBe(`${JSON.stringify(shapesVocabulary(), null, 2)}\n`);
    } finally {
      process.chdir(cwd);
    }
  });

  it('eval-zeroshot refuses --template with no template in it before embedding any photo', async () => {
    for (const template of ['|', ' ', ' | ']) {
      const refused = await cli('eval-zeroshot', '--data', data, ...MODEL, '--vocabulary', shapesFile, '--template', template, path.join(PHOTOS, 'shapes'));
      expect({ template, code: refused.code }).toEqual({ template, code: 2 });
      expect(refused.stderr).toBe(`lumen eval-zeroshot: --template "${template}" holds no template: give one or more, each with {} where the tag goes, separated by | (e.g. --template "a photo of a {}.").\n`);
    }
  });

  it('eval-zeroshot --labelled applies --template, and refuses a wrong one', async () => {
    const wrong = await cli('eval-zeroshot', '--data', data, '--provider', 'cpu', '--labelled', '--template', 'no slot');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^lumen eval-zeroshot: The template “no slot” must contain \{\} exactly once/);
    const oneTemplate = path.join(scratch.dir, 'one-template.json');
    await writeFile(oneTemplate, JSON.stringify({ ...shapesVocabulary(), templates: ['a {}.'] }));
    const templated = await cli('eval-zeroshot', '--data', data, '--provider', 'cpu', '--labelled', '--template', 'a {}.', '--json');
    const sameByFile = await cli('eval-zeroshot', '--data', data, '--provider', 'cpu', '--labelled', '--vocabulary', oneTemplate, '--json');
    expect(templated.code).toBe(0);
    expect(JSON.parse(templated.stdout)).toEqual(JSON.parse(sameByFile.stdout));
    expect((await cli('eval-zeroshot', '--help')).stdout).toMatch(/--vocabulary and --template apply there too/);
  });

  it('eval-zeroshot --labelled with a vocabulary lacking the tags judged says so, naming them', async () => {
    const result = await cli('eval-zeroshot', '--data', data, '--provider', 'cpu', '--labelled', '--vocabulary', defaultVocabularyFile());
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('None of the library’s 2 confirmed or rejected tags are tags of this vocabulary: they are on "star". Give a vocabulary that has those tags, or leave out --vocabulary to use the library’s.\n');
  });

  it('eval-zeroshot --labelled measures a verdict on its tag whatever its case, and says a tag switched off as that', async () => {
    const shapes = shapesVocabulary();
    const written = async (tags: typeof shapes.tags) => {
      const file = path.join(scratch.dir, `labelled-${Math.random()}.json`);
      await writeFile(file, JSON.stringify({ ...shapes, tags }));
      return file;
    };
    const capitalised = await written(shapes.tags.map((tag) => (tag.name === 'star' ? { ...tag, name: 'Star' } : tag)));
    const measured = await cli('eval-zeroshot', '--data', data, '--provider', 'cpu', '--labelled', '--vocabulary', capitalised, '--json');
    expect(measured.code).toBe(0);
    expect(JSON.parse(measured.stdout)).toMatchObject({ confirmed: 1, rejected: 1, perTag: { Star: expect.any(Object) } });
    const switchedOff = await written(shapes.tags.map((tag) => (tag.name === 'star' ? { ...tag, enabled: false } : tag)));
    const off = await cli('eval-zeroshot', '--data', data, '--provider', 'cpu', '--labelled', '--vocabulary', switchedOff);
    expect(off.code).toBe(0);
    expect(off.stdout).toBe('None of the library’s 2 confirmed or rejected tags could be measured: the vocabulary has "star" switched off, or their photos are not indexed with this model yet (run `index`).\n');
  });

  it('tags --export-xmp exits 1 when a photo was out of reach, and lists a sidecar it left alone with exit 0, as index runs do', async () => {
    // The photo confirmed a star: it has a tag to write.
    const sidecar = `${star}.xmp`;
    await rm(sidecar, { force: true });
    await mkdir(sidecar);
    try {
      const result = await cli('tags', '--data', data, '--export-xmp', star);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^XMP sidecars: 0 written, 0 unchanged, 1 skipped\.\n {2}skipped .*: it is a folder/);
    } finally {
      await rm(sidecar, { recursive: true });
    }
    const away = `${star}.away`;
    await rename(star, away);
    try {
      const result = await cli('tags', '--data', data, '--export-xmp', star);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^XMP sidecars: 0 written, 0 unchanged, 1 skipped\.\n {2}skipped .*the photo is no longer there; index the library again/);
    } finally {
      await rename(away, star);
    }
    expect((await cli('tags', '--data', data, '--export-xmp', star)).code).toBe(0);
  });

  it('tags --confirm "   " says the tag name is empty', async () => {
    for (const action of ['--confirm', '--reject', '--clear']) {
      const result = await cli('tags', '--data', data, action, '   ', '1');
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(`lumen tags: ${action} was given an empty tag name: give the tag, e.g. ${action} dog.\n`);
    }
  });

  it('tags --confirm finds a tag by its name typed decomposed (NFD), as the vocabulary has it composed', async () => {
    const withCafe = path.join(scratch.dir, 'cafe.json');
    const shapes = shapesVocabulary();
    await writeFile(withCafe, JSON.stringify({ ...shapes, tags: [...shapes.tags, { name: 'caf\u00e9', prompts: ['cafe'] }] }));
    expect((await cli('vocabulary', '--data', data, '--import', withCafe)).code).toBe(0);
    const confirmed = await cli('tags', '--data', data, '--confirm', 'cafe\u0301', '--json', star);
    expect(confirmed.code).toBe(0);
    expect(JSON.parse(confirmed.stdout).photos[0].tags).toContainEqual(expect.objectContaining({ tag: 'caf\u00e9', source: 'person' }));
  });
});
