/**
 * Which sidecar an export writes a photo's tags into (Note [Whose sidecar] in xmp-export.ts): never
 * `IMG_1.xmp` when another file, such as a raw `IMG_1.CR2`, has that name too; and, in the default
 * style, an existing `IMG_1.xmp` that is the photo's alone rather than a second file beside it.
 */
import { copyFile, link, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../main/engine/engine.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { fixturePhotos } from '../helpers/library.js';

/** Lightroom's sidecar of a raw file: a rating and develop settings, no keywords. */
const LIGHTROOM = `<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Adobe XMP Core 7.0">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/" xmp:Rating="5" crs:Exposure2012="+0.50"/>
 </rdf:RDF>
</x:xmpmeta>
`;

describe('the sidecar an export writes', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let engine: Engine;
  let folder: string;
  /** Photo ids by file name. */
  const ids = new Map<string, number>();

  beforeAll(async () => {
    scratch = await tempDir();
    folder = path.join(scratch.dir, 'Pictures');
    const [first, second] = await fixturePhotos();
    await mkdir(folder);
    // IMG_1 was shot raw + JPEG (Lumen indexes only the JPEG), and Lightroom wrote the raw file's sidecar.
    await copyFile(first!.file, path.join(folder, 'IMG_1.jpg'));
    await writeFile(path.join(folder, 'IMG_1.CR2'), 'raw bytes');
    await writeFile(path.join(folder, 'IMG_1.xmp'), LIGHTROOM);
    // IMG_2 is a JPEG alone, whose sidecar another app named IMG_2.xmp.
    await copyFile(second!.file, path.join(folder, 'IMG_2.jpg'));
    await writeFile(path.join(folder, 'IMG_2.xmp'), LIGHTROOM);
    engine = new Engine({ dataDir: path.join(scratch.dir, 'data'), model: IMMICH_MODEL });
    await (await engine.addFolders([folder])).indexing.done;
    for (const name of ['IMG_1.jpg', 'IMG_2.jpg']) ids.set(name, engine.library().resolvePhoto(path.join(folder, name)).photoId);
    await engine.giveVerdict([...ids.values()], 'dog', 'add');
  });
  afterAll(async () => {
    await engine.dispose();
    await scratch.cleanup();
  });

  const read = (name: string) => readFile(path.join(folder, name), 'utf8');

  it('leaves IMG_1.xmp to the raw file beside the JPEG in the xmp style, and says why', async () => {
    const summary = await engine.exportXmp({ style: 'xmp', photoIds: [ids.get('IMG_1.jpg')!] }).done;
    expect(summary).toMatchObject({ written: 0, unchanged: 0 });
    expect(summary.skipped).toEqual([{ path: path.join(folder, 'IMG_1.jpg'), reason: 'IMG_1.xmp is the sidecar of IMG_1.CR2 too, so Lumen leaves it alone; use the jpg.xmp sidecar style' }]);
    expect(await read('IMG_1.xmp')).toBe(LIGHTROOM);
  });

  it('writes IMG_1.jpg.xmp for a JPEG whose IMG_1.xmp is a raw file’s, in the default style', async () => {
    expect(await engine.exportXmp({ photoIds: [ids.get('IMG_1.jpg')!] }).done).toMatchObject({ written: 1, writtenAs: { 'jpg.xmp': 1, xmp: 0 }, skipped: [] });
    expect(await read('IMG_1.jpg.xmp')).toContain('<rdf:li>Lumen|dog</rdf:li>');
    expect(await read('IMG_1.xmp')).toBe(LIGHTROOM);
  });

  it('merges into the photo’s own IMG_2.xmp in the default style rather than write a second sidecar beside it, and counts it as the xmp style it is', async () => {
    // The style asked for stays in the summary; the file written is counted as the style it is (Note [Sidecars by style]).
    expect(await engine.exportXmp({ photoIds: [ids.get('IMG_2.jpg')!] }).done).toMatchObject({ style: 'jpg.xmp', written: 1, writtenAs: { 'jpg.xmp': 0, xmp: 1 }, skipped: [] });
    expect((await readdir(folder)).filter((name) => name.startsWith('IMG_2')).sort()).toEqual(['IMG_2.jpg', 'IMG_2.xmp']);
    const merged = await read('IMG_2.xmp');
    expect(merged).toContain('<rdf:li>Lumen|dog</rdf:li>');
    expect(merged).toContain('xmp:Rating="5" crs:Exposure2012="+0.50"');
    expect(await engine.exportXmp({ photoIds: [ids.get('IMG_2.jpg')!] }).done).toMatchObject({ written: 0, unchanged: 1 });
  });

  it('takes a tag the photo no longer has out of the sidecar an earlier export wrote', async () => {
    const photo = ids.get('IMG_2.jpg')!;
    await engine.giveVerdict([photo], 'cat', 'add');
    await engine.exportXmp({ photoIds: [photo] }).done;
    expect(await read('IMG_2.xmp')).toContain('<rdf:li>Lumen|cat</rdf:li>');
    // Withdrawn, and not in the vocabulary, cat is no tag of the photo any more (as after deleting it).
    await engine.giveVerdict([photo], 'cat', 'clear');
    expect(await engine.exportXmp({ photoIds: [photo] }).done).toMatchObject({ written: 1 });
    const after = await read('IMG_2.xmp');
    expect(after).not.toMatch(/<rdf:li>(Lumen\|)?cat<\/rdf:li>/);
    expect(after).toContain('<rdf:li>Lumen|dog</rdf:li>');
  });
});

describe('an export of a file the library reaches by several paths (Note [One file, many paths])', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let engine: Engine;
  let folder: string;

  beforeAll(async () => {
    scratch = await tempDir();
    folder = path.join(scratch.dir, 'Wallpapers');
    const [first] = await fixturePhotos();
    await mkdir(path.join(folder, 'links'), { recursive: true });
    // One file with two symlinks and a hard link to it, as KDE's wallpapers are; and a real copy of it.
    await copyFile(first!.file, path.join(folder, 'real.jpg'));
    await symlink('../real.jpg', path.join(folder, 'links', 'a.jpg'));
    await symlink(path.join(folder, 'real.jpg'), path.join(folder, 'links', 'b.jpg'));
    await link(path.join(folder, 'real.jpg'), path.join(folder, 'stack.jpg'));
    await copyFile(first!.file, path.join(folder, 'copy.jpg'));
    engine = new Engine({ dataDir: path.join(scratch.dir, 'data'), model: IMMICH_MODEL });
    await (await engine.addFolders([folder])).indexing.done;
    await engine.giveVerdict([engine.library().resolvePhoto(path.join(folder, 'real.jpg')).photoId], 'dog', 'add');
  });
  afterAll(async () => {
    await engine.dispose();
    await scratch.cleanup();
  });

  it('writes one sidecar beside each file, none beside the links to it, and counts files', async () => {
    const photoId = engine.library().resolvePhoto(path.join(folder, 'links', 'a.jpg')).photoId;
    expect(await engine.exportXmp({ photoIds: [photoId], copies: true }).done).toMatchObject({ written: 2, unchanged: 0, skipped: [] });
    expect((await readdir(folder)).filter((name) => name.endsWith('.xmp')).sort()).toEqual(['copy.jpg.xmp', 'real.jpg.xmp']);
    expect((await readdir(path.join(folder, 'links'))).filter((name) => name.endsWith('.xmp'))).toEqual([]);
    expect(await readFile(path.join(folder, 'real.jpg.xmp'), 'utf8')).toContain('<rdf:li>Lumen|dog</rdf:li>');
  });
});
