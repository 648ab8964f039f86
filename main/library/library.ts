/**
 * A person's photo library: the folders they chose, the database that knows every photo, the
 * vector index per model and the thumbnails, all under the app's data folder.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { noPhotoText, UserError } from '../core/errors.js';
import { isWithin } from '../core/folder-key.js';
import { keptPromise } from '../core/kept-promise.js';
import { isInside, nothingAt } from '../core/paths.js';
import { modelFolderAt } from './model-place.js';
import { removeStaleTemporaries } from '../core/temporary-files.js';
import type { ClipModel } from '../models/clip.js';
import { fingerprintOf, imageTowerStandsAsBefore, parseFingerprint, standsAsBefore } from '../models/fingerprint.js';
import type { OpenOptions } from '../storage/storage.js';
import type { FolderRow, RemovedImage } from '../storage/library-store.js';
import type { PhotoRef } from '../storage/photo-store.js';
import { Storage } from '../storage/storage.js';
import { VectorIndex } from '../storage/vector-index.js';
import { addedAt, checkPhotoFolders, noFolderAdded, whereItIs } from './folder-checks.js';
import type { IndexOptions, IndexSummary } from './indexer.js';
import { ThumbnailStore } from './thumbnails.js';

/** A relative path as a glob that matches it alone: its separators as `/`, its glob characters escaped. */
function globLiteral(relative: string): string {
  return relative.split(path.sep).map((part) => part.replace(/[\\*?[\]{}()!+@|"]/g, '\\$&')).join('/');
}

export type PhotoImageKind = 'thumbnail' | 'preview' | 'original';

/** What an add did (Note [Some folders refused]): the folders added, those the library held already among them, and each folder refused, with why. */
export interface FoldersAdded {
  folders: FolderRow[];
  refused: Array<{ path: string; reason: string }>;
}

export interface LibraryStatus {
  photos: number;
  images: number;
  failed: number;
  folders: Array<{ id: number; path: string; excludes: string[] }>;
  servingModel: string | null;
  models: Array<{ model: string; embedded: number; missing: number }>;
  /** An index run started and did not finish: the files it had not reached are not in `missing`. */
  unfinishedRun: boolean;
}

/**
 * Note [The model chosen first]: a run records the model it indexes with as it starts, before
 * it stores a photo. A first run stopped before its first batch was written (Ctrl-C, a kill, a
 * full disk) leaves no embeddings to tell the library's model by, and the next `lumen index`,
 * or `status`, then asked for a model to be downloaded from someone who had just named one
 * with --model. Until the library has a serving model, the model chosen first is its model.
 */
export const CHOSEN_MODEL = 'indexing_model';

/** Images forgotten in one transaction when a folder is removed (Note [Removed a slice at a time]): about 60 ms of the engine's thread. */
const ORPHANS_AT_ONCE = 500;

/**
 * `globs` as `folder` keeps them (Note [Exclusions] in scan.ts). Loaded on first use, with
 * picomatch, as the indexer is: not on the path of a search (Note [Cold start] in main/cli/index.ts).
 */
async function checkedExcludes(folder: string, globs: readonly string[], givenFor?: readonly string[]): Promise<string[]> {
  const { folderExcludes } = await import('./scan.js');
  return folderExcludes(folder, globs, givenFor);
}

/** Where the library keeps the fingerprint of what its vectors of a model's name came from (Note [A model replaced under its name]). */
const fingerprintKey = (model: string) => `model_fingerprint:${model}`;

export class Library {
  readonly thumbnails: ThumbnailStore;
  private readonly indexes = new Map<string, VectorIndex>();
  /** Each index once it has opened: a second caller while it opens waits for it too. */
  private readonly opened = new Map<string, Promise<VectorIndex>>();
  /** Index runs going on (Note [Images kept for a run]). */
  private runs = 0;
  private closing = false;
  /** Images being forgotten a slice at a time, and whether every image no file shows has been since this library opened (Note [Removed a slice at a time]). */
  private forgetting: Promise<void> = Promise.resolve();
  private orphansForgotten = false;
  /** Each folder removed while a run goes on, and the images it left without a file (Note [Images kept for a run]); cleared once none does. */
  private readonly removedDuringRuns = new Map<number, number[]>();
  /** Each model loaded that was compared with what this library's vectors of its name came from (Note [A model replaced under its name]). */
  private readonly checkedModels = new WeakMap<ClipModel, Promise<number>>();
  /** Of each model loaded, whether its image tower stands as the library knew it (imageTowerAsBefore). */
  private readonly imageTowersChecked = new WeakMap<ClipModel, Promise<boolean>>();

  private constructor(
    readonly dataDir: string,
    readonly storage: Storage,
  ) {
    this.thumbnails = new ThumbnailStore(dataDir);
  }

  /**
   * Opens the library of `dataDir`: as its writer, or read-only (`options.readonly`, Note [One
   * writer] in writer-lock.ts). The writer clears temporary files a killed writer left.
   */
  static open(dataDir: string, options: OpenOptions = {}): Library {
    const library = new Library(dataDir, Storage.open(dataDir, options));
    if (!library.storage.readonly) void removeStaleTemporaries(library.indexDir).catch(() => {});
    return library;
  }

  private get indexDir(): string {
    return path.join(this.dataDir, 'index');
  }

  /**
   * The vector index of `model`, loaded (or rebuilt in the background) on first use. A model is
   * known by its folder's name, so another model under a name the library knows would have its
   * vectors ranked against the other's: where their sizes differ, that is said, not left to fail
   * as an unexpected error in the middle of a search or a run.
   */
  vectorIndex(model: string, dim: number): Promise<VectorIndex> {
    const stored = this.storage.embeddings.dimension(model);
    if (stored !== 0 && stored !== dim) {
      return Promise.reject(
        new UserError(
          'model-invalid',
          `The library's photos were embedded by a model named ${model} with ${stored}-dimensional vectors, but the model given under that name gives ${dim} dimensions: it is another model. Models are told apart by their folder's name: give this model's folder a name of its own, and index with it.`,
        ),
      );
    }
    return keptPromise(this.opened, model, () => {
      const index = new VectorIndex(this.storage, model, dim, this.indexDir);
      this.indexes.set(model, index);
      const opened = index.open().then(() => index);
      opened.catch(() => {
        if (this.indexes.get(model) === index) this.indexes.delete(model);
      });
      return opened;
    });
  }

  /**
   * Whether `model` is the model this library's vectors of its name came from (Note [A model
   * replaced under its name] in models/fingerprint.ts), asked once per model loaded. When it is
   * not, they are forgotten, with what was learnt from them, for the next index run to embed
   * again; returns how many were (0: it is the same model). A library that never kept the
   * fingerprint takes the model as it is now, read in the background, off the path to the first
   * search. A reader, which cannot forget, refuses the model.
   */
  checkModel(model: ClipModel): Promise<number> {
    return keptPromise(this.checkedModels, model, () => this.compareModel(model));
  }

  /**
   * Whether this library's vectors of `model`'s name are known, no file read, to be its image
   * tower's as it stands: all that work which embeds no text asks (Note [Work without text] in
   * models/fingerprint.ts), once per model loaded, as `checkModel` is asked. False where only
   * `checkModel` can tell.
   */
  imageTowerAsBefore(model: ClipModel): Promise<boolean> {
    return keptPromise(this.imageTowersChecked, model, () => {
      const known = parseFingerprint(this.storage.library.meta(fingerprintKey(model.id)));
      return known === null ? Promise.resolve(false) : imageTowerStandsAsBefore(model.spec, known);
    });
  }

  private async compareModel(model: ClipModel): Promise<number> {
    const key = fingerprintKey(model.id);
    const known = parseFingerprint(this.storage.library.meta(key));
    const writable = !this.storage.readonly;
    const keep = (fingerprint: object) => !this.closing && this.storage.library.setMeta(key, JSON.stringify(fingerprint));
    if (!known) {
      if (writable) void fingerprintOf(model.spec).then(keep, () => {});
      return 0;
    }
    if (await standsAsBefore(model.spec, known)) return 0;
    const now = await fingerprintOf(model.spec);
    if (now.sha256 === known.sha256) {
      if (writable) keep(now);
      return 0;
    }
    // Other files may be a copy cut short, not another model: nothing is forgotten for a model
    // that cannot run (its towers say why), and the files put back are the model known again.
    await Promise.all([model.loadImageTower(), model.loadTextTower()]);
    if (!writable) {
      throw new UserError('model-invalid', `The model ${model.id} is not the one this library's photos were embedded with (its files changed since), so its searches would not match them. Let the library be indexed again with it (Lumen does so as it starts, or run \`lumen index\`), then search.`);
    }
    if (this.closing) throw new UserError('cancelled', 'The library is closing.');
    const forgot = this.storage.transaction(() => {
      keep(now);
      return this.storage.forgetModel(model.id);
    });
    // An index of that name loaded before holds the vectors forgotten: nobody gets it, or saves it, from now on.
    const opened = this.opened.get(model.id);
    this.opened.delete(model.id);
    this.indexes.delete(model.id);
    await (await opened?.catch(() => null))?.close();
    return forgot;
  }

  folders(): FolderRow[] {
    return this.storage.library.folders();
  }

  /**
   * Adds folders (checked to exist and be folders) with their exclusion globs; `excludes` null
   * keeps a known folder's own (adding it again is no way to lose them). Answers the folders added
   * (those known already among them) and those refused, with why.
   *
   * Note [Some folders refused]: folders picked together in the dialog, dropped together or named
   * together to `lumen index` are each a choice of their own, and one refused (missing, inside a
   * library folder, a data folder) refused them all: two good folders were neither added nor
   * indexed. So each folder is judged alone: those that may be are added, and those refused are
   * answered with why, for the app and the CLI to say. An add with nothing left to add is refused
   * as a whole, as an add of one folder was (`noFolderAdded`).
   *
   * Note [Folders inside folders]: a photo belongs to one library folder, and forgetting a folder
   * forgets its photos, with their tags and places in albums. So a folder inside a library folder
   * is refused (its photos are in the library already), and a folder around library folders
   * takes them in: their photos, with all they carry, and their exclusions become its own.
   *
   * Note [Folders changed meanwhile]: an add looks at the disk (links, exclusions) between reading
   * the library's folders and changing them, and another add, a removal or new exclusions may
   * change them meanwhile: two adds at once, of a folder and of one inside it, both passed the
   * rule above, and the library then held one folder inside another. So the folders are read
   * again right before the change (nothing else runs between that and the change), and an add
   * that finds them changed starts over; exclusions are not set on a folder gone meanwhile.
   */
  async addFolders(folders: readonly string[], excludes: readonly string[] | null = null): Promise<FoldersAdded> {
    const refusals = await checkPhotoFolders(folders, this.dataDir);
    const asked = [...new Set(folders.map(addedAt))];
    const wanted = asked.filter((folder) => !refusals.has(folder));
    const known = this.folders();
    // Compared where they really are (`whereItIs`).
    const real = new Map(await Promise.all([...wanted, ...known.map((row) => row.path)].map(async (folder) => [folder, await whereItIs(folder)] as const)));
    const within = (folder: string, other: string) => folder !== other && real.get(folder) !== real.get(other) && isInside(real.get(folder) ?? folder, real.get(other) ?? other);
    for (const folder of wanted) {
      const same = known.find((row) => row.path !== folder && real.get(row.path) === real.get(folder));
      if (same) refusals.set(folder, new UserError('bad-input', `${folder} is ${same.path}, which is in the library already (by another path).`));
    }
    const notSame = wanted.filter((folder) => !refusals.has(folder));
    const kept = [...known.map((row) => row.path), ...notSame];
    const around = (folder: string) => kept.filter((other) => within(folder, other));
    for (const folder of notSame) {
      // The outermost folder around it, the one that holds its photos: a folder given inside another given is refused too.
      const outer = around(folder).find((other) => around(other).length === 0);
      if (outer) refusals.set(folder, new UserError('bad-input', `${folder} is inside ${outer}, which ${wanted.includes(outer) ? 'is being added too' : 'is in the library already'}: its photos are part of that folder.`));
    }
    const refused = [...refusals].sort(([a], [b]) => asked.indexOf(a) - asked.indexOf(b));
    const adding = notSame.filter((folder) => !refusals.has(folder));
    if (adding.length === 0) throw noFolderAdded(refused.map(([, refusal]) => refusal));
    const given = new Map(await Promise.all(adding.map(async (folder) => [folder, excludes && (await checkedExcludes(folder, excludes, wanted))] as const)));
    if (JSON.stringify(this.folders()) !== JSON.stringify(known)) return this.addFolders(folders, excludes);
    const ids = new Set(
      adding.map((folder) => {
        const inner = known.filter((row) => within(row.path, folder));
        if (inner.length === 0) return this.storage.library.addFolder(folder, given.get(folder) ?? null);
        const own = given.get(folder) ?? known.find((row) => row.path === folder)?.excludes ?? [];
        // Rooted at the inner folder's place: a name at any depth stays one below it (Note [Exclusions]).
        const rooted = (glob: string) => (glob.includes('/') ? glob.replace(/^\.\//, '') : `**/${glob}`);
        const taken = inner.flatMap((row) => row.excludes.map((glob) => `${globLiteral(path.relative(real.get(folder) ?? folder, real.get(row.path) ?? row.path))}/${rooted(glob)}`));
        return this.storage.library.addFolder(folder, [...own, ...taken], inner.map((row) => row.id));
      }),
    );
    return { folders: this.folders().filter((folder) => ids.has(folder.id)), refused: refused.map(([folder, refusal]) => ({ path: folder, reason: refusal.message })) };
  }

  /** The library's folder at `folderPath`, named as added or through another path to it (`whereItIs`). */
  async folderAt(folderPath: string): Promise<FolderRow | undefined> {
    const wanted = path.resolve(folderPath);
    const listed = this.folders();
    const exact = listed.find((folder) => folder.path === wanted);
    if (exact) return exact;
    const real = await whereItIs(wanted);
    const reals = await Promise.all(listed.map((folder) => whereItIs(folder.path)));
    return listed.find((_, i) => reals[i] === real);
  }

  /**
   * `wanted` spelt as the library spells its photos' paths: a place in a library folder named
   * through a link (or, on a disk that ignores case, in other letters) is that place below the
   * folder as it was added. A place in no library folder is given back as it was asked.
   */
  async storedPath(wanted: string): Promise<string> {
    const resolved = path.resolve(wanted);
    const listed = this.folders();
    if (listed.some((folder) => isWithin(resolved, folder.path))) return resolved;
    const real = await whereItIs(resolved);
    for (const folder of listed) {
      const folderReal = await whereItIs(folder.path);
      if (isInside(real, folderReal)) return path.join(folder.path, path.relative(folderReal, real));
    }
    return resolved;
  }

  /**
   * Forgets a folder and the photos only it held (their files on disk are never touched).
   *
   * Note [Images kept for a run]: a run links a file it finds identical to a stored photo to that
   * photo's image. A folder removed while a run goes on may have held the only other file of such
   * an image: deleted at once, the run's link would then fail (and stop the run, blaming the
   * disk). So while a run goes on the images the folder leaves without a file stay; as the last
   * run ends, those still without one leave search, and are forgotten with every image no file
   * shows (Note [Removed a slice at a time]). A run
   * leaves the photos of that folder it has not reached: a folder added by mistake (a whole home
   * folder) and removed at once would otherwise be decoded to the end, for nothing.
   *
   * Note [Removed a slice at a time]: forgetting a photo takes its embedding, tags, text and
   * thumbnail with it: 11 s for a folder of 100k photos in one go, a minute at 500k, with the
   * engine answering nothing meanwhile (no search, no progress). So the folder and its files go
   * at once (the library no longer shows them, no walk goes there, `onGone` says so), and so do
   * their images' vectors (in memory: 0.1 s at 100k), so no search finds them; the images' rows
   * and thumbnails go ORPHANS_AT_ONCE at a time, other work running between. A run waits for
   * them: it could link a file to one of them (Note [Images kept for a run]). A run's own
   * removals (files deleted on disk, a folder removed meanwhile) go the same way once it ends,
   * not in its last transaction. Stopped by a quit or a crash, the images left without a file are
   * forgotten before the next run walks.
   */
  async removeFolder(folderId: number, onGone: () => void = () => {}): Promise<void> {
    this.requireFolder(folderId);
    const left = this.storage.library.removeFolder(folderId);
    onGone();
    if (this.runs > 0) {
      this.removedDuringRuns.set(folderId, left);
      return;
    }
    for (const index of this.indexes.values()) index.remove(left);
    await this.forgetOrphanImages();
  }

  /** The images folders removed during the runs left, unless a run linked a file to them, leave search (Note [Images kept for a run]). */
  private afterRuns(): void {
    const left = this.storage.library.withoutFile([...this.removedDuringRuns.values()].flat());
    for (const index of this.indexes.values()) index.remove(left);
    this.removedDuringRuns.clear();
    this.orphansForgotten = false;
  }

  /** Forgets the images no file shows, after any forgetting under way (Note [Removed a slice at a time]). */
  private forgetOrphanImages(signal?: AbortSignal): Promise<void> {
    const forgetting = this.forgetting.then(() => this.forgetOrphanSlices(signal));
    this.forgetting = forgetting.catch(() => {});
    return forgetting;
  }

  private async forgetOrphanSlices(signal?: AbortSignal): Promise<void> {
    for (let after = 0, forgot = 0; this.runs === 0 && !this.closing && !signal?.aborted; await yieldToEventLoop()) {
      const removed = this.storage.library.deleteOrphanImagesAfter(after, ORPHANS_AT_ONCE);
      for (const [model, index] of this.indexes) index.remove(removed.filter((image) => image.models.includes(model)).map((image) => image.id));
      await Promise.all(removed.map((image) => this.thumbnails.forget(image)));
      forgot += removed.length;
      if (removed.length < ORPHANS_AT_ONCE) {
        this.orphansForgotten = true;
        // Removals are saved at once (Note [Saved now and then] in vector-index.ts).
        if (forgot > 0) for (const index of this.indexes.values()) await index.saveIfDue();
        return;
      }
      after = (removed.at(-1) as RemovedImage).id;
    }
  }

  async setExcludes(folderId: number, excludes: readonly string[]): Promise<FolderRow> {
    const folder = this.requireFolder(folderId);
    const checked = await checkedExcludes(folder.path, excludes);
    // Removed, or taken in by a folder around it, meanwhile: not brought back (Note [Folders changed meanwhile]).
    this.requireFolder(folderId);
    this.storage.library.addFolder(folder.path, checked);
    return this.requireFolder(folderId);
  }

  /** The library folder `folderId`, or a not-found error where it is not in the library (any more). */
  private requireFolder(folderId: number): FolderRow {
    const folder = this.folders().find((candidate) => candidate.id === folderId);
    if (!folder) throw new UserError('not-found', `There is no folder #${folderId} in the library.`);
    return folder;
  }

  async index(model: ClipModel, options: IndexOptions & { folders?: FolderRow[] } = {}): Promise<IndexSummary> {
    const folders = options.folders ?? this.folders();
    // A run over part of the library asked for before its last folder was removed has nothing to do.
    if (folders.length === 0 && !options.within) throw new UserError('bad-input', 'The library has no folders yet. Add a folder of photos first.');
    await this.checkModel(model);
    const vectors = await this.vectorIndex(model.id, model.dim);
    // Loaded on first use, with sharp: not on the path of a search (Note [Cold start] in main/cli/index.ts).
    const { indexLibrary } = await import('./indexer.js');
    // Not beside a removal's slices, nor before the images a stopped one left are forgotten (Note [Removed a slice at a time]).
    if (!this.orphansForgotten) await this.forgetOrphanImages();
    for (let waited: Promise<void> | null = null; waited !== this.forgetting; ) await (waited = this.forgetting);
    this.runs++;
    let summary: IndexSummary;
    try {
      const target = { store: this.storage.library, embeddings: this.storage.embeddings, model, vectors, thumbnails: this.thumbnails, dataDir: this.dataDir, removedFolders: this.removedDuringRuns };
      summary = await indexLibrary(target, folders, options);
    } finally {
      this.runs--;
      if (this.runs === 0) this.afterRuns();
    }
    // What the run left without a file; what a cancel or a quit leaves is forgotten before the next run walks.
    if (this.runs === 0) await this.forgetOrphanImages(options.control?.signal);
    const outOfReach = new Set(summary.unreachable.map((folder) => folder.path));
    return { ...summary, unreachable: summary.unreachable.map((folder) => ({ ...folder, message: this.movedAway(folder, outOfReach) })) };
  }

  /**
   * Note [A folder moved away]: a library folder moved (to a new drive, say) and added again at
   * its new place is one gone, its photos kept (Note [Unreachable folders] in indexer.ts), and one
   * whose photos are all copies of them; every run then said the old folder was gone, and search
   * named files no longer there. Where another library folder holds a copy of every photo of a
   * folder out of reach, the run says so, and that removing the old folder forgets nothing but
   * the old place: the pictures, their tags and albums, stay with the copies.
   */
  private movedAway(unreachable: { path: string; message: string }, outOfReach: ReadonlySet<string>): string {
    const gone = this.folders().find((folder) => folder.path === unreachable.path);
    const copies = gone && this.storage.library.folderCopyingAll(gone.id);
    const where = copies && this.folders().find((folder) => folder.id === copies);
    if (!where || outOfReach.has(where.path)) return unreachable.message;
    return `${unreachable.message} Every one of its photos is also in ${where.path}: if the folder moved there, remove ${gone.path} from the library to forget its old place (the photos, their tags and albums stay, in ${where.path}).`;
  }

  /** A photo by id (`12`, `#12`) or by its path. */
  resolvePhoto(reference: string | number): PhotoRef {
    const text = String(reference).trim();
    const id = /^#?(\d+)$/.exec(text);
    const photo = id ? this.storage.photos.photoById(Number(id[1])) : this.storage.photos.photoByPath(path.resolve(text));
    if (!photo) {
      // A path not there is a typo or a file gone, which "not a photo in the library" hid: said as `search` says it.
      const missing = !id && nothingAt(path.resolve(text));
      throw new UserError(
        'not-found',
        // A number comes from a query (`#12`) or the window, where a path names no photo: advice on naming one is the command line's.
        !id ? `${text} ${missing ? 'does not exist' : 'is not a photo in the library'}. Give the path of an indexed photo, or its id (#12).` : typeof reference === 'number' ? `${noPhotoText(Number(id[1]))}.` : `${noPhotoText(Number(id[1]))}. Give a photo id from search results or a photo's path.`,
      );
    }
    return photo;
  }

  /**
   * A photo's file for the app to show, by photo id: the app serves images by id, never by a path
   * the renderer names. Previews are made on first request, and either made again when the one
   * served was gone or damaged (`remake`; Note [Thumbnails made again] in thumbnails.ts).
   */
  async photoImage(photoId: number, kind: PhotoImageKind, { remake = false } = {}): Promise<string> {
    const row = this.storage.photos.imageFiles(photoId);
    if (!row) throw new UserError('not-found', `${noPhotoText(photoId)}.`);
    if (kind === 'original') return row.path;
    const made = kind === 'preview' || !row.thumbnail ? 'previews' : 'thumbs';
    if (remake) return this.thumbnails.remake(row.contentHash, row.path, made);
    return made === 'previews' ? this.thumbnails.preview(row.contentHash, row.path) : this.thumbnails.thumbnail(row.contentHash);
  }

  /**
   * The model whose embeddings cover the library and serve searches.
   *
   * Note [Model switch]: embeddings are stored per model, so indexing with a new model fills in
   * its embeddings while the old model's stay and keep serving; only when the new model covers
   * every photo does it take over. A cancelled switch loses nothing and resumes next time.
   */
  servingModel(): string | null {
    return this.storage.library.meta('serving_model') ?? this.storage.embeddings.models()[0]?.model ?? null;
  }

  /** The folder model `id` was last indexed from, where that folder is gone (moved or deleted); null otherwise. */
  goneModelFolder(id: string): string | null {
    const dir = this.modelFolder(id);
    return dir && !existsSync(dir) ? dir : null;
  }

  /** The folder model `id` was last indexed from, if the library knows it (Note [Models kept beside the library] in model-place.ts). */
  private modelFolder(id: string): string | null {
    const place = this.storage.library.meta(`model_dir:${id}`);
    return place ? modelFolderAt(this.dataDir, place) : null;
  }

  /**
   * How to load the serving model: the folder it was indexed from when that still exists, else
   * its id (an installed model of that name).
   */
  servingModelReference(): string | null {
    const model = this.servingModel() ?? this.storage.library.meta(CHOSEN_MODEL) ?? null;
    if (!model) return null;
    const dir = this.modelFolder(model);
    return dir && existsSync(dir) ? dir : model;
  }

  status(): LibraryStatus {
    const counts = this.storage.library.counts();
    return {
      photos: counts.files,
      images: counts.images,
      failed: counts.failures,
      folders: this.folders(),
      servingModel: this.servingModel(),
      models: this.storage.embeddings.models().map(({ model, count }) => ({ model, embedded: count, missing: this.storage.embeddings.missing(model) })),
      unfinishedRun: this.storage.library.indexRunUnfinished(),
    };
  }

  /**
   * Saves the vector indexes (the writer only: Note [Readers keep it in memory] in
   * vector-index.ts) and closes the database. The database is closed even when a save fails (a
   * full disk): the indexes are derived data, rebuilt from it next time. Previews kept outside the
   * data folder go (Note [Previews kept elsewhere] in thumbnails.ts).
   */
  async close(): Promise<void> {
    this.closing = true;
    await this.forgetting;
    try {
      for (const index of this.indexes.values()) {
        if (!this.storage.readonly) {
          await index.ready();
          await index.save();
        }
        await index.close();
      }
    } finally {
      this.storage.close();
      await this.thumbnails.discardKeptElsewhere();
    }
  }
}
