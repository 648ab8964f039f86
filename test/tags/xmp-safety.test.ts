/**
 * XMP export never writes a sidecar that is not well-formed XML, never damages a person's
 * existing sidecar, and cleans up the temporary files a killed export left behind.
 */
import { chmod, lstat, mkdir, open, readdir, readFile, stat, symlink, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseVocabulary } from '../../main/tags/vocabulary.js';
import { forbiddenCharacter, wellFormedError } from '../../main/tags/xml-check.js';
import { buildSidecar, mergeSidecar, writeSidecar } from '../../main/tags/xmp.js';
import { tempDir } from '../helpers/fixtures.js';

const EXISTING = `<?xml version="1.0" encoding="UTF-8"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="5">
   <dc:subject><rdf:Bag><rdf:li>mine</rdf:li></rdf:Bag></dc:subject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
`;

describe('the well-formedness check', () => {
  it('accepts what Lumen writes and real sidecars', () => {
    expect(wellFormedError(buildSidecar(['dog', 'R&D <lab>', 'café', '"quoted"']))).toBeNull();
    expect(wellFormedError(EXISTING)).toBeNull();
    expect(wellFormedError('<a><!-- note --><![CDATA[x < y]]><?pi data?><b c="&#x41;&amp;"/>tail</a>\n')).toBeNull();
  });

  it('accepts every sidecar built from tags XML can hold, and merged into a real one', () => {
    const tag = fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }).filter((text) => forbiddenCharacter(text) === null);
    fc.assert(
      fc.property(fc.array(tag, { maxLength: 6 }), (tags) => {
        expect(wellFormedError(buildSidecar(tags))).toBeNull();
        const merged = mergeSidecar(EXISTING, tags);
        expect('xml' in merged && wellFormedError(merged.xml)).toBeNull();
      }),
    );
  });

  const broken: Array<[string, string, RegExp]> = [
    ['a NUL character', '<a>x\u0000y</a>', /character U\+0000/],
    ['a control character', '<a b="\u0007"/>', /character U\+0007/],
    ['a reference to a character XML forbids', '<a>&#1;</a>', /&#1;/],
    ['an undefined entity', '<a>&nbsp;</a>', /&nbsp;/],
    ['a bare ampersand', '<a>R&D</a>', /&/],
    ['a < in an attribute', '<a b="<"/>', /</],
    ['mismatched tags', '<a><b></a></b>', /<\/a>.*<b>|expected <\/b>/],
    ['an unclosed element', '<a><b></b>', /not closed|end/],
    ['two root elements', '<a/><b/>', /second root|after the root/],
    ['text outside the root', '<a/>text', /after the root|outside/],
    ['a repeated attribute', '<a b="1" b="2"/>', /twice|repeated/],
    ['an undeclared prefix', '<x:a/>', /prefix "x"/],
    ['a DOCTYPE', '<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', /DOCTYPE/],
    [']]> in text', '<a>]]></a>', /\]\]>/],
    ['a comment with --', '<a><!-- a -- b --></a>', /--/],
    ['nothing at all', '  ', /no root element/],
  ];
  for (const [what, xml, reason] of broken) {
    it(`refuses ${what}`, () => {
      expect(wellFormedError(xml)).toMatch(reason);
    });
  }
});

describe('writing sidecars safely', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  beforeEach(async () => (scratch = await tempDir()));
  afterEach(() => scratch.cleanup());

  const leftovers = async () => (await readdir(scratch.dir)).filter((name) => name.endsWith('.tmp'));

  for (const [what, tag] of [
    ['a NUL', 'bad\u0000tag'],
    ['a control character', 'bell\u0007'],
    ['a lone surrogate', 'half\uD800'],
    ['a non-character', 'not\uFFFE'],
  ] as const) {
    it(`never writes a tag with ${what}, neither into a new sidecar nor into a person's own`, async () => {
      const fresh = path.join(scratch.dir, 'new.jpg.xmp');
      expect(await writeSidecar(fresh, ['dog', tag])).toEqual({ skipped: expect.stringMatching(/cannot hold/) });
      await expect(stat(fresh)).rejects.toMatchObject({ code: 'ENOENT' });

      const own = path.join(scratch.dir, 'own.jpg.xmp');
      await writeFile(own, EXISTING);
      expect(await writeSidecar(own, ['dog', tag])).toEqual({ skipped: expect.stringMatching(/cannot hold/) });
      expect(await readFile(own, 'utf8')).toBe(EXISTING);
      expect(await leftovers()).toEqual([]);
    });
  }

  it('leaves a sidecar alone when the edited text would not be well-formed, a reference beyond Unicode too', async () => {
    const own = path.join(scratch.dir, 'broken.jpg.xmp');
    // Already damaged by some other program: merging into it would keep the damage.
    for (const damage of ['mine & yours', '&#x110000;', '&#1114112;']) {
      const damaged = EXISTING.replace('<rdf:li>mine</rdf:li>', `<rdf:li>${damage}</rdf:li>`);
      await writeFile(own, damaged);
      expect(await writeSidecar(own, ['dog'])).toEqual({ skipped: expect.stringMatching(/left alone: .*would not be well-formed XML/) });
      expect(await readFile(own, 'utf8')).toBe(damaged);
      expect(await leftovers()).toEqual([]);
    }
  });

  it('leaves a sidecar that is not UTF-8 alone rather than write its characters back as U+FFFD, and keeps a byte order mark', async () => {
    const latin1 = path.join(scratch.dir, 'latin1.jpg.xmp');
    const bytes = Buffer.from(EXISTING.replace('<rdf:li>mine</rdf:li>', '<rdf:li>café</rdf:li>'), 'latin1');
    await writeFile(latin1, bytes);
    expect(await writeSidecar(latin1, ['dog'])).toEqual({ skipped: expect.stringMatching(/left alone: it is not UTF-8 text/) });
    expect((await readFile(latin1)).equals(bytes)).toBe(true);
    const marked = path.join(scratch.dir, 'marked.jpg.xmp');
    await writeFile(marked, `\uFEFF${EXISTING}`);
    expect(await writeSidecar(marked, ['dog'])).toBe('written');
    expect((await readFile(marked, 'utf8')).startsWith('\uFEFF<?xml')).toBe(true);
    expect(await leftovers()).toEqual([]);
  });

  it('says in words why a sidecar could not be read, not in the system’s ("EISDIR: illegal operation on a directory, read")', async () => {
    const folder = path.join(scratch.dir, 'folder.jpg.xmp');
    await mkdir(folder);
    expect(await writeSidecar(folder, ['dog'])).toEqual({ skipped: `cannot read ${folder}: it is a folder` });
    expect(await leftovers()).toEqual([]);
  });

  it('keeps a sidecar’s permissions, and syncs the new file to the disk before it replaces the old one', async () => {
    const own = path.join(scratch.dir, 'private.jpg.xmp');
    await writeFile(own, EXISTING);
    await chmod(own, 0o600);
    const probe = await open(own, 'r');
    const sync = vi.spyOn(Object.getPrototypeOf(probe) as FileHandle, 'sync');
    await probe.close();
    try {
      expect(await writeSidecar(own, ['dog'])).toBe('written');
      expect(sync).toHaveBeenCalledTimes(1);
    } finally {
      sync.mockRestore();
    }
    expect((await stat(own)).mode & 0o777).toBe(0o600);
    expect(await readFile(own, 'utf8')).toContain('<rdf:li>Lumen|dog</rdf:li>');
  });

  it('never replaces a read-only sidecar or a link, and says why when it would change them', async () => {
    const locked = path.join(scratch.dir, 'locked.jpg.xmp');
    await writeFile(locked, EXISTING);
    await chmod(locked, 0o444);
    expect(await writeSidecar(locked, ['dog'])).toEqual({ skipped: `${locked} was left alone: it is read-only; make it writable if Lumen may add keywords to it` });
    expect(await readFile(locked, 'utf8')).toBe(EXISTING);
    expect((await stat(locked)).mode & 0o777).toBe(0o444);
    // One that already holds what Lumen would write needs no change, and is no trouble.
    expect(await writeSidecar(locked, [])).toBe('unchanged');

    const target = path.join(scratch.dir, 'synced', 'linked.jpg.xmp');
    await mkdir(path.dirname(target));
    await writeFile(target, EXISTING);
    const link = path.join(scratch.dir, 'linked.jpg.xmp');
    await symlink(target, link);
    expect(await writeSidecar(link, ['dog'])).toEqual({ skipped: expect.stringMatching(/^.*linked\.jpg\.xmp was left alone: it is a link, which Lumen never replaces/) });
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readFile(target, 'utf8')).toBe(EXISTING);
    // A link to nothing is not taken for a missing sidecar either.
    const dangling = path.join(scratch.dir, 'dangling.jpg.xmp');
    await symlink(path.join(scratch.dir, 'gone.xmp'), dangling);
    expect(await writeSidecar(dangling, ['dog'])).toEqual({ skipped: expect.stringMatching(/it is a link/) });
    expect((await lstat(dangling)).isSymbolicLink()).toBe(true);
    expect(await leftovers()).toEqual([]);
  });

  it('removes temporary files a killed export left next to sidecars, and only those', async () => {
    const stale = ['IMG_1.jpg.xmp.0a1b2c3d.tmp', 'IMG_2.xmp.ffffffff.tmp'];
    for (const name of stale) await writeFile(path.join(scratch.dir, name), '<x:xmpmeta');
    const unrelated = ['notes.tmp', 'IMG_3.jpg.xmp.not-ours.tmp', 'IMG_4.jpg'];
    for (const name of unrelated) await writeFile(path.join(scratch.dir, name), 'keep');
    expect(await writeSidecar(path.join(scratch.dir, 'IMG_1.jpg.xmp'), ['dog'])).toBe('written');
    expect((await readdir(scratch.dir)).sort()).toEqual(['IMG_1.jpg.xmp', ...unrelated].sort());
  });
});

describe('vocabulary limits that keep sidecars and scoring sane', () => {
  const vocabulary = (tags: unknown[], templates = ['a photo of a {}.']) => ({ templates, tags });

  it('refuses control characters in tag names, prompts and templates', () => {
    expect(() => parseVocabulary(vocabulary([{ name: 'bad\u0000tag', prompts: ['x'] }]))).toThrow(/tag .*name must not contain control characters/);
    expect(() => parseVocabulary(vocabulary([{ name: 'ok', prompts: ['new\nline'] }]))).toThrow(/prompts\[0\] must not contain control characters/);
    expect(() => parseVocabulary(vocabulary([{ name: 'ok', prompts: ['x'] }], ['a \u001b[31m{}']))).toThrow(/templates\[0\] must not contain control characters/);
    expect(() => parseVocabulary(vocabulary([{ name: 'half\uD800', prompts: ['x'] }]))).toThrow(/name must not contain/);
  });

  it('refuses over-long prompts and too many tags', () => {
    expect(() => parseVocabulary(vocabulary([{ name: 'long', prompts: ['x'.repeat(1001)] }]))).toThrow(/at most 1000 characters/);
    const many = Array.from({ length: 5001 }, (_, i) => ({ name: `tag ${i}`, prompts: ['x'] }));
    expect(() => parseVocabulary(vocabulary(many))).toThrow(/at most 5000 tags/);
    expect(parseVocabulary(vocabulary(many.slice(0, 5000))).tags).toHaveLength(5000);
  });

  it('refuses more than 50,000 prompts to embed, each prompt counted in each template of its tag', () => {
    const templates = Array.from({ length: 100 }, (_, i) => `photo ${i} of {}`);
    const prompts = Array.from({ length: 100 }, (_, i) => `thing ${i}`);
    const tags = (count: number) => Array.from({ length: count }, (_, i) => ({ name: `tag ${i}`, prompts }));
    expect(parseVocabulary(vocabulary(tags(5), templates)).tags).toHaveLength(5);
    expect(() => parseVocabulary(vocabulary(tags(6), templates))).toThrow(/has 60,000 prompts to embed.*at most 50,000/);
    // A tag's own templates count instead of the global ones, and the background's prompts count in the global ones.
    expect(parseVocabulary(vocabulary([...tags(4), { name: 'own', prompts, templates: ['{}'] }], templates)).tags).toHaveLength(5);
    expect(() => parseVocabulary({ ...vocabulary([...tags(4), { name: 'own', prompts, templates: ['{}'] }], templates), background: prompts })).toThrow(/has 50,100 prompts/);
  });
});
