import { sidecar } from 'exifr';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wellFormedError } from '../../main/tags/xml-check.js';
import { buildSidecar, mergeSidecar, sidecarPath, writeSidecar } from '../../main/tags/xmp.js';
import { tempDir } from '../helpers/fixtures.js';

/** A darktable-style sidecar: attributes, a history sequence, a person's own keywords, and one of Lumen's. */
const DARKTABLE = `<?xml version="1.0" encoding="UTF-8"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 4.4.0-Exiv2">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/"
    xmlns:darktable="http://darktable.sf.net/"
    xmp:Rating="3"
    darktable:history_end="2">
   <darktable:history>
    <rdf:Seq>
     <rdf:li darktable:operation="exposure" darktable:enabled="1"/>
     <rdf:li darktable:operation="colorin" darktable:enabled="1"/>
    </rdf:Seq>
   </darktable:history>
   <dc:subject>
    <rdf:Bag>
     <rdf:li>holiday</rdf:li>
     <rdf:li>cat</rdf:li>
    </rdf:Bag>
   </dc:subject>
   <lr:hierarchicalSubject>
    <rdf:Bag>
     <rdf:li>Places|Lisbon</rdf:li>
     <rdf:li>Lumen|cat</rdf:li>
    </rdf:Bag>
   </lr:hierarchicalSubject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
`;

const LIGHTROOM = `<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Adobe XMP Core 7.0-c000">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/"
    xmp:Rating="4"
    crs:Exposure2012="+0.35"/>
 </rdf:RDF>
</x:xmpmeta>
`;

/** A digiKam sidecar: its own tag list (an rdf:Seq of `/` paths) beside the Lightroom one, and one of Lumen's keywords in both. */
const DIGIKAM = `<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 4.4.0-Exiv2">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:digiKam="http://www.digikam.org/ns/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/">
   <digiKam:TagsList>
    <rdf:Seq>
     <rdf:li>Places/Lisbon</rdf:li>
     <rdf:li>Lumen/cat</rdf:li>
    </rdf:Seq>
   </digiKam:TagsList>
   <dc:subject>
    <rdf:Bag>
     <rdf:li>Lisbon</rdf:li>
     <rdf:li>cat</rdf:li>
    </rdf:Bag>
   </dc:subject>
   <lr:hierarchicalSubject>
    <rdf:Bag>
     <rdf:li>Places|Lisbon</rdf:li>
     <rdf:li>Lumen|cat</rdf:li>
    </rdf:Bag>
   </lr:hierarchicalSubject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
`;

/** A sidecar of Lumen's `cat`, where the person later gave the photo `Animals|cat` and `Pets/cat` in other apps: one flat `cat` for all three. */
const SHARED_CAT = `<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/">
   <dc:subject>
    <rdf:Bag>
     <rdf:li>cat</rdf:li>
     <rdf:li>dog</rdf:li>
    </rdf:Bag>
   </dc:subject>
   <lr:hierarchicalSubject>
    <rdf:Bag>
     <rdf:li>Lumen|cat</rdf:li>
     <rdf:li>Animals|cat</rdf:li>
     <rdf:li>Lumen|dog</rdf:li>
    </rdf:Bag>
   </lr:hierarchicalSubject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
`;

const asList = (value: unknown) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

describe('XMP sidecars', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    scratch = await tempDir();
  });
  afterAll(() => scratch.cleanup());

  const read = async (file: string) => {
    const parsed = (await sidecar(file)) as Record<string, Record<string, unknown>>;
    return { parsed, subject: asList(parsed['dc']?.['subject']), hierarchy: asList(parsed['lr']?.['hierarchicalSubject']) };
  };

  it('names sidecars in both styles', () => {
    expect(sidecarPath('/p/IMG_1.JPG', 'jpg.xmp')).toBe('/p/IMG_1.JPG.xmp');
    expect(sidecarPath('/p/IMG_1.JPG', 'xmp')).toBe(path.join('/p', 'IMG_1.xmp'));
    expect(sidecarPath('/p/archive.tar.png', 'xmp')).toBe(path.join('/p', 'archive.tar.xmp'));
  });

  it('writes a new sidecar exifr reads as dc:subject and lr:hierarchicalSubject', async () => {
    const file = path.join(scratch.dir, 'new.jpg.xmp');
    expect(await writeSidecar(file, ['dog', 'beach'])).toBe('written');
    const { subject, hierarchy } = await read(file);
    expect(subject).toEqual(['dog', 'beach']);
    expect(hierarchy).toEqual(['Lumen|dog', 'Lumen|beach']);
    expect(await writeSidecar(file, ['dog', 'beach'])).toBe('unchanged');
    expect(await writeSidecar(path.join(scratch.dir, 'none.jpg.xmp'), [])).toBe('without tags');
    // Markup in a tag name is escaped, and recognised again on the next export.
    const odd = path.join(scratch.dir, 'odd.xmp');
    await writeFile(odd, buildSidecar(['R&D <lab>']));
    expect(await readFile(odd, 'utf8')).toContain('<rdf:li>R&amp;D &lt;lab&gt;</rdf:li>');
    expect(await writeSidecar(odd, ['R&D <lab>'])).toBe('unchanged');
  });

  it('merges into an existing sidecar, keeping everything else and the person’s keywords', async () => {
    const file = path.join(scratch.dir, 'darktable.jpg.xmp');
    await writeFile(file, DARKTABLE);
    expect(await writeSidecar(file, ['dog', 'beach', 'holiday'])).toBe('written');
    const text = await readFile(file, 'utf8');
    const { parsed, subject, hierarchy } = await read(file);
    // cat was Lumen's (it has a Lumen|cat entry) and is no longer a tag: gone. holiday was the
    // person's before Lumen tagged it too, so it stays theirs (no Lumen|holiday).
    expect(subject).toEqual(['holiday', 'dog', 'beach']);
    expect(hierarchy).toEqual(['Places|Lisbon', 'Lumen|dog', 'Lumen|beach']);
    expect(parsed['xmp']).toMatchObject({ Rating: 3 });
    // Outside the two bags, not a byte changed.
    const before = DARKTABLE.slice(0, DARKTABLE.indexOf('<dc:subject>'));
    expect(text.startsWith(before)).toBe(true);
    expect(text.endsWith(DARKTABLE.slice(DARKTABLE.indexOf('  </rdf:Description>')))).toBe(true);
    expect(await writeSidecar(file, ['dog', 'beach', 'holiday'])).toBe('unchanged');

    // A tag rejected later is taken out again; the person's keyword stays even if Lumen drops it.
    expect(await writeSidecar(file, ['beach'])).toBe('written');
    const after = await read(file);
    expect(after.subject).toEqual(['holiday', 'beach']);
    expect(after.hierarchy).toEqual(['Places|Lisbon', 'Lumen|beach']);
  });

  it('keeps digiKam’s tag list in step with Lumen’s keywords where a sidecar has one, and never adds one', async () => {
    const file = path.join(scratch.dir, 'digikam.jpg.xmp');
    await writeFile(file, DIGIKAM);
    // cat was Lumen's and is no longer a tag; dog is new: both lists change alike (Note [digiKam's tag list]).
    expect(await writeSidecar(file, ['dog'])).toBe('written');
    const { parsed, subject, hierarchy } = await read(file);
    expect(subject).toEqual(['Lisbon', 'dog']);
    expect(hierarchy).toEqual(['Places|Lisbon', 'Lumen|dog']);
    expect(asList(parsed['digiKam']?.['TagsList'])).toEqual(['Places/Lisbon', 'Lumen/dog']);
    // digiKam's list stays the rdf:Seq it was.
    const text = await readFile(file, 'utf8');
    expect(text).toContain('<digiKam:TagsList>\n    <rdf:Seq>\n     <rdf:li>Places/Lisbon</rdf:li>\n     <rdf:li>Lumen/dog</rdf:li>\n    </rdf:Seq>');
    expect(await writeSidecar(file, ['dog'])).toBe('unchanged');
    expect(await writeSidecar(file, [])).toBe('written');
    expect(asList((await read(file)).parsed['digiKam']?.['TagsList'])).toEqual(['Places/Lisbon']);

    // A sidecar without digiKam's list gets none.
    const plain = path.join(scratch.dir, 'plain.jpg.xmp');
    await writeFile(plain, DARKTABLE);
    expect(await writeSidecar(plain, ['dog'])).toBe('written');
    expect(await readFile(plain, 'utf8')).not.toContain('TagsList');
    expect(buildSidecar(['dog'])).not.toContain('TagsList');
  });

  it('writes a tag with "/" into digiKam’s list as it is, and knows the entry as its own again', () => {
    // digiKam shows it as `sea` under `Lumen/sky`, as it would from lr:hierarchicalSubject (Note [digiKam's tag list]).
    const merged = mergeSidecar(DIGIKAM, ['sky/sea']);
    if (!('xml' in merged)) throw new Error(merged.error);
    expect(merged.xml).toContain('<rdf:li>Lumen/sky/sea</rdf:li>');
    expect(merged.xml).toContain('<rdf:li>Lumen|sky/sea</rdf:li>');
    expect(merged.xml).toContain('<rdf:li>sky/sea</rdf:li>');
    expect(mergeSidecar(merged.xml, ['sky/sea'])).toEqual({ xml: merged.xml, changed: false });
    const dropped = mergeSidecar(merged.xml, []);
    if (!('xml' in dropped)) throw new Error(dropped.error);
    expect(dropped.xml).not.toContain('sky');
  });

  it('takes out a keyword Lumen no longer gives the photo, but not the flat keyword another app’s hierarchical keyword shares', () => {
    // cat and dog are no longer tags of the photo (deleted or rejected): Lumen's entries go.
    const merged = mergeSidecar(SHARED_CAT, []);
    if (!('xml' in merged)) throw new Error(merged.error);
    expect(merged.xml).not.toContain('Lumen|');
    expect(merged.xml).not.toContain('<rdf:li>dog</rdf:li>');
    // The flat cat is Animals|cat's as well, so it stays (Note [Shared flat keywords]).
    expect(merged.xml).toContain('<rdf:li>cat</rdf:li>');
    expect(merged.xml).toContain('<rdf:li>Animals|cat</rdf:li>');
    // So does one a digiKam path holds at any level.
    const digiKam = SHARED_CAT.replace('xmlns:lr=', 'xmlns:digiKam="http://www.digikam.org/ns/1.0/"\n    xmlns:lr=')
      .replace('<rdf:li>Animals|cat</rdf:li>', '')
      .replace('   <lr:hierarchicalSubject>', '   <digiKam:TagsList><rdf:Seq><rdf:li>Pets/cat/Tom</rdf:li></rdf:Seq></digiKam:TagsList>\n   <lr:hierarchicalSubject>');
    const kept = mergeSidecar(digiKam, []);
    if (!('xml' in kept)) throw new Error(kept.error);
    expect(kept.xml).toContain('<rdf:li>cat</rdf:li>');
    expect(kept.xml).not.toContain('Lumen|cat');
  });

  it('adds keyword bags and namespaces to a sidecar without them', async () => {
    const file = path.join(scratch.dir, 'IMG_2.xmp');
    await writeFile(file, LIGHTROOM);
    expect(await writeSidecar(file, ['sunset'])).toBe('written');
    const { parsed, subject, hierarchy } = await read(file);
    expect(subject).toEqual(['sunset']);
    expect(hierarchy).toEqual(['Lumen|sunset']);
    expect(parsed['xmp']).toMatchObject({ Rating: 4 });
    expect(parsed['crs']).toMatchObject({ Exposure2012: expect.anything() });
    expect(await readFile(file, 'utf8')).toContain('crs:Exposure2012="+0.35"');
  });

  it('declares a namespace where the new bag goes when another Description holds it', () => {
    const split = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:lr="http://ns.adobe.com/lightroom/1.0/"><lr:hierarchicalSubject><rdf:Bag><rdf:li>A|b</rdf:li></rdf:Bag></lr:hierarchicalSubject></rdf:Description>
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title><rdf:Alt><rdf:li xml:lang="x-default">T</rdf:li></rdf:Alt></dc:title></rdf:Description>
</rdf:RDF></x:xmpmeta>`;
    const merged = mergeSidecar(split, ['dog']);
    if (!('xml' in merged)) throw new Error(merged.error);
    const first = merged.xml.slice(0, merged.xml.indexOf('</rdf:Description>'));
    expect(first).toContain('xmlns:dc="http://purl.org/dc/elements/1.1/"');
    expect(first).toContain('<dc:subject>');
    expect(merged.xml).toContain('<rdf:li xml:lang="x-default">T</rdf:li>');
  });

  it('puts a missing keyword bag beside the other, never into a nested struct such as a face region', () => {
    const faces = `<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/">
   <mwg-rs:Regions rdf:parseType="Resource">
    <mwg-rs:RegionList>
     <rdf:Bag>
      <rdf:li>
       <rdf:Description mwg-rs:Name="Alice" mwg-rs:Type="Face"/>
      </rdf:li>
      <rdf:li>
       <rdf:Description mwg-rs:Name="Bob" mwg-rs:Type="Face">
        <mwg-rs:Rotation>0</mwg-rs:Rotation>
       </rdf:Description>
      </rdf:li>
     </rdf:Bag>
    </mwg-rs:RegionList>
   </mwg-rs:Regions>
   <dc:subject>
    <rdf:Bag>
     <rdf:li>holiday</rdf:li>
    </rdf:Bag>
   </dc:subject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
`;
    const merged = mergeSidecar(faces, ['dog']);
    if (!('xml' in merged)) throw new Error(merged.error);
    expect(wellFormedError(merged.xml)).toBeNull();
    // The faces are as they were; the new bag and its namespace are the photo's own Description's.
    const regions = faces.slice(faces.indexOf('   <mwg-rs:Regions'), faces.indexOf('   <dc:subject>'));
    expect(merged.xml).toContain(regions);
    const own = merged.xml.slice(0, merged.xml.indexOf('<mwg-rs:Regions'));
    expect(own).toContain('xmlns:lr="http://ns.adobe.com/lightroom/1.0/"');
    expect(own).toContain('<lr:hierarchicalSubject>');
    expect(own).toContain('<rdf:li>Lumen|dog</rdf:li>');
  });

  it('leaves alone a sidecar whose keywords are an attribute, where a list beside it would say the property twice', async () => {
    const file = path.join(scratch.dir, 'attribute.xmp');
    const xml = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" dc:subject="holiday"/></rdf:RDF></x:xmpmeta>`;
    await writeFile(file, xml);
    expect(await writeSidecar(file, ['dog'])).toEqual({ skipped: expect.stringMatching(/left alone: its keyword list dc:subject is an attribute, not an rdf:Bag or rdf:Seq/) });
    expect(await readFile(file, 'utf8')).toBe(xml);
  });

  it('leaves a file that is not XMP alone', async () => {
    const file = path.join(scratch.dir, 'notes.xmp');
    await writeFile(file, 'my notes about this photo');
    const outcome = await writeSidecar(file, ['dog']);
    expect(outcome).toEqual({ skipped: expect.stringMatching(/left alone: it has no RDF data/) });
    expect(await readFile(file, 'utf8')).toBe('my notes about this photo');
  });
});

/**
 * A sidecar where markup shows up as mere text (Note [Searching past comments] in xml-markup.ts):
 * `aside` is put before the photo's own Description, whose keyword list is `subject` (none if empty).
 */
const withAside = (aside: string, subject = '') => `<?xml version="1.0" encoding="UTF-8"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  ${aside}
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmp:Rating="2">${subject ? `\n   ${subject}` : ''}
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
`;

const FAKE_SUBJECT = '<dc:subject><rdf:Bag><rdf:li>fake</rdf:li></rdf:Bag></dc:subject>';

describe('XMP sidecars with comments, CDATA sections and processing instructions', () => {
  /** The merge of `tags` into `xml`, checked to hold `aside` once and as it was, and to be well-formed; less `aside`. */
  const mergedAround = (xml: string, tags: string[], aside: string) => {
    const merged = mergeSidecar(xml, tags);
    if (!('xml' in merged)) throw new Error(merged.error);
    expect(wellFormedError(merged.xml)).toBeNull();
    expect(merged.xml.split(aside)).toHaveLength(2);
    return { ...merged, outside: merged.xml.replace(aside, '') };
  };
  const subjectOf = (xml: string) => /<dc:subject>([\s\S]*?)<\/dc:subject>/.exec(xml)?.[1] ?? '';

  it('puts a keyword into the real dc:subject, never into a comment that looks like one, which stays byte for byte', async () => {
    const comment = `<!-- ${FAKE_SUBJECT} -->`;
    // No real dc:subject: one is added to the Description.
    const fresh = mergedAround(withAside(comment), ['sea'], comment);
    expect(subjectOf(fresh.outside)).toContain('<rdf:li>sea</rdf:li>');
    expect(fresh.outside).toContain('<rdf:li>Lumen|sea</rdf:li>');
    expect(mergeSidecar(fresh.xml, ['sea'])).toEqual({ xml: fresh.xml, changed: false });
    // A real one after the commented one gets the keyword beside the person's own.
    const real = mergedAround(withAside(comment, '<dc:subject><rdf:Bag><rdf:li>holiday</rdf:li></rdf:Bag></dc:subject>'), ['sea'], comment);
    expect(subjectOf(real.outside)).toMatch(/<rdf:li>holiday<\/rdf:li>\s*<rdf:li>sea<\/rdf:li>/);
    // And through a file, as `lumen tags --export-xmp` writes it.
    const scratch = await tempDir();
    try {
      const file = path.join(scratch.dir, 'p011.jpg.xmp');
      await writeFile(file, withAside(comment));
      expect(await writeSidecar(file, ['sea'])).toBe('written');
      const text = await readFile(file, 'utf8');
      expect(text).toContain(`\n  ${comment}\n`);
      expect(subjectOf(text.replace(comment, ''))).toContain('<rdf:li>sea</rdf:li>');
      expect(await writeSidecar(file, ['sea'])).toBe('unchanged');
    } finally {
      await scratch.cleanup();
    }
  });

  it('finds the photo’s own Description past one in a comment', () => {
    const comment = '<!-- <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"> -->';
    const merged = mergedAround(withAside(comment), ['sea'], comment);
    const own = merged.outside.slice(merged.outside.indexOf('<rdf:Description'));
    expect(subjectOf(own)).toContain('<rdf:li>sea</rdf:li>');
  });

  it('keeps a comment inside a keyword list, and an item commented out stays out', () => {
    const comment = '<!-- <rdf:li>old</rdf:li> -->';
    const merged = mergedAround(withAside('', `<dc:subject><rdf:Bag>${comment}<rdf:li>holiday</rdf:li></rdf:Bag></dc:subject>`), ['sea'], comment);
    expect(subjectOf(merged.xml)).toMatch(/<!-- <rdf:li>old<\/rdf:li> -->\s*<rdf:li>holiday<\/rdf:li>\s*<rdf:li>sea<\/rdf:li>/);
    expect(merged.outside).not.toContain('old');
  });

  it.each([
    ['a CDATA section', `<dc:description><rdf:Alt><rdf:li xml:lang="x-default"><![CDATA[Tag with ${FAKE_SUBJECT}]]></rdf:li></rdf:Alt></dc:description>`],
    ['a processing instruction', `<?note ${FAKE_SUBJECT}?>`],
  ])('never puts a keyword into %s that looks like a keyword list', (_, aside) => {
    const holder = aside.startsWith('<dc:') ? `<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">${aside}</rdf:Description>` : aside;
    const merged = mergedAround(withAside(holder), ['sea'], aside);
    expect(subjectOf(merged.outside)).toContain('<rdf:li>sea</rdf:li>');
    expect(mergeSidecar(merged.xml, ['sea'])).toEqual({ xml: merged.xml, changed: false });
  });

  it('reads namespace prefixes from declarations, not from a comment that mentions one', () => {
    const comment = '<!-- was: xmlns:old="http://purl.org/dc/elements/1.1/" xmlns:r="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:lr="urn:other" -->';
    const merged = mergedAround(withAside(comment, '<dc:subject><rdf:Bag><rdf:li>holiday</rdf:li></rdf:Bag></dc:subject>'), ['sea'], comment);
    expect(subjectOf(merged.outside)).toMatch(/<rdf:li>holiday<\/rdf:li>\s*<rdf:li>sea<\/rdf:li>/);
    expect(merged.outside).not.toMatch(/old:|lumenlr|<r:/);
    expect(merged.outside).toContain('<lr:hierarchicalSubject>');
  });
});
