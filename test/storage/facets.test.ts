/**
 * Search filters (Note [Filter facets]): for random libraries and random combinations of every
 * filter, the photos a filter lets through are exactly those a plain reading of its definition
 * selects, and the snapshot follows every write (Note [Facets follow writes]) as a fresh reading
 * of it would.
 */
import fc from 'fast-check';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { folderKey } from '../../main/core/folder-key.js';
import { cameraChoices, formatChoices, timeline } from '../../main/engine/photo-info.js';
import { clockOfLocal } from '../../main/storage/clock-dates.js';
import type { Db } from '../../main/storage/database.js';
import { PhotoFacets } from '../../main/storage/photo-facets.js';
import { PhotoTimeline, narrowed } from '../../main/storage/photo-timeline.js';
import type { PhotoFilters } from '../../main/storage/photo-store.js';
import { Storage } from '../../main/storage/storage.js';
import { tempDir } from '../helpers/fixtures.js';

interface Photo {
  path: string;
  folder: 0 | 1;
  takenAt: number | null;
  mtimeMs: number;
  format: string;
  make: string | null;
  model: string | null;
  located: boolean;
  /** Tag -> rejected. */
  tags: Record<string, boolean>;
  /** Shares its image with the photo before it (a copy). */
  copy: boolean;
}

const ROOTS = ['/lib/a', '/lib/b'] as const;
const DAY = 86_400_000;

const photoArb = fc.record({
  dir: fc.constantFrom('', 'trip', 'trip/day 1', 'trips', 'x\\y'),
  folder: fc.constantFrom<0 | 1>(0, 1),
  takenAt: fc.option(fc.integer({ min: 0, max: 20 }), { nil: null }),
  mtime: fc.integer({ min: 0, max: 20 }),
  format: fc.constantFrom('jpeg', 'png', 'heic'),
  camera: fc.constantFrom<[string | null, string | null]>(['FUJIFILM', 'X100V'], ['Canon', 'EOS R5'], [null, 'iPhone'], ['ÉLAN', 'Ø1'], [null, null]),
  located: fc.boolean(),
  tags: fc.dictionary(fc.constantFrom('beach', 'Dog', 'café', 'Äpfel'), fc.boolean(), { maxKeys: 3 }),
  copy: fc.boolean(),
});

type Draft = typeof photoArb extends fc.Arbitrary<infer T> ? T : never;

/** Folders named by key (the app's Folder filter): a library folder, folders below, and folders no file is under. */
const WITHIN = ['/lib/a', '/lib/a/trip', '/lib/b/x', '/lib/a/tri', '/lib', '/elsewhere'];

/** One to three filters at once: more would let almost nothing through, and test little. */
const filtersArb: fc.Arbitrary<PhotoFilters> = fc
  .array(
    fc.oneof(
      fc.integer({ min: 0, max: 20 }).map((d) => ({ takenAfter: d * DAY })),
      fc.integer({ min: 0, max: 20 }).map((d) => ({ takenBefore: d * DAY })),
      fc.constantFrom('/lib/a', '/lib/a/', '/lib/a/trip', '/lib/b/x', '/lib/a/tri', '/elsewhere').map((folder) => ({ folder })),
      fc.constantFrom(...WITHIN).map((dir) => ({ within: folderKey(dir) })),
      fc.constantFrom('fuji', 'CANON', 'eos r', 'phone', 'x', 'élan', 'n ø', 'canon r5', 'X100V fuji', 'ø1  ÉLAN').map((camera) => ({ camera })),
      fc.subarray(['jpeg', 'png', 'heic'], { minLength: 1 }).map((formats) => ({ formats })),
      fc.boolean().map((hasLocation) => ({ hasLocation })),
      fc.constantFrom('beach', 'dog', 'DOG', 'café', 'CAFÉ', 'cat', 'äpfel', 'ÄPFEL').map((tag) => ({ tag })),
    ),
    { minLength: 1, maxLength: 3 },
  )
  .map((parts) => Object.assign({}, ...parts) as PhotoFilters);

/** A photo's date: its capture date, else its file's time on this machine's clock (Note [File times on the clock] in main/storage/clock-dates.ts). */
const photoDate = (photo: Photo) => photo.takenAt ?? clockOfLocal(photo.mtimeMs);

/** The filters read plainly, one photo (file) at a time. */
function passes(photo: Photo, f: PhotoFilters): boolean {
  const date = photoDate(photo);
  const camera = `${photo.make ?? ''} ${photo.model ?? ''}`.toLowerCase();
  const folder = f.folder?.replace(/[\\/]+$/, '');
  const within = f.within === undefined ? undefined : WITHIN.find((dir) => folderKey(dir) === f.within);
  const shown = Object.entries(photo.tags).filter(([, rejected]) => !rejected).map(([tag]) => tag.toLowerCase());
  return (
    (f.takenAfter === undefined || date >= f.takenAfter) &&
    (f.takenBefore === undefined || date <= f.takenBefore) &&
    (folder === undefined || photo.path.startsWith(`${folder}/`) || photo.path.startsWith(`${folder}\\`)) &&
    (within === undefined || photo.path.startsWith(`${within}/`) || photo.path.startsWith(`${within}\\`)) &&
    (f.camera === undefined || f.camera.toLowerCase().split(/\s+/).every((word) => camera.includes(word))) &&
    (f.formats === undefined || f.formats.includes(photo.format)) &&
    (f.hasLocation === undefined || photo.located === f.hasLocation) &&
    (f.tag === undefined || shown.includes(f.tag.toLowerCase()))
  );
}

describe('search filters', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };

  beforeEach(async () => {
    scratch = await tempDir();
  });
  afterEach(async () => {
    await scratch.cleanup();
  });

  /** Writes the photos (a copy joins the image before it); returns each photo's image id. `first` numbers their contents apart from earlier calls'. */
  function write(storage: Storage, photos: Photo[], folderIds: number[], first = 0): number[] {
    const imageIds: number[] = [];
    photos.forEach((photo, i) => {
      const previous = imageIds[i - 1];
      const image =
        photo.copy && previous !== undefined
          ? { existingId: previous }
          : {
              created: {
                contentHash: `hash-${first + i}`,
                format: photo.format,
                width: 4,
                height: 3,
                thumbnail: null,
                takenAt: photo.takenAt,
                cameraMake: photo.make,
                cameraModel: photo.model,
                lens: null,
                latitude: photo.located ? 1 : null,
                longitude: photo.located ? 2 : null,
                orientation: null,
              },
            };
      storage.library.writeBatch('m', [{ path: photo.path, folderId: folderIds[photo.folder] as number, size: 1, mtimeMs: photo.mtimeMs, ctimeMs: photo.mtimeMs, image, vector: null }], []);
      const imageId = storage.photos.photoByPath(photo.path)!.imageId;
      imageIds.push(imageId);
      if (photo.copy) return;
      for (const [tag, rejected] of Object.entries(photo.tags)) {
        if (rejected) storage.tags.setVerdict(imageId, tag, true);
        else storage.tags.insertAuto(imageId, { tag, score: 1, cosine: 0.3 }, 'm', 1);
      }
    });
    return imageIds;
  }

  it('let through exactly the photos each combination of filters selects', () => {
    let run = 0;
    fc.assert(
      fc.property(fc.array(photoArb, { minLength: 1, maxLength: 25 }), fc.array(filtersArb, { minLength: 1, maxLength: 6 }), (drafts, filterSets) => {
        const storage = Storage.open(path.join(scratch.dir, `run-${run++}`));
        try {
          check(storage, drafts, filterSets);
        } finally {
          storage.close();
        }
      }),
      { numRuns: 100 },
    );
  });

  function check(storage: Storage, drafts: Draft[], filterSets: PhotoFilters[]): void {
    const folderIds = ROOTS.map((root) => storage.library.addFolder(root, []));
    const photos: Photo[] = [];
    drafts.forEach((draft, i) => {
      // A copy has its image's metadata: only its path, folder and file time are its own.
      const copyOf = draft.copy ? photos[i - 1] : undefined;
      photos.push({
        path: [ROOTS[draft.folder], draft.dir, `IMG_${i}.jpg`].filter(Boolean).join('/'),
        folder: draft.folder,
        takenAt: copyOf ? copyOf.takenAt : draft.takenAt === null ? null : draft.takenAt * DAY,
        mtimeMs: draft.mtime * DAY,
        format: copyOf?.format ?? draft.format,
        make: copyOf ? copyOf.make : draft.camera[0],
        model: copyOf ? copyOf.model : draft.camera[1],
        located: copyOf?.located ?? draft.located,
        tags: copyOf?.tags ?? draft.tags,
        copy: copyOf !== undefined,
      });
    });
    const imageIds = write(storage, photos, folderIds);
    for (const filters of filterSets) {
      const expected = new Set(imageIds.filter((_, i) => passes(photos[i]!, filters)));
      expect(storage.photos.matchingImageIds(filters)).toEqual(expected);
      const matching = storage.photos.matching(filters);
      expect(matching?.size ?? new Set(imageIds).size).toBe(expected.size);
      // The timeline of the images that pass, found in the snapshot (while no timeline is kept),
      // then narrowed from the whole timeline kept, in the order SQL gives the whole (Note [Filtered timeline]).
      if (matching) {
        const expected = narrowed(PhotoTimeline.read((storage as unknown as { db: Db }).db).columns, matching);
        expect(storage.photos.timelineOf(matching, 1)).toEqual(expected);
        expect(storage.photos.timelineOf(matching, 0)).toEqual(expected);
        // Exactly the files that pass, not their images' other copies (Note [Files pass, not images]).
        const files = photos.filter((photo) => passes(photo, filters)).map((photo) => storage.photos.photoByPath(photo.path)!.photoId);
        expect([...expected.photoIds].sort((a, b) => a - b)).toEqual(files.sort((a, b) => a - b));
      }
      // The photo shown for an image is its first file that passes, dated by the earliest such file.
      const representatives = storage.photos.representatives([...new Set(imageIds)], filters);
      for (const row of representatives) {
        const first = photos.findIndex((photo, i) => imageIds[i] === row.imageId && passes(photo, filters));
        expect(row.path).toBe(photos[first]!.path);
      }
      expect(representatives.map((row) => row.imageId).sort()).toEqual([...expected].sort());
      const dates = storage.photos.datesOf([...new Set(imageIds)], filters);
      for (const id of expected) {
        const earliest = Math.min(...photos.filter((photo, i) => imageIds[i] === id && passes(photo, filters)).map(photoDate));
        expect(dates.get(id)).toBe(earliest);
      }
    }
  }

  it('show in the library grid only the files that pass, not every copy of their image (Note [Files pass, not images])', () => {
    const storage = Storage.open(scratch.dir);
    onTestFinished(() => storage.close());
    const folderIds = ['/trips', '/backup'].map((root) => storage.library.addFolder(root, []));
    const file = (filePath: string, folder: 0 | 1, mtimeMs: number, copy: boolean): Photo => ({ path: filePath, folder, takenAt: null, mtimeMs, format: 'jpeg', make: null, model: null, located: false, tags: {}, copy });
    // A photo without a capture date, copied to a backup later: the copy is dated by its own file time.
    write(storage, [file('/trips/beach.jpg', 0, 2 * DAY, false), file('/backup/beach copy.jpg', 1, 9 * DAY, true), file('/backup/other.jpg', 1, 9 * DAY, false)], folderIds);
    const cases: Array<[PhotoFilters, string[]]> = [
      [{ folder: '/trips' }, ['beach.jpg']],
      [{ within: folderKey('/trips') }, ['beach.jpg']],
      [{ takenBefore: 5 * DAY }, ['beach.jpg']],
      [{ folder: '/backup' }, ['other.jpg', 'beach copy.jpg']],
      [{ takenAfter: 5 * DAY }, ['other.jpg', 'beach copy.jpg']],
    ];
    // Found in the facets, then narrowed from the timeline kept (Note [Filtered timeline]); the grid's total agrees.
    for (const share of [1, 0]) for (const [filters, names] of cases) expect(storage.photos.timelineOf(storage.photos.matching(filters)!, share).names).toEqual(names);
    for (const [filters, names] of cases) expect(timeline(storage, filters)).toMatchObject({ total: names.length, names });
  });

  it('match a camera with capitals beyond ASCII in any case (Note [Case folded in JavaScript])', () => {
    const storage = Storage.open(scratch.dir);
    onTestFinished(() => storage.close());
    const photo = (name: string, make: string, model: string): Photo => ({ path: `/lib/${name}`, folder: 0, takenAt: null, mtimeMs: 1, format: 'jpeg', make, model, located: false, tags: {}, copy: false });
    const [elan, lodz] = write(storage, [photo('a.jpg', 'ÉLAN', 'X'), photo('b.jpg', 'Canon', 'ŁÓDŹ 1')], [storage.library.addFolder('/lib', [])]);
    for (const camera of ['élan', 'ÉLAN', 'Élan x']) expect(storage.photos.matchingImageIds({ camera })).toEqual(new Set([elan]));
    for (const camera of ['łódź', 'CANON ŁÓDŹ']) expect(storage.photos.matchingImageIds({ camera })).toEqual(new Set([lodz]));
  });

  it('match a camera by each word typed, in any order, as the viewer names it (Note [Camera words])', () => {
    const storage = Storage.open(scratch.dir);
    onTestFinished(() => storage.close());
    const photo = (name: string, make: string, model: string): Photo => ({ path: `/lib/${name}`, folder: 0, takenAt: null, mtimeMs: 1, format: 'jpeg', make, model, located: false, tags: {}, copy: false });
    const [em1, em5] = write(storage, [photo('a.jpg', 'OLYMPUS IMAGING CORP.', 'E-M1'), photo('b.jpg', 'OLYMPUS IMAGING CORP.', 'E-M5')], [storage.library.addFolder('/lib', [])]);
    for (const camera of ['olympus e-m1', 'OLYMPUS IMAGING CORP. E-M1', 'e-m1 Olympus', ' olympus   E-M1 ']) expect(storage.photos.matchingImageIds({ camera }), camera).toEqual(new Set([em1]));
    expect(storage.photos.matchingImageIds({ camera: 'olympus corp' })).toEqual(new Set([em1, em5]));
    for (const camera of ['olympus e-m10', 'canon e-m1']) expect(storage.photos.matchingImageIds({ camera }), camera).toEqual(new Set());
  });

  it('offer the Camera filter each camera by the name the viewer gives it, with its photos counted once however many copies, the most first', () => {
    const storage = Storage.open(scratch.dir);
    onTestFinished(() => storage.close());
    const photo = (name: string, make: string | null, model: string | null, copy = false): Photo => ({ path: `/lib/${name}`, folder: 0, takenAt: null, mtimeMs: 1, format: 'jpeg', make, model, located: false, tags: {}, copy });
    write(
      storage,
      [
        photo('a.jpg', 'OLYMPUS IMAGING CORP.', 'E-M1'),
        photo('a copy.jpg', null, null, true),
        photo('b.jpg', 'Canon', 'Canon EOS R5'),
        photo('c.jpg', null, 'Canon EOS R5'),
        photo('d.jpg', 'Apple', 'iPhone 12'),
        photo('e.jpg', 'Apple', 'iPhone 12'),
        photo('f.jpg', 'Apple', 'iPhone 12'),
        photo('g.jpg', null, null),
      ],
      [storage.library.addFolder('/lib', [])],
    );
    const choices = cameraChoices(storage);
    expect(choices).toEqual([
      { name: 'Apple iPhone 12', photos: 3 },
      { name: 'Canon EOS R5', photos: 2 },
      { name: 'OLYMPUS IMAGING CORP. E-M1', photos: 1 },
    ]);
    // Each name, typed in the filter, finds its camera's photos.
    for (const { name, photos } of choices) expect(storage.photos.matchingImageIds({ camera: name }).size).toBe(photos);
  });

  it('offer the File type filter only the types the library has photos in, each photo counted once however many copies', () => {
    const storage = Storage.open(scratch.dir);
    onTestFinished(() => storage.close());
    expect(formatChoices(storage)).toEqual([]);
    const photo = (name: string, format: string, copy = false): Photo => ({ path: `/lib/${name}`, folder: 0, takenAt: null, mtimeMs: 1, format, make: null, model: null, located: false, tags: {}, copy });
    write(storage, [photo('a.heic', 'heic'), photo('b.jpg', 'jpeg'), photo('b copy.jpg', 'jpeg', true), photo('c.png', 'png'), photo('d.jpg', 'jpeg')], [storage.library.addFolder('/lib', [])]);
    expect(formatChoices(storage)).toEqual([
      { format: 'jpeg', photos: 2 },
      { format: 'png', photos: 1 },
      { format: 'heic', photos: 1 },
    ]);
  });

  it('match a tag in any case beyond ASCII, whichever spelling is asked first (Note [Case folded in JavaScript])', () => {
    const storage = Storage.open(scratch.dir);
    onTestFinished(() => storage.close());
    const photo = (name: string, tags: Record<string, boolean>): Photo => ({ path: `/lib/${name}`, folder: 0, takenAt: null, mtimeMs: 1, format: 'jpeg', make: null, model: null, located: false, tags, copy: false });
    // Given by the tagger, confirmed under another spelling, rejected under a third.
    const [given, confirmed] = write(storage, [photo('a.jpg', { Äpfel: false }), photo('b.jpg', {}), photo('c.jpg', { ÄPFEL: true })], [storage.library.addFolder('/lib', [])]) as [number, number, number];
    storage.tags.setVerdict(confirmed, 'äpfel', false);
    for (const tag of ['äpfel', 'Äpfel', 'ÄPFEL', 'äPfEl']) expect(storage.photos.matchingImageIds({ tag })).toEqual(new Set([given, confirmed]));
    expect(storage.photos.matchingImageIds({ tag: 'apfel' })).toEqual(new Set());
  });

  it('narrow to a folder at the top of a drive by its key, with or without its separator', () => {
    const photo = (file: string): Photo => ({ path: file, folder: 0, takenAt: null, mtimeMs: 1, format: 'jpeg', make: null, model: null, located: false, tags: {}, copy: false });
    // A library on Linux or macOS, and one on Windows (a drive and a share).
    for (const [dataDir, root, files] of [
      [scratch.dir, '/', ['/top.jpg', '/DCIM/a.jpg', '/DCIM/100/b.jpg']],
      [path.join(scratch.dir, 'windows'), 'E:\\', ['E:\\c.jpg', 'E:\\DCIM\\d.jpg', '\\\\nas\\photos\\e.jpg', '\\\\nas\\photos\\2019\\f.jpg']],
    ] as const) {
      const storage = Storage.open(dataDir);
      onTestFinished(() => storage.close());
      const ids = write(storage, files.map(photo), [storage.library.addFolder(root, [])]);
      const within = (dir: string) => [...storage.photos.matchingImageIds({ within: folderKey(dir) })].sort();
      const of = (...names: string[]) => names.map((name) => ids[(files as readonly string[]).indexOf(name)]).sort();
      if (root === '/') {
        expect(within('/')).toEqual(of(...files));
        expect(within('/DCIM')).toEqual(of('/DCIM/a.jpg', '/DCIM/100/b.jpg'));
      } else {
        expect(within('E:\\')).toEqual(of('E:\\c.jpg', 'E:\\DCIM\\d.jpg'));
        expect(within('E:')).toEqual(within('E:\\'));
        expect(within('\\\\nas\\photos\\')).toEqual(of('\\\\nas\\photos\\e.jpg', '\\\\nas\\photos\\2019\\f.jpg'));
      }
      expect(within('/nowhere')).toEqual([]);
    }
  });

  it('follow every write: a tag given, a verdict, a file moved', () => {
    const storage = Storage.open(scratch.dir);
    onTestFinished(() => storage.close());
    const folderId = storage.library.addFolder('/lib', []);
    const [a, b] = write(
      storage,
      [
        { path: '/lib/a.jpg', folder: 0, takenAt: null, mtimeMs: 1, format: 'jpeg', make: null, model: null, located: false, tags: {}, copy: false },
        { path: '/lib/b.jpg', folder: 0, takenAt: null, mtimeMs: 1, format: 'jpeg', make: null, model: null, located: false, tags: { dog: false }, copy: false },
      ],
      [folderId],
    ) as [number, number];
    expect(storage.photos.matchingImageIds({ tag: 'dog' })).toEqual(new Set([b]));
    storage.tags.insertAuto(a, { tag: 'dog', score: 1, cosine: 0.3 }, 'm', 1);
    expect(storage.photos.matchingImageIds({ tag: 'Dog' })).toEqual(new Set([a, b]));
    storage.tags.setVerdict(b, 'dog', true);
    expect(storage.photos.matchingImageIds({ tag: 'dog' })).toEqual(new Set([a]));
    storage.library.writeBatch('m', [{ path: '/lib/sub/a.jpg', folderId, size: 1, mtimeMs: 1, ctimeMs: 1, image: { existingId: a }, vector: null }], []);
    storage.library.removeMissing(folderId, new Set(['/lib/sub/a.jpg', '/lib/b.jpg']));
    expect(storage.photos.matchingImageIds({ folder: '/lib/sub' })).toEqual(new Set([a]));
  });

  const opArb = fc.oneof(
    photoArb.map((draft) => ({ kind: 'add' as const, draft: { ...draft, copy: false } })),
    fc.record({ kind: fc.constant('change' as const), file: fc.nat(), image: fc.nat() }),
    fc.record({ kind: fc.constant('tag' as const), file: fc.nat(), tag: fc.constantFrom('beach', 'Dog', 'cat'), rejected: fc.boolean() }),
    fc.record({ kind: fc.constant('remove' as const), file: fc.nat() }),
  );

  it('follow each write through their connection as a fresh reading does (Note [Facets follow writes])', () => {
    let run = 0;
    fc.assert(
      // Compared after some writes only, so that one update takes several of them at once.
      fc.property(fc.array(fc.tuple(opArb, fc.boolean()), { minLength: 1, maxLength: 20 }), fc.array(filtersArb, { minLength: 1, maxLength: 4 }), (ops, filterSets) => {
        const dir = path.join(scratch.dir, `follow-${run++}`);
        const storage = Storage.open(dir);
        const folderIds = ROOTS.map((root) => storage.library.addFolder(root, []));
        // Another connection reads the snapshot whole after every commit: the reference.
        const reader = Storage.open(dir, { readonly: true });
        try {
          const files: Array<{ path: string; folder: 0 | 1 }> = [];
          const compare = () => {
            // The timeline kept from the first comparison on, followed since (Note [Timeline follows writes]).
            expect(storage.photos.timeline()).toEqual(reader.photos.timeline());
            for (const filters of filterSets) {
              expect(storage.photos.matchingImageIds(filters)).toEqual(reader.photos.matchingImageIds(filters));
              const matching = storage.photos.matching(filters);
              if (matching) expect(storage.photos.timelineOf(matching)).toEqual(reader.photos.timelineOf(matching, 0));
              const imageIds = files.map((file) => storage.photos.photoByPath(file.path)!.imageId);
              expect(storage.photos.representatives(imageIds, filters)).toEqual(reader.photos.representatives(imageIds, filters));
            }
          };
          compare();
          ops.forEach(([op, compareAfter], i) => {
            const target = files.length > 0 && op.kind !== 'add' ? files[op.file % files.length]! : null;
            if (op.kind === 'add') {
              const { draft } = op;
              const file = { path: [ROOTS[draft.folder], draft.dir, `IMG_${i}.jpg`].filter(Boolean).join('/'), folder: draft.folder };
              const photo: Photo = { ...file, takenAt: draft.takenAt === null ? null : draft.takenAt * DAY, mtimeMs: draft.mtime * DAY, format: draft.format, make: draft.camera[0], model: draft.camera[1], located: draft.located, tags: draft.tags, copy: false };
              write(storage, [photo], folderIds, i);
              files.push(file);
            } else if (target && op.kind === 'change') {
              // The file now shows another image (edited, or replaced by another photo).
              const image = storage.photos.photoByPath(files[op.image % files.length]!.path)!.imageId;
              storage.library.writeBatch('m', [{ path: target.path, folderId: folderIds[target.folder] as number, size: 2, mtimeMs: (i + 1) * DAY, ctimeMs: (i + 1) * DAY, image: { existingId: image }, vector: null }], []);
            } else if (target && op.kind === 'tag') {
              const image = storage.photos.photoByPath(target.path)!.imageId;
              storage.tags.setVerdict(image, op.tag, op.rejected);
            } else if (target && op.kind === 'remove') {
              files.splice(files.indexOf(target), 1);
              storage.library.removeMissing(folderIds[target.folder] as number, new Set(files.map((file) => file.path)));
            }
            if (compareAfter) compare();
          });
          compare();
        } finally {
          reader.close();
          storage.close();
        }
      }),
      { numRuns: 40 },
    );
  });

  it('take only the files a write touched, and read everything again when a file went (Note [Facets follow writes])', () => {
    const storage = Storage.open(scratch.dir);
    onTestFinished(() => storage.close());
    const folderId = storage.library.addFolder('/lib', []);
    const photo = (name: string, make: string | null): Photo => ({ path: `/lib/${name}`, folder: 0, takenAt: null, mtimeMs: 1, format: 'jpeg', make, model: null, located: false, tags: {}, copy: false });
    write(storage, [photo('a.jpg', 'Fujifilm'), photo('b.jpg', null)], [folderId]);
    expect(storage.photos.matchingImageIds({ camera: 'fuji' }).size).toBe(1);
    const reads = vi.spyOn(PhotoFacets, 'read');
    onTestFinished(() => reads.mockRestore());
    // Indexing: photos added, a tag given, an embedding stored; each followed in place.
    write(storage, [photo('c.jpg', 'Fujifilm'), photo('d.jpg', 'Fujifilm')], [folderId], 2);
    expect(storage.photos.matchingImageIds({ camera: 'fuji' }).size).toBe(3);
    const c = storage.photos.photoByPath('/lib/c.jpg')!.imageId;
    storage.tags.insertAuto(c, { tag: 'dog', score: 1, cosine: 0.3 }, 'm', 1);
    expect(storage.photos.matchingImageIds({ camera: 'fuji', tag: 'dog' })).toEqual(new Set([c]));
    // An image's own facets changed (no write path of the app does this yet; a migration might).
    const b = storage.photos.photoByPath('/lib/b.jpg')!.imageId;
    (storage as unknown as { db: Db }).db.prepare("UPDATE images SET camera_make = 'Fujifilm' WHERE id = ?").run(b);
    expect(storage.photos.matchingImageIds({ camera: 'fuji' }).size).toBe(4);
    expect(reads).not.toHaveBeenCalled();
    storage.library.removeMissing(folderId, new Set(['/lib/a.jpg', '/lib/b.jpg', '/lib/d.jpg']));
    expect(storage.photos.matchingImageIds({ camera: 'fuji' }).size).toBe(3);
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('keep the timeline through added, changed and removed files without reading it again, and nothing of a rollback (Note [Timeline follows writes])', () => {
    const storage = Storage.open(scratch.dir);
    onTestFinished(() => storage.close());
    const folderId = storage.library.addFolder('/lib', []);
    const photo = (name: string, mtimeMs: number): Photo => ({ path: `/lib/${name}`, folder: 0, takenAt: null, mtimeMs, format: 'jpeg', make: null, model: null, located: false, tags: {}, copy: false });
    write(storage, [photo('a.jpg', 3), photo('b.jpg', 1)], [folderId]);
    const names = () => storage.photos.timeline().names;
    expect(names()).toEqual(['a.jpg', 'b.jpg']);
    const reads = vi.spyOn(PhotoTimeline, 'read');
    onTestFinished(() => reads.mockRestore());
    // Added before, between and after; one of the same date as another goes first (a higher id).
    write(storage, [photo('c.jpg', 2), photo('d.jpg', 4), photo('e.jpg', 0), photo('f.jpg', 3)], [folderId], 2);
    expect(names()).toEqual(['d.jpg', 'f.jpg', 'a.jpg', 'c.jpg', 'b.jpg', 'e.jpg']);
    // A file edited (another image, a later date), another removed.
    const d = storage.photos.photoByPath('/lib/d.jpg')!.imageId;
    storage.library.writeBatch('m', [{ path: '/lib/b.jpg', folderId, size: 2, mtimeMs: 5, ctimeMs: 5, image: { existingId: d }, vector: null }], []);
    storage.library.removeMissing(folderId, new Set(['a.jpg', 'b.jpg', 'd.jpg', 'e.jpg', 'f.jpg'].map((name) => `/lib/${name}`)));
    // Narrowed by a filter first, then whole: each brings it up to date.
    expect(storage.photos.timelineOf(storage.photos.matching({ formats: ['jpeg'] })!).names).toEqual(['b.jpg', 'd.jpg', 'f.jpg', 'a.jpg', 'e.jpg']);
    expect(names()).toEqual(['b.jpg', 'd.jpg', 'f.jpg', 'a.jpg', 'e.jpg']);
    // An image's size changed (no write path of the app does this yet; a migration might): both its files follow.
    (storage as unknown as { db: Db }).db.prepare('UPDATE images SET width = 8 WHERE id = ?').run(d);
    expect([...storage.photos.timeline().widths]).toEqual([8, 8, 4, 4, 4]);
    expect(reads).not.toHaveBeenCalled();
    // More files at once than are worth taking one by one: read whole again, once.
    const many = Array.from({ length: 120 }, (_, i) => photo(`many-${i}.jpg`, 0.5));
    write(storage, many, [folderId], 100);
    expect(names()).toEqual(['b.jpg', 'd.jpg', 'f.jpg', 'a.jpg', ...many.map((each) => path.basename(each.path)).reverse(), 'e.jpg']);
    expect(reads).toHaveBeenCalledTimes(1);
    reads.mockClear();
    expect(() =>
      storage.transaction(() => {
        write(storage, [photo('g.jpg', 9)], [folderId], 9);
        expect(names()[0]).toBe('g.jpg');
        throw new Error('rolled back');
      }),
    ).toThrow('rolled back');
    expect(names()).toHaveLength(125);
    expect(names()[0]).toBe('b.jpg');
    // As many again over several writes, each log taken by a filter asked for in between while the
    // timeline was not: read whole again, once.
    reads.mockClear();
    const more = Array.from({ length: 180 }, (_, i) => photo(`more-${i}.jpg`, 0.25));
    for (let part = 0; part < 3; part++) {
      write(storage, more.slice(part * 60, part * 60 + 60), [folderId], 300 + part * 60);
      storage.photos.matching({ formats: ['jpeg'] });
    }
    expect(names()).toHaveLength(305);
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('keep nothing of a transaction that rolled back, nor of an update that failed halfway (Note [Facets follow writes])', () => {
    const storage = Storage.open(scratch.dir);
    onTestFinished(() => storage.close());
    const folderId = storage.library.addFolder('/lib', []);
    const fuji = (name: string): Photo => ({ path: `/lib/${name}`, folder: 0, takenAt: null, mtimeMs: 1, format: 'jpeg', make: 'Fujifilm', model: null, located: false, tags: {}, copy: false });
    write(storage, [fuji('a.jpg')], [folderId]);
    const count = () => storage.photos.matchingImageIds({ camera: 'fuji' }).size;
    expect(count()).toBe(1);
    expect(() =>
      storage.transaction(() => {
        write(storage, [fuji('b.jpg')], [folderId], 1);
        expect(count()).toBe(2);
        throw new Error('rolled back');
      }),
    ).toThrow('rolled back');
    expect(count()).toBe(1);
    write(storage, [fuji('c.jpg')], [folderId], 2);
    const update = vi.spyOn(PhotoFacets.prototype, 'update').mockImplementationOnce(() => {
      throw new Error('disk I/O error');
    });
    onTestFinished(() => update.mockRestore());
    expect(count).toThrow('disk I/O error');
    expect(count()).toBe(2);
  });

  it('are kept while nothing is written, and worked out again after a write (Note [Filter results kept])', () => {
    const storage = Storage.open(scratch.dir);
    onTestFinished(() => storage.close());
    const folderId = storage.library.addFolder('/lib', []);
    const [a, b] = write(
      storage,
      [
        { path: '/lib/a.jpg', folder: 0, takenAt: null, mtimeMs: 1, format: 'jpeg', make: 'Fujifilm', model: 'X-T4', located: false, tags: {}, copy: false },
        { path: '/lib/b.jpg', folder: 0, takenAt: null, mtimeMs: 1, format: 'png', make: null, model: null, located: false, tags: {}, copy: false },
      ],
      [folderId],
    ) as [number, number];
    const fuji = storage.photos.matching({ camera: 'fuji' });
    expect(storage.photos.matching({ camera: 'fuji' })).toBe(fuji);
    // Other filters in between (the count, another filter tried) leave it kept.
    for (const filters of [{ formats: ['png'] }, { camera: 'x-t4' }, { hasLocation: true }]) storage.photos.matching(filters);
    expect(storage.photos.matching({ camera: 'fuji' })).toBe(fuji);
    expect([a, b].map((id) => fuji?.has(id))).toEqual([true, false]);
    storage.library.writeBatch('m', [{ path: '/lib/c.jpg', folderId, size: 1, mtimeMs: 1, ctimeMs: 1, image: { existingId: b }, vector: null }], []);
    const after = storage.photos.matching({ camera: 'fuji' });
    expect(after).not.toBe(fuji);
    expect(after?.size).toBe(1);
  });

  it('are read with the memory map off, and leave it as it was (Note [Facets streamed])', () => {
    const storage = Storage.open(scratch.dir);
    onTestFinished(() => storage.close());
    const db = (storage as unknown as { db: Db }).db;
    const mapped = db.pragma('mmap_size', { simple: true }) as number;
    expect(mapped).toBeGreaterThan(0);
    const folderId = storage.library.addFolder('/lib', []);
    const [a] = write(storage, [{ path: '/lib/a.jpg', folder: 0, takenAt: null, mtimeMs: 1, format: 'jpeg', make: null, model: null, located: true, tags: {}, copy: false }], [folderId]);
    expect(storage.photos.matchingImageIds({ hasLocation: true })).toEqual(new Set([a]));
    expect(db.pragma('mmap_size', { simple: true })).toBe(mapped);
  });
});
