/**
 * The library database as the rest of the engine sees it: one private connection and the stores
 * over it. Nothing outside main/storage writes SQL or holds the connection (enforced by lint).
 */
import path from 'node:path';
import { openDatabase, type Db, type OpenOptions } from './database.js';

export type { OpenOptions };
import { AlbumStore } from './album-store.js';
import { DuplicatesStore } from './duplicates-store.js';
import { EmbeddingStore } from './embedding-store.js';
import { LibraryStore } from './library-store.js';
import { OcrStore } from './ocr-store.js';
import { PhotoStore } from './photo-store.js';
import { RefinementStore } from './refinement-store.js';
import { TagStore } from './tag-store.js';

export const DATABASE_FILE = 'library.db';

export class Storage {
  readonly library: LibraryStore;
  readonly embeddings: EmbeddingStore;
  readonly photos: PhotoStore;
  readonly tags: TagStore;
  readonly ocr: OcrStore;
  readonly duplicates: DuplicatesStore;
  readonly refinements: RefinementStore;
  readonly albums: AlbumStore;

  private constructor(private readonly db: Db) {
    this.library = new LibraryStore(db);
    this.embeddings = new EmbeddingStore(db);
    this.photos = new PhotoStore(db);
    this.tags = new TagStore(db);
    this.ocr = new OcrStore(db);
    this.duplicates = new DuplicatesStore(db);
    this.refinements = new RefinementStore(db);
    this.albums = new AlbumStore(db);
  }

  static open(dataDir: string, options: OpenOptions = {}): Storage {
    return new Storage(openDatabase(path.join(dataDir, DATABASE_FILE), options));
  }

  /** Runs `work` in one transaction (nested calls join the outer one). */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  close(): void {
    this.db.close();
  }
}
