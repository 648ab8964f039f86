/**
 * The library database as the rest of the engine sees it: one private connection and the stores
 * over it. Nothing outside main/storage writes SQL or holds the connection (enforced by lint).
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { BACKUP_FOLDER, Backups, hasBackups, restoreDamaged, type RestoreReport } from './backups.js';
import { DamagedDatabase } from './damage.js';
import { checkPages, openDatabase, type Db, type OpenOptions } from './database.js';
import { AlbumStore } from './album-store.js';
import { openReader } from './read-only.js';
import { DuplicatesStore } from './duplicates-store.js';
import { EmbeddingStore } from './embedding-store.js';
import { LibraryStore } from './library-store.js';
import { OcrStore } from './ocr-store.js';
import { PhotoStore } from './photo-store.js';
import { RefinementStore } from './refinement-store.js';
import { TagStore } from './tag-store.js';

export type { OpenOptions, RestoreReport };

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
  /** Copies of the person's own data (Note [Backups] in backups.ts); made by the writer only. */
  readonly backups: Backups;

  private constructor(
    private readonly db: Db,
    private readonly file: string,
    private readonly cleanup: () => void,
    backupDir: string,
    nativeBinding: string | undefined,
  ) {
    this.library = new LibraryStore(db);
    this.embeddings = new EmbeddingStore(db);
    this.photos = new PhotoStore(db);
    this.tags = new TagStore(db);
    this.ocr = new OcrStore(db);
    this.duplicates = new DuplicatesStore(db);
    this.refinements = new RefinementStore(db);
    this.albums = new AlbumStore(db);
    this.backups = new Backups(db, backupDir, nativeBinding);
  }

  static open(dataDir: string, options: OpenOptions = {}): Storage {
    const file = path.join(dataDir, DATABASE_FILE);
    const backupDir = path.join(dataDir, BACKUP_FOLDER);
    if (emptiedBesideBackups(file, backupDir)) throw new DamagedDatabase(file, new Error('its file is empty'));
    const { db, cleanup } = options.readonly ? openReader(file, options) : openDatabase(file, options);
    return new Storage(db, file, cleanup, backupDir, options.nativeBinding);
  }

  /**
   * Reads every page of the library, throwing DamagedDatabase where one is bad (Note [Damage] in
   * damage.ts): for an explicit check of its health (`lumen status`), never on a path taken
   * often, as it reads the whole file.
   */
  checkPages(): void {
    checkPages(this.db, this.file);
  }

  /** Moves a damaged database aside and makes a new one with what still reads from it and the last backup (Notes [Salvage first], [Backups]). */
  static restore(dataDir: string, options: Pick<OpenOptions, 'nativeBinding'> = {}): RestoreReport {
    return restoreDamaged(path.join(dataDir, DATABASE_FILE), path.join(dataDir, BACKUP_FOLDER), options.nativeBinding);
  }

  /** A reader's connection (Note [One writer] in writer-lock.ts): every write through it fails. */
  get readonly(): boolean {
    return this.db.readonly;
  }

  /** Runs `work` in one transaction (nested calls join the outer one). */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  /**
   * Forgets a model's photo vectors and what was learnt from them (Note [A model replaced under its
   * name] in models/fingerprint.ts): its tags' text vectors, how far tagging got, tags refined
   * from verdicts, the calibration of near-duplicates. The tags it gave stay until tagging runs
   * again, and the person's verdicts stay. Returns how many photo vectors went.
   */
  forgetModel(model: string): number {
    return this.transaction(() => {
      const forgot = this.db.prepare('DELETE FROM embeddings WHERE model = ?').run(model).changes;
      for (const table of ['tag_embeddings', 'tag_state', 'tag_refinements', 'duplicate_calibrations']) this.db.prepare(`DELETE FROM ${table} WHERE model = ?`).run(model);
      this.db.prepare('INSERT INTO index_generations (model, generation) VALUES (?, 1) ON CONFLICT(model) DO UPDATE SET generation = generation + 1').run(model);
      return forgot;
    });
  }

  close(): void {
    try {
      this.db.close();
    } finally {
      this.cleanup();
    }
  }
}

/** The size of `file`, 0 where it is missing. */
const sizeOf = (file: string) => statSync(file, { throwIfNoEntry: false })?.size ?? 0;

/**
 * Note [Emptied, not new]: SQLite opens an empty file as a new, empty database, so a library
 * emptied to nothing (a disk error, a tool that truncated it) would start again as if new, its
 * backups passed over and, in days, replaced. An empty database file beside backups of it is a
 * library damaged, restored like any other (Note [Salvage first] in backups.ts). An empty one with
 * no backup is a first run stopped early, and a new library.
 */
export function emptiedBesideBackups(file: string, backupDir: string): boolean {
  return statSync(file, { throwIfNoEntry: false }) !== undefined && sizeOf(file) === 0 && sizeOf(`${file}-wal`) === 0 && hasBackups(backupDir);
}
