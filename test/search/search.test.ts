import path from 'node:path';
import sharp from 'sharp';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { engineHandlers } from '../../main/engine/calls.js';
import type { Engine } from '../../main/engine/engine.js';
import type { Library } from '../../main/library/library.js';
import type { ClipModel } from '../../main/models/clip.js';
import { TextTokenizer } from '../../main/models/tokenizer.js';
import { searchOptionsSchema, type SearchFilters, type SearchOptionsInput } from '../../main/search/options.js';
import { PhotoSearch, type SearchPage } from '../../main/search/search.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos, loadFixtureModel, openLibrary, type FixturePhoto } from '../helpers/library.js';

/** Re-encodes a fixture photo with EXIF camera, date and (optionally) GPS. */
async function withExif(source: string, target: string, exif: { make: string; model: string; date: string; gps?: boolean }): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true });
  const IFD3 = exif.gps ? { GPSLatitudeRef: 'N', GPSLatitude: '38/1 42/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '9/1 8/1 0/1' } : undefined;
  await writeFile(
    target,
    await sharp(source)
      .jpeg({ quality: 92 })
      .withExif({ IFD0: { Make: exif.make, Model: exif.model }, IFD2: { DateTimeOriginal: exif.date }, ...(IFD3 ? { IFD3 } : {}) })
      .toBuffer(),
  );
}

describe('searching a library', () => {
  let model: ClipModel;
  let library: Library;
  let search: PhotoSearch;
  let photos: FixturePhoto[];
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let folder: string;
  const byPath = new Map<string, FixturePhoto>();

  beforeAll(async () => {
    scratch = await tempDir();
    folder = path.join(scratch.dir, 'Photos');
    model = await loadFixtureModel(IMMICH_MODEL);
    photos = await fixturePhotos();
    // All 80 photos; the first of each shape also carries camera, date and location metadata.
    const files = await copyPhotos(photos, folder, (p, i) => (i % 2 === 0 ? `${p.shape}s` : 'misc'));
    files.forEach((file, i) => byPath.set(file, photos[i]!));
    const trip = path.join(folder, 'trip');
    for (const [i, shape] of ['circle', 'square', 'star'].entries()) {
      const photo = photos.find((p) => p.shape === shape)!;
      const target = path.join(trip, `${shape}-trip.jpg`);
      await withExif(photo.file, target, { make: i === 0 ? 'Canon' : 'FUJIFILM', model: i === 0 ? 'EOS R5' : 'X100V', date: `2023:0${i + 6}:15 12:00:00`, gps: i !== 2 });
      byPath.set(target, photo);
    }
    await writeFile(path.join(trip, 'plan.png'), await sharp(photos.find((p) => p.shape === 'cross')!.file).png().toBuffer());
    byPath.set(path.join(trip, 'plan.png'), photos.find((p) => p.shape === 'cross')!);
    library = openLibrary(path.join(scratch.dir, 'data'));
    const summary = await library.index(model, { folders: (await library.addFolders([folder])).folders });
    expect(summary.failed).toEqual([]);
    search = new PhotoSearch(library, model);
  });
  afterAll(async () => {
    await library.close();
    await model.dispose();
    await scratch.cleanup();
  });

  const shapeOf = (hitPath: string) => byPath.get(hitPath)?.shape;

  it('ranks photos by what they show, and cuts where relevance falls off', async () => {
    const page = await search.search('a photo of a star.', { limit: 100 });
    const stars = [...byPath.values()].filter((p) => p.shape === 'star').length;
    const shapes = page.results.map((hit) => shapeOf(hit.path));
    expect(shapes.slice(0, 10).every((shape) => shape === 'star')).toBe(true);
    // The default cutoff keeps the stars and drops most of the rest (stars are a fifth of the
    // library); a strict cutoff keeps (nearly) only stars.
    const found = shapes.filter((shape) => shape === 'star').length;
    expect(found / stars).toBeGreaterThanOrEqual(0.9);
    expect(found / shapes.length).toBeGreaterThanOrEqual(0.4);
    expect(shapes.length).toBeLessThan(byPath.size / 2);
    const precise = (await search.search('a photo of a star.', { limit: 100, cutoff: 0.8 })).results.map((hit) => shapeOf(hit.path));
    expect(precise.filter((shape) => shape === 'star').length / precise.length).toBeGreaterThanOrEqual(0.85);
    expect(precise.filter((shape) => shape === 'star').length / stars).toBeGreaterThanOrEqual(0.8);
    for (let i = 1; i < page.results.length; i++) expect(page.results[i - 1]!.score).toBeGreaterThanOrEqual(page.results[i]!.score);

    const all = await search.search('a photo of a star.', { limit: 1000, showAll: true });
    expect(all.results).toHaveLength(byPath.size);
    expect(all.total).toBe(byPath.size);
    const strict = await search.search('a photo of a star.', { limit: 1000, cutoff: 0.95 });
    expect(strict.results.length).toBeLessThan(page.results.length);
  });

  it('pages through results without overlap', async () => {
    const first = await search.search('a photo of a circle.', { limit: 5, showAll: true });
    const second = await search.search('a photo of a circle.', { limit: 5, offset: 5, showAll: true });
    const whole = await search.search('a photo of a circle.', { limit: 10, showAll: true });
    expect([...first.results, ...second.results].map((r) => r.photoId)).toEqual(whole.results.map((r) => r.photoId));
  });

  it('names each description longer than the model reads by the part it read, and no other (Note [Long descriptions said])', async () => {
    const long = 'a photo of a red circle on a white background next to a blue square and a green star';
    const page = await search.search(`${long} - a photo of a yellow cross. + a photo of a star. + ${long} at noon`, { limit: 3 });
    expect(page.cutShort).toHaveLength(1);
    expect(long.startsWith(page.cutShort[0]!)).toBe(true);
    expect(page.cutShort[0]!.length).toBeLessThan(long.length);
    expect((await search.search('a photo of a circle.', { limit: 3 })).cutShort).toEqual([]);
    expect((await search.similar(page.results[0]!.photoId, { limit: 3 })).cutShort).toEqual([]);
    // The app hears it through the call, and nothing of a description read whole.
    const calls = engineHandlers({ search: (...args: Parameters<Engine['search']>) => search.search(...args) } as unknown as Engine);
    const options = searchOptionsSchema.parse({ limit: 3 });
    expect((await calls['search.query']({ query: long, options })).cutShort).toEqual([page.cutShort[0]]);
    expect(await calls['search.query']({ query: 'a photo of a circle.', options })).not.toHaveProperty('cutShort');
  });

  it('tokenizes a long description once for its embedding and its part read, and its repeat not at all (Note [Long texts tokenized once])', async () => {
    const long = 'a photo of a green star drawn above a red circle, beside a blue square, a yellow cross and a purple triangle, on a white sheet of paper lying on a wooden table';
    const encode = vi.spyOn(TextTokenizer.prototype, 'encode');
    try {
      const pages = [await search.search(long, { limit: 3 }), await search.search(long, { limit: 3 })];
      expect(pages.map((page) => page.cutShort.length)).toEqual([1, 1]);
      expect(pages[1]!.cutShort).toEqual(pages[0]!.cutShort);
      expect(encode.mock.calls.filter(([text]) => text === long)).toHaveLength(1);
    } finally {
      encode.mockRestore();
    }
  });

  it('combines queries: weights, subtraction and photos as terms', async () => {
    const red = await search.search('a photo of a red circle.', { limit: 2 });
    expect(red.results.every((hit) => byPath.get(hit.path)?.colour === 'red' && shapeOf(hit.path) === 'circle')).toBe(true);
    const circlesNotRed = await search.search('a photo of a circle. - 0.5:a photo of a red thing.', { limit: 8 });
    expect(circlesNotRed.results.map((hit) => shapeOf(hit.path)).every((shape) => shape === 'circle')).toBe(true);
    expect(circlesNotRed.results.some((hit) => byPath.get(hit.path)?.colour === 'red')).toBe(false);
    const starFile = [...byPath.entries()].find(([, p]) => p.shape === 'star')![0];
    // The fixture it was copied from: a file from outside the library, so its copy is a result (a library photo named by its path is left out).
    const starOutside = byPath.get(starFile)!.file;
    const files = { imageFiles: true };
    const likeFile = await search.search(`${starOutside}`, { limit: 5 }, undefined, files);
    expect(likeFile.results[0]?.path).toBe(starFile);
    // A weighted sum lands between its terms: the photo ranks higher than for the text alone,
    // squares rank higher than for the photo alone.
    const all = { showAll: true, limit: 200 } as const;
    const rankOf = (page: { results: Array<{ path: string }> }) => page.results.findIndex((hit) => hit.path === starFile);
    const squaresIn = (page: { results: Array<{ path: string }> }) => page.results.slice(0, 10).filter((hit) => shapeOf(hit.path) === 'square').length;
    const textOnly = await search.search('a photo of a square.', all);
    const photoOnly = await search.search(starOutside, all, undefined, files);
    const mixed = await search.search(`2:a photo of a square. + ${starOutside}`, all, undefined, files);
    expect(rankOf(mixed)).toBeLessThan(rankOf(textOnly));
    expect(squaresIn(mixed)).toBeGreaterThan(squaresIn(photoOnly));
  });

  it('reads no file a query from the window names: there a path is a description (Note [No files from the window])', async () => {
    const starFile = [...byPath.entries()].find(([, p]) => p.shape === 'star')![0];
    await expect(search.search('/nowhere/cat.jpg', {}, undefined, { imageFiles: true })).rejects.toThrow(/does not exist/);
    const images = vi.spyOn(model, 'embedImageList');
    try {
      // The app's call table, over this search: the renderer's query and count both.
      const calls = engineHandlers({ search: (...args: Parameters<Engine['search']>) => search.search(...args) } as unknown as Engine);
      // The options as the call's schema gives them to the handler.
      const options = searchOptionsSchema.parse({ limit: 5 });
      for (const query of ['/nowhere/cat.jpg', starFile, `a photo of a star. + ${starFile}`, '~/Pictures/x.png']) {
        const page = await calls['search.query']({ query, options });
        expect(page.results.length).toBeGreaterThan(0);
        await expect(calls['search.count']({ query, options })).resolves.toMatchObject({ total: expect.any(Number) });
      }
      expect(images).not.toHaveBeenCalled();
    } finally {
      images.mockRestore();
    }
  });

  it('finds similar photos by photo id, leaving the photo itself out', async () => {
    const anchor = (await search.search('a photo of a triangle.', { limit: 1 })).results[0]!;
    const similar = await search.similar(anchor.photoId, { limit: 5 });
    expect(similar.results.map((r) => r.photoId)).not.toContain(anchor.photoId);
    // The nearest photo is the other photo of the same coloured shape.
    expect(shapeOf(similar.results[0]!.path)).toBe('triangle');
    expect(byPath.get(similar.results[0]!.path)?.colour).toBe(byPath.get(anchor.path)?.colour);
    await expect(search.similar(99_999)).rejects.toMatchObject({ code: 'not-found' });
    // Named by its path, a library photo is that photo, not an outside file: left out, the same ranking.
    const byItsPath = await search.similar(anchor.path, { limit: 5 });
    expect(byItsPath.results.map((r) => [r.photoId, r.score])).toEqual(similar.results.map((r) => [r.photoId, r.score]));
  });

  it('says in words that a file dropped to search by is not a photo, not in the decoder’s', async () => {
    const notes = Buffer.from('A shopping list renamed list.jpg: not a photo.');
    await expect(search.similar(notes)).rejects.toMatchObject({
      code: 'image-undecodable',
      message: 'That file is not a photo Lumen can read: it is not an image, or not in a format Lumen knows.',
    });
  });

  it('says in indexing’s words that a photo dropped to search by is cut short, not in the decoder’s', async () => {
    const whole = await readFile(photos[0]!.file);
    const cut = whole.subarray(0, Math.floor(whole.length / 2));
    await expect(search.similar(cut)).rejects.toMatchObject({ code: 'image-undecodable', message: 'The image is truncated (an incomplete copy or download?).' });
  });

  it('decodes dropped bytes only in a photo’s format, as the library’s files: an SVG, which libvips reads, is refused', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="red"/></svg>');
    // The decoder would read it (a parser of untrusted XML beside the library) ...
    expect((await sharp(svg).metadata()).format).toBe('svg');
    // ... but Lumen does not hand it over.
    await expect(search.similar(svg)).rejects.toMatchObject({ code: 'image-undecodable', message: 'That file is not a photo Lumen can read: it is not an image, or not in a format Lumen knows.' });
    expect((await search.similar(await sharp(svg).png().toBuffer(), { limit: 1 })).results).toHaveLength(1);
  });

  it('filters by folder, camera, date, file type and location, even when very selective', async () => {
    const trip = path.join(folder, 'trip');
    const inTrip = await search.search('a photo of a star.', { showAll: true, limit: 100, filters: { folder: trip } });
    expect(inTrip.results.map((r) => path.basename(r.path)).sort()).toEqual(['circle-trip.jpg', 'plan.png', 'square-trip.jpg', 'star-trip.jpg']);
    expect(path.basename(inTrip.results[0]!.path)).toBe('star-trip.jpg');
    expect(inTrip.method).toBe('exact');

    const fuji = await search.search('a photo of a square.', { showAll: true, filters: { camera: 'fujifilm' } });
    expect(fuji.results.map((r) => path.basename(r.path))).toEqual(['square-trip.jpg', 'star-trip.jpg']);
    expect(fuji.results[0]).toMatchObject({ cameraMake: 'FUJIFILM', cameraModel: 'X100V' });

    const june = await search.search('a photo of a circle.', { showAll: true, filters: { takenAfter: Date.UTC(2023, 5, 1), takenBefore: Date.UTC(2023, 6, 1) } });
    expect(june.results.map((r) => path.basename(r.path))).toEqual(['circle-trip.jpg']);

    const located = await search.search('a photo of a star.', { showAll: true, filters: { hasLocation: true } });
    expect(located.results.map((r) => path.basename(r.path)).sort()).toEqual(['circle-trip.jpg', 'square-trip.jpg']);
    expect(located.results[0]?.latitude).toBeCloseTo(38.7, 3);

    const pngs = await search.search('a photo of a cross.', { showAll: true, filters: { formats: ['png'] } });
    expect(pngs.results.map((r) => path.basename(r.path))).toEqual(['plan.png']);

    const none = await search.search('a photo of a cross.', { filters: { camera: 'hasselblad' } });
    expect(none.results).toEqual([]);
  });

  it('only narrows with a filter: its results are the unfiltered ones that pass it (Note [Cutoff from the whole library])', async () => {
    const trip = path.join(folder, 'trip');
    const filtersList: SearchFilters[] = [{ folder: trip }, { folder: path.join(folder, 'misc') }, { camera: 'fujifilm' }, { formats: ['png'] }, { formats: ['jpeg'] }, { hasLocation: false }, { takenAfter: Date.UTC(2023, 5, 1) }];
    const anchor = (await search.search('a photo of a triangle.', { limit: 1 })).results[0]!;
    const queries: Array<[string, (options: SearchOptionsInput) => Promise<SearchPage>]> = [
      ['a star', (options) => search.search('a photo of a star.', options)],
      ['a cross, not a circle', (options) => search.search('a photo of a cross. -a photo of a circle.', options)],
      ['like a library photo', (options) => search.similar(anchor.photoId, options)],
      ['like an outside image', (options) => search.similar(photos.find((p) => p.shape === 'square')!.file, options)],
    ];
    for (const [query, run] of queries) {
      const all = await run({ limit: 200 });
      for (const filters of filtersList) {
        const passing = library.storage.photos.matchingImageIds(filters);
        const filtered = await run({ limit: 200, filters });
        // Compared as sets: photos of equal score may come in either order.
        const expected = all.results.filter((hit) => passing.has(hit.imageId)).map((hit) => hit.imageId);
        expect(filtered.results.map((hit) => hit.imageId).sort(), `${query}, ${JSON.stringify(filters)}`).toEqual(expected.sort());
        // What the cutoff leaves out is still the rest of the filtered photos, which show-all shows.
        const shown = await run({ limit: 200, filters, showAll: true });
        expect(filtered.total + filtered.belowCutoff, `${query}, ${JSON.stringify(filters)}`).toBe(shown.total);
      }
    }
  });

  it('filters by a tag shown on photos: given by the tagger or confirmed, not rejected, in any case', async () => {
    const stars = (await search.search('a photo of a star.', { limit: 4 })).results;
    const [given, confirmed, rejected] = stars.map((hit) => hit.imageId) as [number, number, number];
    const { tags } = library.storage;
    tags.insertAuto(given, { tag: 'Pointy', score: 0.9, cosine: 0.3 }, model.id, 1);
    tags.setVerdict(confirmed, 'pointy', false);
    tags.insertAuto(rejected, { tag: 'pointy', score: 0.9, cosine: 0.3 }, model.id, 1);
    tags.setVerdict(rejected, 'pointy', true);
    const pointy = await search.search('a photo of a circle.', { showAll: true, filters: { tag: 'POINTY' } });
    expect(pointy.results.map((hit) => hit.imageId).sort()).toEqual([given, confirmed].sort());
    const pointyPngs = await search.search('a photo of a circle.', { showAll: true, filters: { tag: 'pointy', formats: ['png'] } });
    expect(pointyPngs.results).toEqual([]);
  });

  it('a broad filter goes through the index with oversampling and stays correct', async () => {
    const jpegs = await search.search('a photo of a cross.', { limit: 5, filters: { formats: ['jpeg'] } });
    expect(jpegs.results.every((r) => r.format === 'jpeg' && shapeOf(r.path) === 'cross')).toBe(true);
  });

  it('sorts relevant photos by date', async () => {
    const newest = await search.search('a photo of a circle.', { showAll: true, limit: 100, sort: 'newest' });
    for (let i = 1; i < newest.results.length; i++) expect(newest.results[i - 1]!.takenAt).toBeGreaterThanOrEqual(newest.results[i]!.takenAt);
    const oldest = await search.search('a photo of a circle.', { showAll: true, limit: 1, sort: 'oldest' });
    expect(path.basename(oldest.results[0]!.path)).toBe('circle-trip.jpg');
  });
});
