/**
 * A person's photo library: the folders they chose, the database that knows every photo, the
 * vector index per model and the thumbnails, all under the app's data folder.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import type { ClipModel } from '../models/clip.js';
import { openDatabase, type Db } from '../storage/database.js';
import { LibraryStore, type FolderRow } from '../storage/library-store.js';
import { VectorIndex } from '../storage/vector-index.js';
import { indexLibrary, type IndexOptions, type IndexSummary } from './indexer.js';
import { ThumbnailStore } from './thumbnails.js';

export interface LibraryOpenOptions {
  /** better-sqlite3 addon built for this runtime (the desktop app passes Electron's). */
  nativeBinding?: string;
}

export interface LibraryStatus {
  photos: number;
  images: number;
  failed: number;
  folders: Array<{ path: string; excludes: string[] }>;
  servingModel: string | null;
  models: Array<{ model: string; embedded: number; missing: number }>;
}

export class Library {
  readonly store: LibraryStore;
  readonly thumbnails: ThumbnailStore;
  private readonly indexes = new Map<string, VectorIndex>();

  private constructor(
    readonly dataDir: string,
    private readonly db: Db,
  ) {
    this.store = new LibraryStore(db);
    this.thumbnails = new ThumbnailStore(dataDir);
  }

  static open(dataDir: string, options: LibraryOpenOptions = {}): Library {
    return new Library(dataDir, openDatabase(path.join(dataDir, 'library.db'), { nativeBinding: options.nativeBinding }));
  }

  /** The vector index of `model`, loaded (or rebuilt in the background) on first use. */
  async vectorIndex(model: string, dim: number): Promise<VectorIndex> {
    let index = this.indexes.get(model);
    if (!index) {
      index = new VectorIndex(this.store, model, dim, path.join(this.dataDir, 'index'));
      this.indexes.set(model, index);
      await index.open();
    }
    return index;
  }

  /** Adds folders (checked to exist and be folders) with their exclusion globs. */
  async addFolders(folders: readonly string[], excludes: readonly string[] = []): Promise<FolderRow[]> {
    for (const folder of folders) {
      const info = await stat(folder).catch(() => null);
      if (!info) throw new UserError('bad-input', `The folder ${folder} does not exist.`);
      if (!info.isDirectory()) throw new UserError('bad-input', `${folder} is a file, not a folder. Add the folder that contains your photos.`);
    }
    const ids = new Set(folders.map((folder) => this.store.addFolder(path.resolve(folder), excludes)));
    return this.store.folders().filter((folder) => ids.has(folder.id));
  }

  async index(model: ClipModel, options: IndexOptions & { folders?: FolderRow[] } = {}): Promise<IndexSummary> {
    const folders = options.folders ?? this.store.folders();
    if (folders.length === 0) throw new UserError('bad-input', 'The library has no folders yet. Add a folder of photos first.');
    const vectors = await this.vectorIndex(model.id, model.dim);
    return indexLibrary({ store: this.store, model, vectors, thumbnails: this.thumbnails }, folders, options);
  }

  /**
   * The grid thumbnail or the viewer's preview of a photo, by photo id: the app serves images by
   * id, never by a path the renderer names. Previews are made on first request (see thumbnails.ts).
   */
  async photoImage(photoId: number, kind: 'thumbnail' | 'preview'): Promise<string> {
    const row = this.store.db
      .prepare('SELECT f.path, i.content_hash AS contentHash, i.thumbnail FROM files f JOIN images i ON i.id = f.image_id WHERE f.id = ?')
      .get(photoId) as { path: string; contentHash: string; thumbnail: string | null } | undefined;
    if (!row) throw new UserError('not-found', `There is no photo #${photoId} in the library.`);
    if (kind === 'preview' || !row.thumbnail) return this.thumbnails.preview(row.contentHash, row.path);
    return this.thumbnails.absolute(row.thumbnail);
  }

  /**
   * The model whose embeddings cover the library and serve searches.
   *
   * Note [Model switch]: embeddings are stored per model, so indexing with a new model fills in
   * its embeddings while the old model's stay and keep serving; only when the new model covers
   * every photo does it take over. A cancelled switch loses nothing and resumes next time.
   */
  servingModel(): string | null {
    return this.store.meta('serving_model') ?? this.store.embeddingModels()[0]?.model ?? null;
  }

  /**
   * How to load the serving model: the folder it was indexed from when that still exists, else
   * its id (an installed model of that name).
   */
  servingModelReference(): string | null {
    const model = this.servingModel();
    if (!model) return null;
    const dir = this.store.meta(`model_dir:${model}`);
    return dir && existsSync(dir) ? dir : model;
  }

  status(): LibraryStatus {
    const counts = this.store.counts();
    return {
      photos: counts.files,
      images: counts.images,
      failed: counts.failures,
      folders: this.store.folders().map(({ path: folderPath, excludes }) => ({ path: folderPath, excludes })),
      servingModel: this.servingModel(),
      models: this.store.embeddingModels().map(({ model, count }) => ({ model, embedded: count, missing: this.store.imagesMissingEmbedding(model) })),
    };
  }

  /**
   * Saves the vector indexes and closes the database. The database is closed even when a save
   * fails (a full disk): the indexes are derived data, rebuilt from it next time.
   */
  async close(): Promise<void> {
    try {
      for (const index of this.indexes.values()) {
        await index.ready();
        await index.save();
      }
    } finally {
      this.db.close();
    }
  }
}
