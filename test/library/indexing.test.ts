import { appendFile, copyFile, mkdir, readFile, rename, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { existsSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { IndexProgress } from '../../main/library/indexer.js';
import type { Library } from '../../main/library/library.js';
import { folderExcludes, leftOutBy } from '../../main/library/scan.js';
import type { ClipModel } from '../../main/models/clip.js';
import { PhotoSearch } from '../../main/search/search.js';
import { HF_MODEL, IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos, loadFixtureModel, openLibrary, queryLibrary, type FixturePhoto } from '../helpers/library.js';

describe('indexing a library', () => {
  let model: ClipModel;
  let photos: FixturePhoto[];
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let folder: string;
  let library: Library;

  beforeAll(async () => {
    model = await loadFixtureModel(IMMICH_MODEL);
    photos = await fixturePhotos();
  });
  afterAll(() => model.dispose());
  beforeEach(async () => {
    scratch = await tempDir();
    folder = path.join(scratch.dir, 'Photos');
    library = openLibrary(path.join(scratch.dir, 'data'));
  });
  afterEach(async () => {
    await library.close();
    await scratch.cleanup();
  });

  async function index() {
    return library.index(model, { folders: (await library.addFolders([folder])).folders });
  }

  it('embeds new photos once, and a re-run over an unchanged library embeds nothing', async () => {
    const files = await copyPhotos(photos.slice(0, 12), folder);
    const first = await index();
    expect(first).toMatchObject({ embedded: 12, unchanged: 0, moved: 0, removed: 0, failed: [] });
    const second = await index();
    expect(second).toMatchObject({ embedded: 0, unchanged: 12, moved: 0, removed: 0, failed: [] });
    expect(library.status()).toMatchObject({ photos: 12, images: 12, failed: 0, servingModel: 'tiny-clip-immich' });
    // Thumbnails exist for every photo, made from the same decode, and originals are untouched.
    const thumbs = queryLibrary<string>(library.dataDir, 'SELECT thumbnail FROM images');
    expect(thumbs.every(Boolean)).toBe(true);
    const thumb = await sharp(library.thumbnails.absolute(thumbs[0]!)).metadata();
    expect(Math.max(thumb.width ?? 0, thumb.height ?? 0)).toBeLessThanOrEqual(256);
    expect((await readFile(files[0]!)).equals(await readFile(photos[0]!.file))).toBe(true);
  });

  it('serves thumbnails and on-demand previews by photo id', async () => {
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, 'big.jpg'), await sharp(photos[0]!.file).resize(3000, 2000, { fit: 'fill' }).jpeg().toBuffer());
    await index();
    const photoId = queryLibrary<number>(library.dataDir, 'SELECT id FROM files')[0]!;
    const thumbnail = await sharp(await library.photoImage(photoId, 'thumbnail')).metadata();
    expect([thumbnail.width, thumbnail.height, thumbnail.format]).toEqual([256, 171, 'webp']);
    const preview = await library.photoImage(photoId, 'preview');
    expect(await sharp(preview).metadata()).toMatchObject({ width: 1600, height: 1067, format: 'webp' });
    expect(preview.startsWith(path.join(scratch.dir, 'data'))).toBe(true);
    await expect(library.photoImage(12345, 'thumbnail')).rejects.toMatchObject({ code: 'not-found' });
    // A JPEG with a defect libjpeg only warns about (bytes between two markers, as some editors
    // leave) indexes, so it shows in the viewer too.
    const jpeg = await sharp(photos[2]!.file).jpeg().toBuffer();
    const afterFirstSegment = 4 + jpeg.readUInt16BE(4);
    await writeFile(path.join(folder, 'warned.jpg'), Buffer.concat([jpeg.subarray(0, afterFirstSegment), Buffer.from([1, 2, 3]), jpeg.subarray(afterFirstSegment)]));
    expect(await index()).toMatchObject({ embedded: 1, failed: [] });
    const warnedId = queryLibrary<number>(library.dataDir, "SELECT id FROM files WHERE path LIKE '%warned.jpg'")[0]!;
    expect(await sharp(await library.photoImage(warnedId, 'preview')).metadata()).toMatchObject({ format: 'webp' });
    // The original replaced by something that is not a photo since: one clear line, no stack.
    await writeFile(path.join(folder, 'small.jpg'), await sharp(photos[1]!.file).jpeg().toBuffer());
    await index();
    const smallId = queryLibrary<number>(library.dataDir, "SELECT id FROM files WHERE path LIKE '%small.jpg'")[0]!;
    await writeFile(path.join(folder, 'small.jpg'), 'not a photo any more');
    await expect(library.photoImage(smallId, 'preview')).rejects.toMatchObject({ code: 'image-undecodable', message: expect.stringMatching(/^Cannot show .*small\.jpg: .*Re-scan the folder if the file changed\.$/) });
    // A photo deleted takes its thumbnail and its preview with it; a folder removed, those of its photos.
    const thumbnailOf = path.join(library.dataDir, queryLibrary<string>(library.dataDir, `SELECT thumbnail FROM images JOIN files ON files.image_id = images.id WHERE files.id = ${photoId}`)[0]!);
    await rm(path.join(folder, 'big.jpg'));
    await index();
    for (const made of [preview, thumbnailOf]) expect(existsSync(made), made).toBe(false);
    const kept = await library.photoImage(smallId, 'thumbnail');
    await library.removeFolder(library.folders()[0]!.id);
    expect(existsSync(kept)).toBe(false);
  });

  it('forgets the images a removal stopped halfway left before the next run walks, which then embeds a copy of one afresh (Note [Removed a slice at a time])', async () => {
    const files = await copyPhotos(photos.slice(0, 4), folder);
    await index();
    // The folder, its files and its images' vectors went, and the process ended before any of its images did.
    const left = library.storage.library.removeFolder(library.folders()[0]!.id);
    (await library.vectorIndex(model.id, model.dim)).remove(left);
    await library.close();
    library = openLibrary(path.join(scratch.dir, 'data'));
    expect(library.status()).toMatchObject({ photos: 0, images: 4 });
    // The same photo, added again elsewhere, is a photo of its own, found by search.
    const again = path.join(scratch.dir, 'Again');
    await mkdir(again, { recursive: true });
    await copyFile(files[0]!, path.join(again, 'again.jpg'));
    expect(await library.index(model, { folders: (await library.addFolders([again])).folders })).toMatchObject({ embedded: 1, failed: [] });
    expect(library.status()).toMatchObject({ photos: 1, images: 1 });
    const vectors = await library.vectorIndex(model.id, model.dim);
    expect((await vectors.rank(new Float32Array(model.dim).fill(1 / Math.sqrt(model.dim)), null)).map((hit) => hit.imageId)).toEqual([library.storage.photos.allPhotos()[0]!.imageId]);
  });

  it('keeps the embedding of a moved or renamed photo, and re-embeds an edited one', async () => {
    const files = await copyPhotos(photos.slice(0, 6), folder);
    await index();
    await mkdir(path.join(folder, 'moved'), { recursive: true });
    await rename(files[0]!, path.join(folder, 'moved', 'elsewhere.jpg'));
    await rename(files[1]!, path.join(path.dirname(files[1]!), 'renamed.jpg'));
    await copyFile(photos[40]!.file, files[2]!); // same path, new content
    const summary = await index();
    expect(summary).toMatchObject({ embedded: 1, moved: 2, removed: 0, failed: [] });
    expect(library.status()).toMatchObject({ photos: 6, images: 6 });
    const search = new PhotoSearch(library, model);
    // The file's bytes embedded afresh find the moved photo's kept embedding first.
    const similar = await search.similar(await readFile(path.join(folder, 'moved', 'elsewhere.jpg')), { limit: 1, showAll: true });
    expect(similar.results[0]?.path).toBe(path.join(folder, 'moved', 'elsewhere.jpg'));
    expect(similar.results[0]?.score).toBeGreaterThan(0.99);
  });

  it('keeps a person’s verdicts and albums of a photo edited in place, and counts a photo only touched as unchanged (Note [Edited in place])', async () => {
    const files = await copyPhotos(photos.slice(0, 3), folder);
    await index();
    const row = (file: string) => queryLibrary<{ id: number; image_id: number }>(library.dataDir, `SELECT id, image_id FROM files WHERE path = '${file}'`)[0]!;
    const before = row(files[0]!);
    library.storage.tags.setVerdict(before.image_id, 'beach', false);
    library.storage.tags.setVerdict(before.image_id, 'city', true);
    const album = library.storage.albums.create({ name: 'Holiday', key: 'holiday' }, [before.id]);
    // Another app writes into the file: new bytes at the same path.
    await writeFile(files[0]!, await sharp(await readFile(files[0]!)).withExif({ IFD0: { Rating: '5' } }).jpeg({ quality: 95 }).toBuffer());
    expect(await index()).toMatchObject({ embedded: 1, unchanged: 2, copies: 0, removed: 0 });
    const after = row(files[0]!);
    expect(after).toMatchObject({ id: before.id });
    expect(after.image_id).not.toBe(before.image_id);
    expect(library.storage.tags.tagsOfImage(after.image_id).filter((tag) => tag.source === 'person').map(({ tag, rejected }) => ({ tag, rejected }))).toEqual([
      { tag: 'beach', rejected: false },
      { tag: 'city', rejected: true },
    ]);
    expect(library.storage.albums.photos(album)).toEqual([before.id]);
    const touched = new Date(Date.now() + 60_000);
    await utimes(files[1]!, touched, touched);
    expect(await index()).toMatchObject({ embedded: 0, unchanged: 3, copies: 0 });
  });

  it('keeps them too when the edited photo’s new content is met first through an identical export (Note [Edited in place])', async () => {
    const photo = path.join(folder, 'b', 'photo.jpg');
    await mkdir(path.dirname(photo), { recursive: true });
    await copyFile(photos[0]!.file, photo);
    await index();
    const before = queryLibrary<{ id: number; image_id: number }>(library.dataDir, 'SELECT id, image_id FROM files')[0]!;
    library.storage.tags.setVerdict(before.image_id, 'beach', false);
    const album = library.storage.albums.create({ name: 'Holiday', key: 'holiday' }, [before.id]);
    const edited = await sharp(await readFile(photo)).withExif({ IFD0: { Rating: '5' } }).jpeg({ quality: 95 }).toBuffer();
    // Walked before the edited file, in one run: the export is the file the new image is made for.
    await mkdir(path.join(folder, 'a-export'));
    await writeFile(path.join(folder, 'a-export', 'photo-edited.jpg'), edited);
    await writeFile(photo, edited);
    expect(await library.index(model, { folders: library.folders(), concurrency: 1 })).toMatchObject({ embedded: 1, copies: 1 });
    const after = queryLibrary<number>(library.dataDir, `SELECT image_id FROM files WHERE id = ${before.id}`)[0]!;
    expect(library.storage.tags.tagsOfImage(after).filter((tag) => tag.source === 'person').map((tag) => tag.tag)).toEqual(['beach']);
    expect(library.storage.albums.photos(album)).toContain(before.id);
  });

  it('embeds whole batches on a GPU too, only the last one smaller (Note [Whole batches])', async () => {
    await copyPhotos(photos.slice(0, 11), folder);
    const onGpu = vi.spyOn(model, 'loadImageTower').mockResolvedValue('webgpu');
    const embedTensors = vi.spyOn(model, 'embedTensors');
    try {
      const summary = await library.index(model, { folders: (await library.addFolders([folder])).folders, batchSize: 4, concurrency: 8 });
      expect(summary).toMatchObject({ embedded: 11, failed: [] });
      expect(embedTensors.mock.calls.map(([tensors]) => tensors.length)).toEqual([4, 4, 3]);
    } finally {
      onGpu.mockRestore();
      embedTensors.mockRestore();
    }
  });

  it('runs the model on 16 photos at a time on the CPU and 64 on a GPU unless asked otherwise', async () => {
    await mkdir(folder, { recursive: true });
    for (let i = 0; i < 70; i++) {
      const colour = { r: (i * 37) % 256, g: (i * 91) % 256, b: (i * 13) % 256 };
      await sharp({ create: { width: 32, height: 24, channels: 3, background: colour } }).jpeg().toFile(path.join(folder, `colour-${i}.jpg`));
    }
    const embedTensors = vi.spyOn(model, 'embedTensors');
    try {
      for (const provider of ['cpu', 'webgpu']) {
        const onProvider = vi.spyOn(model, 'loadImageTower').mockResolvedValue(provider);
        const fresh = openLibrary(path.join(scratch.dir, `on-${provider}`));
        embedTensors.mockClear();
        try {
          expect(await fresh.index(model, { folders: (await fresh.addFolders([folder])).folders })).toMatchObject({ embedded: 70, failed: [] });
          expect(embedTensors.mock.calls.map(([tensors]) => tensors.length)).toEqual(provider === 'cpu' ? [16, 16, 16, 16, 6] : [64, 6]);
        } finally {
          onProvider.mockRestore();
          await fresh.close();
        }
      }
    } finally {
      embedTensors.mockRestore();
    }
  });

  it('indexes two copies of one photo found in the same run as one image, decoded and embedded once', async () => {
    await mkdir(folder, { recursive: true });
    for (const name of ['a.jpg', 'copy of a.jpg', 'b.jpg']) await copyFile(photos[name === 'b.jpg' ? 1 : 0]!.file, path.join(folder, name));
    // Counted alike however the run's work interleaves: the copy is a new photo sharing an image, not an unchanged one.
    // Met at once (8 at a time), the copy shares the first's embedding when it comes; met after the
    // first was embedded but before it was written (one at a time, written in batches), likewise.
    const embedTensors = vi.spyOn(model, 'embedTensors');
    for (const [i, options] of [{ batchSize: 1, concurrency: 1, writeBatch: 1 }, { batchSize: 1, concurrency: 1 }, { concurrency: 8 }, { concurrency: 8, batchSize: 1 }].entries()) {
      const fresh = openLibrary(path.join(scratch.dir, `fresh-${i}`));
      embedTensors.mockClear();
      try {
        expect(await fresh.index(model, { folders: (await fresh.addFolders([folder])).folders, ...options })).toMatchObject({ embedded: 2, copies: 1, unchanged: 0, moved: 0, failed: [] });
        expect(fresh.status()).toMatchObject({ photos: 3, images: 2 });
        expect(embedTensors.mock.calls.flatMap(([tensors]) => tensors)).toHaveLength(2);
      } finally {
        await fresh.close();
      }
    }
    embedTensors.mockRestore();
    const summary = await index();
    expect(summary).toMatchObject({ embedded: 2, copies: 1, unchanged: 0, moved: 0, removed: 0, failed: [] });
    expect(library.status()).toMatchObject({ photos: 3, images: 2 });
    expect((await library.vectorIndex(model.id, model.dim)).size).toBe(2);
    const page = await new PhotoSearch(library, model).search('a photo of a circle.', { limit: 10, showAll: true });
    expect(page.results).toHaveLength(2);
    // Asked for twice at once (the warm start and a search): both callers get it opened.
    await library.close();
    library = openLibrary(library.dataDir);
    const asked = () => library.vectorIndex(model.id, model.dim).then((index) => [index.health, index.size]);
    expect(await Promise.all([asked(), asked()])).toEqual([
      ['ready', 2],
      ['ready', 2],
    ]);
    // A copy added later is linked to the stored image: a copy too, and the rest unchanged.
    await copyFile(photos[0]!.file, path.join(folder, 'another copy of a.jpg'));
    expect(await index()).toMatchObject({ embedded: 0, copies: 1, unchanged: 3, moved: 0, removed: 0 });
  });

  it('lists each copy of a bad file met in one run as failed, under its own name', async () => {
    await mkdir(folder, { recursive: true });
    const jpeg = await readFile(photos[10]!.file);
    for (const name of ['cut.jpg', 'cut copy.jpg', 'cut again.jpg']) await writeFile(path.join(folder, name), jpeg.subarray(0, Math.floor(jpeg.length * 0.6)));
    await copyFile(photos[0]!.file, path.join(folder, 'fine.jpg'));
    const summary = await library.index(model, { folders: (await library.addFolders([folder])).folders, concurrency: 8 });
    expect(summary).toMatchObject({ embedded: 1, copies: 0 });
    expect(summary.failed.map((failure) => [path.basename(failure.path), failure.reason]).sort()).toEqual([
      ['cut again.jpg', 'truncated'],
      ['cut copy.jpg', 'truncated'],
      ['cut.jpg', 'truncated'],
    ]);
    expect(library.status()).toMatchObject({ photos: 1, failed: 3 });
  });

  it('forgets deleted photos at once, in the database and in search results', async () => {
    const files = await copyPhotos(photos.slice(0, 8), folder);
    await index();
    const search = new PhotoSearch(library, model);
    const before = await search.search(`a photo of a ${photos[0]!.shape}.`, { showAll: true, limit: 100 });
    expect(before.results.map((r) => r.path)).toContain(files[0]);
    await rm(files[0]!);
    // The last progress a run reports says so too (the app's re-scan message reads it).
    let last: IndexProgress | null = null;
    expect(await library.index(model, { folders: library.folders(), onProgress: (progress) => (last = progress) })).toMatchObject({ removed: 1, embedded: 0 });
    expect(last).toMatchObject({ removed: 1 });
    const after = await search.search(`a photo of a ${photos[0]!.shape}.`, { showAll: true, limit: 100 });
    expect(after.results.map((r) => r.path)).not.toContain(files[0]);
    expect(after.results).toHaveLength(7);
    expect(library.status().images).toBe(7);
  });

  it('takes the photos of files deleted on disk out of search as the run ends, and forgets their images after it, a slice at a time (Note [Removed a slice at a time])', async () => {
    const files = await copyPhotos(photos.slice(0, 8), folder);
    await index();
    await Promise.all(files.slice(0, 2).map((file) => rm(file)));
    const store = library.storage.library;
    const removals = vi.spyOn(store, 'removeMissing');
    const slice = store.deleteOrphanImagesAfter.bind(store);
    const vectors = await library.vectorIndex(model.id, model.dim);
    const atSlices: Array<{ removals: number; images: number; searched: number }> = [];
    vi.spyOn(store, 'deleteOrphanImagesAfter').mockImplementation((after, limit) => {
      atSlices.push({ removals: removals.mock.calls.length, images: library.status().images, searched: vectors.size });
      return slice(after, limit);
    });
    expect(await library.index(model, { folders: library.folders() })).toMatchObject({ removed: 2 });
    // The run's removal left the images, already out of search; they went after it, in a slice of their own.
    expect(atSlices).toEqual([{ removals: 1, images: 8, searched: 6 }]);
    expect(library.status().images).toBe(6);
    const search = new PhotoSearch(library, model);
    const found = await search.search(`a photo of a ${photos[0]!.shape}.`, { showAll: true, limit: 100 });
    expect(found.results.map((r) => r.path)).toEqual(expect.not.arrayContaining(files.slice(0, 2)));
  });

  it('skips hidden and excluded folders, and follows symlinks without looping', async () => {
    await copyPhotos(photos.slice(0, 3), folder, () => 'keep');
    await copyPhotos(photos.slice(3, 5), folder, () => 'skip-me');
    await copyPhotos(photos.slice(5, 7), folder, () => '.hidden');
    await copyPhotos(photos.slice(7, 8), path.join(scratch.dir, 'linked-in'), () => '');
    await symlink(folder, path.join(folder, 'keep', 'loop'));
    await symlink(path.join(scratch.dir, 'linked-in'), path.join(folder, 'phone'));
    const { folders } = await library.addFolders([folder], ['skip-me/**']);
    const summary = await library.index(model, { folders });
    expect(summary).toMatchObject({ embedded: 4, failed: [] });
    const paths = queryLibrary<string>(library.dataDir, 'SELECT path FROM files ORDER BY path');
    expect(paths.some((p) => p.includes('skip-me') || p.includes('.hidden') || p.includes('loop'))).toBe(false);
    expect(paths.filter((p) => p.includes(`${path.sep}phone${path.sep}`))).toHaveLength(1);
  });

  it('does not follow a link to a folder that holds the library folder, and says so (Note [Symlinks])', async () => {
    await copyPhotos(photos.slice(0, 2), folder, () => 'keep');
    // Beside the library folder, not in it: reached only through the link.
    await copyPhotos(photos.slice(2, 5), path.join(scratch.dir, 'Elsewhere'), () => '');
    await symlink(scratch.dir, path.join(folder, 'keep', 'up'));
    await symlink(path.dirname(scratch.dir), path.join(folder, 'way-up'));
    const summary = await index();
    expect(summary.embedded).toBe(2);
    expect(summary.failed.map((failure) => [path.basename(failure.path), failure.message]).sort()).toEqual(
      ['up', 'way-up'].map((name) => [name, `${name} is a symbolic link to a folder that holds the library folder; following it would index everything there, so it was skipped.`]),
    );
    expect(queryLibrary<string>(library.dataDir, 'SELECT path FROM files').some((file) => file.includes('Elsewhere'))).toBe(false);
  });

  it('leaves out a NAS’s recycle bins and snapshots, a camera’s video thumbnails and RAW files built on TIFF, without listing them as failed', async () => {
    await copyPhotos(photos.slice(0, 1), folder);
    for (const [i, nas] of ['#recycle', path.join('#snapshot', 'GMT+01-2024.06.01-00.00.00'), '@Recycle', '@Recently-Snapshot'].entries()) {
      await copyPhotos(photos.slice(i + 1, i + 2), folder, () => nas);
    }
    await copyFile(photos[5]!.file, path.join(folder, 'MVI_0001.THM'));
    await sharp(photos[6]!.file).tiff().toFile(path.join(folder, 'DSCN0002.NRW'));
    await sharp(photos[7]!.file).tiff().toFile(path.join(folder, 'GOPR0003.GPR'));
    expect(await index()).toMatchObject({ embedded: 1, failed: [] });
  });

  it('keeps a folder’s exclusions when it is added again without any, and clears them when given none', async () => {
    await copyPhotos(photos.slice(0, 4), folder, (_, i) => (i < 2 ? 'keep' : 'skip-me'));
    await library.addFolders([folder], ['skip-me/**']);
    const summary = await library.index(model, { folders: (await library.addFolders([folder])).folders });
    expect(summary).toMatchObject({ embedded: 2 });
    expect(library.folders().map((row) => row.excludes)).toEqual([['skip-me/**']]);
    expect(await library.index(model, { folders: (await library.addFolders([folder], [])).folders })).toMatchObject({ embedded: 2, unchanged: 2 });
  });

  it('takes an exclusion written as a full path inside the folder relative to it, and refuses one that could never match (Note [Exclusions])', async () => {
    await copyPhotos(photos.slice(0, 4), folder, (_, i) => (i < 2 ? 'keep' : 'skip-me'));
    const { folders: [row] } = await library.addFolders([folder], [path.join(folder, 'skip-me', '**'), '*.gif']);
    expect(row?.excludes).toEqual(['skip-me/**', '*.gif']);
    expect(await library.index(model, { folders: library.folders() })).toMatchObject({ embedded: 2 });

    const elsewhere = path.join(scratch.dir, 'Elsewhere', '**');
    await expect(library.addFolders([folder], [elsewhere])).rejects.toMatchObject({ code: 'bad-input', message: `The exclusion "${elsewhere}" is not inside ${folder}: exclusions are relative to their folder, like "**/Screenshots/**".` });
    await expect(library.addFolders([folder], ['**/{a,b'])).rejects.toMatchObject({ code: 'bad-input', message: expect.stringContaining('The exclusion "**/{a,b" is not a pattern Lumen can read') });
    // A bracket never closed is refused as clearly; a closed one, or one escaped, is a pattern.
    for (const unclosed of ['[', '*.[jp', '2020/[ab/**']) {
      await expect(library.addFolders([folder], [unclosed])).rejects.toMatchObject({ code: 'bad-input', message: `The exclusion "${unclosed}" is not a pattern Lumen can read: its "[" is never closed by a "]" (write "\\[" for the character itself). Exclusions look like "**/Screenshots/**" or "*.gif".` });
    }
    for (const fine of ['*.[jp]*', '[]]', '[!a]x', '[[:digit:]]*', '\\[draft', 'a]']) expect(folderExcludes(folder, [fine])).toEqual([fine]);
    // A control character, which picomatch drops ("\u0000" read as "**", leaving out every folder), is refused.
    await expect(library.setExcludes(row!.id, ['\u0000'])).rejects.toMatchObject({ code: 'bad-input', message: 'The exclusion "\\u0000" holds a control character (U+0000), which a pattern cannot match: remove it. Exclusions look like "**/Screenshots/**" or "*.gif".' });
    await expect(library.addFolders([folder], ['Trip\t2019'])).rejects.toThrow(/holds a control character \(U\+0009\)/);
    await expect(library.setExcludes(row!.id, [elsewhere])).rejects.toThrow(/is not inside/);
    expect((await library.setExcludes(row!.id, [path.join(folder, 'keep', '*.jpg')])).excludes).toEqual(['keep/*.jpg']);
    // Refused, nothing changed.
    expect(library.folders().map((each) => each.excludes)).toEqual([['keep/*.jpg']]);
    // One stored before it was refused leaves out nothing.
    const leftOut = leftOutBy(folder, ['\u0000', '*.gif']);
    expect([leftOut(path.join(folder, 'a', 'b.jpg'), false), leftOut(path.join(folder, 'a'), true), leftOut(path.join(folder, 'c.gif'), false)]).toEqual([false, false, true]);
  });

  it('leaves out a full path’s folder only, not every folder of its name, and names with pattern characters or in another Unicode form as spelt (Note [Exclusions])', async () => {
    const decomposed = 'Prive\u0301'; // "Privé" as macOS may store it
    await copyPhotos(photos.slice(0, 8), folder, (_, i) => ['Private', path.join('2020', 'Private'), 'Kids (old)', path.join('2020', 'Trip (2019)'), decomposed, 'keep', 'keep', 'keep'][i] as string);
    const { folders: [row] } = await library.addFolders([folder], [path.join(folder, 'Private'), path.join(folder, 'Kids (old)'), 'Trip (2019)', 'Privé']);
    expect(row?.excludes).toEqual(['./Private', './Kids (old)', 'Trip (2019)', 'Privé']);
    expect(await library.index(model, { folders: library.folders() })).toMatchObject({ embedded: 4, failed: [] });
    const kept = queryLibrary<string>(library.dataDir, 'SELECT path FROM files').map((file) => path.dirname(path.relative(folder, file)));
    expect(kept.sort()).toEqual([path.join('2020', 'Private'), 'keep', 'keep', 'keep']);
  });

  it('leaves out what an exclusion names whatever its letter case, as file systems other than Linux’s do (Note [Exclusions])', async () => {
    await copyPhotos(photos.slice(0, 3), folder, (_, i) => ['Screenshots', 'DCIM', ''][i] as string);
    await sharp(photos[3]!.file).gif().toFile(path.join(folder, 'DCIM', 'ANIM.GIF'));
    const { folders } = await library.addFolders([folder], ['*.gif', 'screenshots']);
    expect(await library.index(model, { folders })).toMatchObject({ embedded: 2, failed: [] });
    const indexed = queryLibrary<string>(library.dataDir, 'SELECT path FROM files').map((file) => path.relative(folder, file));
    expect(indexed.some((file) => file.includes('Screenshots') || file.endsWith('.GIF'))).toBe(false);
  });

  it('leaves out the names a pattern without a slash matches, at any depth, also once a folder around takes it in (Note [Exclusions])', async () => {
    const phone = path.join(folder, 'Phone');
    await copyPhotos(photos.slice(0, 6), phone, (_, i) => ['2024', path.join('2024', 'Screenshots'), ''][i % 3] as string);
    await copyPhotos(photos.slice(6, 7), phone, () => path.join('2019', 'Trip (2019)'));
    await sharp(photos[0]!.file).png().toFile(path.join(phone, '2024', 'drawing.png'));
    const { folders } = await library.addFolders([phone], ['*.png', 'Screenshots', 'Trip (2019)']);
    expect(await library.index(model, { folders })).toMatchObject({ embedded: 4, failed: [] });
    const indexed = () => queryLibrary<string>(library.dataDir, 'SELECT path FROM files ORDER BY path').map((file) => path.relative(phone, file));
    expect(indexed().some((file) => file.endsWith('.png') || file.includes('Screenshots') || file.includes('Trip'))).toBe(false);
    await library.addFolders([folder]);
    expect(library.folders().map((row) => row.excludes)).toEqual([['Phone/**/*.png', 'Phone/**/Screenshots', 'Phone/**/Trip (2019)']]);
    expect(await library.index(model, { folders: library.folders() })).toMatchObject({ embedded: 0, unchanged: 4, failed: [] });
    expect(indexed()).toHaveLength(4);
  });

  it('refuses a folder inside a library folder, and a folder around library folders takes in their photos and exclusions', async () => {
    await copyPhotos(photos.slice(0, 6), folder, (_, i) => ['trips/beach', 'trips/city [a|b]', 'home'][i % 3] as string);
    const beach = path.join(folder, 'trips', 'beach');
    const city = path.join(folder, 'trips', 'city [a|b]');
    await library.index(model, { folders: [...(await library.addFolders([beach])).folders, ...(await library.addFolders([city], ['*-1.jpg'])).folders] });
    const before = queryLibrary<string>(library.dataDir, "SELECT id || ' ' || image_id || ' ' || path FROM files ORDER BY id");
    expect(before).toHaveLength(3);

    await expect(library.addFolders([path.join(beach, 'deeper')])).rejects.toThrow(/does not exist/);
    await mkdir(path.join(beach, 'deeper'));
    await expect(library.addFolders([path.join(beach, 'deeper')])).rejects.toMatchObject({ code: 'bad-input', message: `${path.join(beach, 'deeper')} is inside ${beach}, which is in the library already: its photos are part of that folder.` });
    // Lumen's own data folder, or a folder in it, holds no photos to add (it is never walked).
    const data = path.join(scratch.dir, 'data');
    for (const ours of [data, path.join(data, 'thumbs')]) {
      await mkdir(ours, { recursive: true });
      await expect(library.addFolders([ours])).rejects.toMatchObject({ code: 'bad-input', message: `${ours} is Lumen's own data folder (its thumbnails and index), or inside it, not a folder of photos. Add the folder your photos are in.` });
    }
    // Another library's data folder, or a folder in it, neither (Note [Other libraries] in data-folder.ts).
    const other = path.join(scratch.dir, 'other-data');
    await mkdir(path.join(other, 'thumbs', 'ab'), { recursive: true });
    await writeFile(path.join(other, 'library.db'), '');
    await expect(library.addFolders([other])).rejects.toMatchObject({ code: 'bad-input', message: expect.stringContaining(`is another Lumen library's data folder (${other}`) });
    await expect(library.addFolders([path.join(other, 'thumbs', 'ab')])).rejects.toMatchObject({ code: 'bad-input', message: expect.stringContaining(`is inside another Lumen library's data folder (${other}`) });
    await symlink(data, path.join(scratch.dir, 'data-link'));
    await expect(library.addFolders([path.join(scratch.dir, 'data-link')])).rejects.toMatchObject({ message: expect.stringContaining("is Lumen's own data folder") });
    // Through a link, a folder is where it really is.
    await symlink(beach, path.join(scratch.dir, 'beach-link'));
    await symlink(path.join(beach, 'deeper'), path.join(scratch.dir, 'deeper-link'));
    await expect(library.addFolders([path.join(scratch.dir, 'beach-link')])).rejects.toMatchObject({ message: expect.stringContaining('which is in the library already (by another path)') });
    await expect(library.addFolders([path.join(scratch.dir, 'deeper-link')])).rejects.toMatchObject({ message: expect.stringContaining(`is inside ${beach}`) });

    const { folders: [outer] } = await library.addFolders([folder]);
    expect(library.folders()).toEqual([{ id: outer!.id, path: folder, excludes: ['trips/city \\[a\\|b\\]/**/*-1.jpg'] }]);
    // The same photos under the same ids: what they carry (tags, verdicts, albums) goes with them.
    expect(queryLibrary<string>(library.dataDir, "SELECT id || ' ' || image_id || ' ' || path FROM files ORDER BY id")).toEqual(before);
    const summary = await library.index(model, { folders: library.folders() });
    expect(summary).toMatchObject({ embedded: 2, unchanged: 3, removed: 0 });
    // The exclusion taken in still leaves out what it left out in its own folder.
    expect(queryLibrary<string>(library.dataDir, 'SELECT path FROM files').some((file) => file.startsWith(city) && file.endsWith('-1.jpg'))).toBe(false);
  });

  it('goes on when a folder it indexes is removed meanwhile, writing nothing more of it (Note [Folders gone mid-run])', async () => {
    await copyPhotos(photos.slice(0, 16), folder);
    const { folders: [added] } = await library.addFolders([folder]);
    let removing: Promise<void> | null = null;
    const summary = await library.index(model, {
      folders: [added!],
      batchSize: 1,
      writeBatch: 1,
      // After the first photo is stored, while the rest are still to come.
      onStored: () => (removing ??= library.removeFolder(added!.id)),
    });
    await removing;
    expect(removing).not.toBeNull();
    expect(summary.failed).toEqual([]);
    expect(summary.embedded).toBeGreaterThan(0);
    expect(library.folders()).toEqual([]);
    expect(library.status()).toMatchObject({ photos: 0, images: 0, failed: 0 });
    expect((await library.vectorIndex(model.id, model.dim)).size).toBe(0);
  });

  it('links copies to the photos of a folder removed meanwhile, which they keep in the library (Note [Images kept for a run])', async () => {
    await copyPhotos(photos.slice(0, 3), folder);
    const { folders: [original] } = await library.addFolders([folder]);
    expect((await library.index(model, { folders: [original!] })).embedded).toBe(3);
    const backup = path.join(scratch.dir, 'Backup');
    await copyPhotos(photos.slice(0, 3), backup);
    const { folders: [copies] } = await library.addFolders([backup]);
    // The original folder leaves the library as the run has found its first copy identical to a photo there.
    const store = library.storage.library;
    const imageByHash = store.imageByHash.bind(store);
    let removing: Promise<void> | null = null;
    vi.spyOn(store, 'imageByHash').mockImplementation((hash) => {
      const found = imageByHash(hash);
      removing ??= library.removeFolder(original!.id);
      return found;
    });
    const summary = await library.index(model, { folders: [copies!] });
    await removing;
    expect(summary).toMatchObject({ embedded: 0, failed: [] });
    expect(library.folders().map((row) => row.path)).toEqual([backup]);
    expect(library.status()).toMatchObject({ photos: 3, images: 3, failed: 0 });
    // Their vectors stay in search with them.
    const found = await new PhotoSearch(library, model).search(`a photo of a ${photos[0]!.shape}.`, { showAll: true, limit: 100 });
    expect(found.results.map((r) => path.relative(backup, r.path).startsWith(`..`))).toEqual([false, false, false]);
  });

  it('never indexes its own data folder, should it lie inside a photo folder', async () => {
    await library.close();
    library = openLibrary(path.join(folder, 'lumen-data'));
    await copyPhotos(photos.slice(0, 2), folder);
    expect(await index()).toMatchObject({ embedded: 2 });
    expect(await index()).toMatchObject({ embedded: 0, unchanged: 2 });
    expect(queryLibrary<string>(library.dataDir, 'SELECT path FROM files').some((file) => file.includes('lumen-data'))).toBe(false);
  });

  it('records each kind of bad file with a reason, goes on, and retries a file only when it changes', async () => {
    await copyPhotos(photos.slice(0, 3), folder);
    const bad = path.join(folder, 'bad');
    await mkdir(bad);
    const jpeg = await readFile(photos[10]!.file);
    await writeFile(path.join(bad, 'truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length * 0.6)));
    await writeFile(path.join(bad, 'notes.jpg'), 'shopping list: milk, eggs');
    await writeFile(path.join(bad, 'empty.png'), '');
    // A PNG header promising 40000 x 40000 pixels: a decompression bomb.
    const bomb = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).png().toBuffer();
    bomb.writeUInt32BE(40_000, 16);
    bomb.writeUInt32BE(40_000, 20);
    await writeFile(path.join(bad, 'bomb.png'), bomb);
    // HEIC container that the bundled decoder cannot read.
    await writeFile(path.join(bad, 'phone.heic'), Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic\0\0\0\0mif1heic'), Buffer.alloc(300, 1)]));
    await writeFile(path.join(folder, 'readme.txt'), 'not a photo and not named like one');
    const summary = await index();
    expect(summary.embedded).toBe(3);
    const reasons = Object.fromEntries(summary.failed.map((f) => [path.basename(f.path), f.reason]));
    expect(reasons).toEqual({ 'truncated.jpg': 'truncated', 'notes.jpg': 'not-an-image', 'empty.png': 'not-an-image', 'bomb.png': 'too-large', 'phone.heic': 'unsupported' });
    for (const failure of summary.failed) expect(failure.message).toContain(path.basename(failure.path));
    expect(summary.failed.find((f) => f.path.endsWith('empty.png'))?.message).toBe('empty.png is empty (0 bytes): an incomplete copy or download?');
    // The app's sentence alone; the decoder's own words kept apart (Note [Decoder's words apart]).
    const truncated = summary.failed.find((f) => f.path.endsWith('truncated.jpg'));
    expect(truncated?.message).toBe('truncated.jpg is truncated (an incomplete copy or download?).');
    expect(truncated?.detail).toMatch(/\w/);
    expect(library.status().failed).toBe(5);

    const again = await index();
    expect(again).toMatchObject({ embedded: 0, failed: [] });

    await writeFile(path.join(bad, 'truncated.jpg'), jpeg);
    await appendFile(path.join(bad, 'notes.jpg'), ' and bread');
    const fixed = await index();
    expect(fixed.embedded).toBe(1);
    expect(fixed.failed.map((f) => path.basename(f.path))).toEqual(['notes.jpg']);
    expect(library.status().failed).toBe(4);
  });

  it('indexes every supported format, known by content whatever the name, and GIFs by their first frame', async () => {
    const star = photos.find((p) => p.shape === 'star')!.file;
    const circle = await sharp(photos.find((p) => p.shape === 'circle')!.file).resize(96, 96, { fit: 'fill' }).toBuffer();
    await mkdir(folder, { recursive: true });
    const encoders: Record<string, (image: Sharp) => Sharp> = {
      'a.png': (image) => image.png(),
      'b.webp': (image) => image.webp(),
      'c.avif': (image) => image.avif({ effort: 0 }),
      'd.gif': (image) => image.gif(),
      'f.gif': () => sharp([square, circle], { join: { animated: true } }).gif(),
      'e.tiff': (image) => image.tiff(),
      'jpeg-without-extension': (image) => image.jpeg(),
    };
    const square = await sharp(star).resize(96, 96, { fit: 'fill' }).toBuffer();
    for (const [name, encode] of Object.entries(encoders)) await writeFile(path.join(folder, name), await encode(sharp(square)).toBuffer());
    const summary = await index();
    expect(summary).toMatchObject({ embedded: 7, failed: [] });
    const formats = queryLibrary(library.dataDir, 'SELECT i.format FROM files f JOIN images i ON i.id = f.image_id ORDER BY f.path');
    expect(formats).toEqual(['png', 'webp', 'avif', 'gif', 'tiff', 'gif', 'jpeg']);
    // Every encoding of the star is found as a star; the animated GIF (star, then circle) by its first frame.
    const stars = await new PhotoSearch(library, model).search('a photo of a star.', { showAll: true });
    expect(stars.results).toHaveLength(7);
    expect(Math.min(...stars.results.map((r) => r.score))).toBeGreaterThan(0.5);
  });

  it('counts in a run’s total only what may be a photo, so that it is what the library ends with (Note [What a run counts])', async () => {
    // As in /usr/share/wallpapers: photos, links to them (two to one file), a copy, and a theme's metadata.desktop beside them.
    const files = await copyPhotos(photos.slice(0, 3), folder);
    await symlink(files[0]!, path.join(folder, 'link.jpg'));
    await symlink(files[0]!, path.join(folder, 'another-link.jpg'));
    await copyFile(files[1]!, path.join(folder, 'copy.jpg'));
    await copyFile(files[2]!, path.join(folder, 'photo-without-extension'));
    await writeFile(path.join(folder, 'metadata.desktop'), '[Desktop Entry]\nName=Safe Landing\n');
    const totals: number[] = [];
    const run = async () => {
      totals.length = 0;
      const onProgress = (progress: IndexProgress) => {
        if (progress.phase !== 'scanning') totals.push(progress.toProcess);
      };
      await library.index(model, { folders: library.folders(), onProgress });
    };
    await library.addFolders([folder]);
    await run();
    expect(library.status()).toMatchObject({ photos: 7, failed: 0 });
    expect(new Set(totals)).toEqual(new Set([7]));
    // Nothing new: nothing to count, nothing said of the file that is no photo.
    await run();
    expect(new Set(totals)).toEqual(new Set([0]));
  });

  it('keeps the photos of a folder that cannot be walked', async () => {
    await copyPhotos(photos.slice(0, 4), folder);
    const { folders } = await library.addFolders([folder]);
    await library.index(model, { folders });
    await rename(folder, `${folder}-unplugged`);
    let last: IndexProgress | undefined;
    const summary = await library.index(model, { folders, onProgress: (progress) => (last = progress) });
    expect(summary.removed).toBe(0);
    // The app's header says it from the run's progress, apart from the files (JobStatus).
    expect(last).toMatchObject({ failed: 0, unreachable: 1 });
    // Said in words, as no file's failure, and listed with the failures, with why (Note [A folder out of reach] in walk.ts).
    const words = `The folder ${folder} is gone (moved, deleted, or its drive not mounted); its 4 photos are kept.`;
    expect(summary).toMatchObject({ failed: [], unreachable: [{ path: folder, message: words }] });
    expect(queryLibrary<string>(library.dataDir, 'SELECT message FROM failures')).toEqual([words]);
    expect(library.status().photos).toBe(4);
  });

  it('forgets files deleted while the run indexes them, rather than listing them as failed', async () => {
    const files = await copyPhotos(photos.slice(0, 6), folder);
    const { folders } = await library.addFolders([folder]);
    const gone = files.slice(0, 2);
    let last: IndexProgress | undefined;
    const summary = await library.index(model, {
      folders,
      onProgress: (progress) => {
        last = progress;
        if (progress.phase === 'indexing') for (const file of gone) rmSync(file, { force: true });
      },
    });
    expect(summary).toMatchObject({ embedded: 4, failed: [] });
    // Done with six files, of which it indexed the four still there.
    expect(last).toMatchObject({ processed: 6, indexed: 4 });
    expect(library.status().photos).toBe(4);
    expect(queryLibrary<string>(library.dataDir, 'SELECT path FROM failures')).toEqual([]);
  });

  it('keeps the photos it is indexing behind a link whose drive is unplugged meanwhile, and forgets a folder deleted meanwhile', async () => {
    const linked = path.join(scratch.dir, 'drive');
    await copyPhotos(photos.slice(0, 2), folder);
    const trip = await copyPhotos(photos.slice(2, 4), path.join(folder, 'Trip'));
    const onDrive = await copyPhotos(photos.slice(4, 7), linked);
    await symlink(linked, path.join(folder, 'drive'));
    const { folders } = await library.addFolders([folder]);
    expect((await library.index(model, { folders })).embedded).toBe(7);

    // Another model embeds every photo again (Note [Model switch]); meanwhile the drive goes and Trip is deleted.
    const other = await loadFixtureModel(HF_MODEL);
    try {
      let changed = false;
      const summary = await library.index(other, {
        folders,
        concurrency: 1,
        onProgress: (progress) => {
          if (progress.phase !== 'indexing' || changed) return;
          changed = true;
          renameSync(linked, `${linked}-unplugged`);
          rmSync(path.join(folder, 'Trip'), { recursive: true });
        },
      });
      expect(summary.removed).toBe(2);
      expect(summary.failed.map((failure) => failure.path).sort()).toEqual(onDrive.map((file) => path.join(folder, 'drive', path.relative(linked, file))).sort());
      const paths = queryLibrary<string>(library.dataDir, 'SELECT path FROM files');
      expect(paths).toHaveLength(5);
      for (const file of trip) expect(paths).not.toContain(file);
    } finally {
      await other.dispose();
    }
  });

  it('keeps the photos of a library folder found empty, as a drive not mounted leaves its mount point, and says so (Note [Drive not mounted])', async () => {
    const files = await copyPhotos(photos.slice(0, 3), folder);
    const { folders } = await library.addFolders([folder]);
    expect((await library.index(model, { folders })).embedded).toBe(3);
    const moved = path.join(scratch.dir, 'unmounted');
    await rename(folder, moved);
    await mkdir(folder);
    const summary = await library.index(model, { folders });
    expect(summary.removed).toBe(0);
    // Out of reach, as a folder that cannot be opened is (Note [A folder out of reach] in walk.ts): no file's failure.
    expect(summary.failed).toEqual([]);
    expect(summary.unreachable).toEqual([{ path: folder, message: expect.stringMatching(/is empty, but 3 photos were indexed there: is its drive not mounted\?/) }]);
    expect(queryLibrary<string>(library.dataDir, 'SELECT path FROM failures')).toEqual([folder]);
    expect(library.status().photos).toBe(3);
    // Mounted again: nothing to do, and nothing failed.
    await rm(folder, { recursive: true });
    await rename(moved, folder);
    expect(await library.index(model, { folders })).toMatchObject({ unchanged: 3, removed: 0, failed: [] });
    expect(queryLibrary<string>(library.dataDir, 'SELECT path FROM failures')).toEqual([]);
    // A folder that still holds anything (here a file that is no photo) is walked as it is: its photos were deleted.
    for (const file of files) await rm(file);
    await writeFile(path.join(folder, 'notes.txt'), 'moved the photos elsewhere');
    expect(await library.index(model, { folders })).toMatchObject({ removed: 3, failed: [] });
  });

  it('keeps only what lies behind a link that leads nowhere: deletions elsewhere in the folder are still seen', async () => {
    const linked = path.join(scratch.dir, 'drive');
    await mkdir(linked, { recursive: true });
    const [kept, deleted, moved] = await copyPhotos(photos.slice(0, 3), folder);
    await copyPhotos(photos.slice(3, 5), linked);
    await symlink(linked, path.join(folder, 'drive'));
    const { folders } = await library.addFolders([folder]);
    expect((await library.index(model, { folders })).embedded).toBe(5);

    // The drive is unplugged (its link now leads nowhere), one photo is deleted and one renamed.
    await rename(linked, `${linked}-unplugged`);
    await rm(deleted as string);
    await rename(moved as string, path.join(folder, 'renamed.jpg'));
    const summary = await library.index(model, { folders });
    expect(summary).toMatchObject({ removed: 1, moved: 1 });
    expect(summary.failed).toEqual([expect.objectContaining({ path: path.join(folder, 'drive'), reason: 'unreadable' })]);
    const paths = queryLibrary<string>(library.dataDir, 'SELECT path FROM files ORDER BY path');
    expect(paths.filter((file) => !file.includes(`${path.sep}drive${path.sep}`))).toEqual([kept, path.join(folder, 'renamed.jpg')].sort());
    expect(paths.filter((file) => file.includes(`${path.sep}drive${path.sep}`))).toHaveLength(2);
  });
});
