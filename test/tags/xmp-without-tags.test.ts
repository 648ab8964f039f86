/**
 * Photos without tags get no XMP sidecar: an export counts them apart (`withoutTags`), not as
 * sidecars left unchanged, in its summary, the CLI's line and its JSON.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSidecar } from '../../main/tags/xmp.js';
import { cli } from '../helpers/cli-main.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

describe('exporting XMP sidecars of photos without tags', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let data: string;
  let files: string[];

  beforeAll(async () => {
    scratch = await tempDir();
    data = path.join(scratch.dir, 'data');
    files = await copyPhotos((await fixturePhotos()).slice(0, 3), path.join(scratch.dir, 'Photos'));
    expect((await cli('index', path.join(scratch.dir, 'Photos'), '--data', data, '--model', IMMICH_MODEL, '--provider', 'cpu')).code).toBe(0);
  });
  afterAll(() => scratch.cleanup());

  it('says a photo with no tags and no sidecar is without tags, not unchanged', async () => {
    const file = path.join(scratch.dir, 'untagged.jpg.xmp');
    expect(await writeSidecar(file, [])).toBe('without tags');
    expect(existsSync(file)).toBe(false);
  });

  it('counts the photos without tags apart from the sidecars written and left unchanged', async () => {
    // Nothing is tagged yet (the library was indexed, not tagged): one photo gets a tag.
    expect((await cli('tags', '--data', data, '--confirm', 'dog', files[0]!)).code).toBe(0);
    const first = await cli('tags', '--data', data, '--export-xmp');
    expect(first.stdout).toBe('XMP sidecars: 1 written (1 photo.jpg.xmp), 0 unchanged, 0 skipped; 2 photos have no tags to write.\n');
    expect(files.map((photo) => existsSync(`${photo}.xmp`))).toEqual([true, false, false]);
    const again = await cli('tags', '--data', data, '--export-xmp', '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ written: 0, unchanged: 1, withoutTags: 2, skipped: [] });
  });
});
