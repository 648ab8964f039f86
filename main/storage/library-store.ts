/**
 * Every query the library needs, as prepared statements over the database. Writes that belong
 * together happen in one transaction (see Note [Crash safety] in database.ts).
 */
import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { isInside } from '../core/paths.js';
import { clockOfLocal } from './clock-dates.js';
import { vectorToBlob, type Db } from './database.js';
import { KeptWork } from './kept-work.js';

export interface FolderRow {
  id: number;
  path: string;
  excludes: string[];
}

export interface KnownFile {
  id: number;
  imageId: number;
  size: number;
  mtimeMs: number;
  /** Null where it was indexed before change times were recorded (Note [Change time] in main/library/walk.ts). */
  ctimeMs: number | null;
}

/** What a photo's EXIF says, as the library stores it. */
export interface PhotoMetadata {
  takenAt: number | null;
  cameraMake: string | null;
  cameraModel: string | null;
  lens: string | null;
  latitude: number | null;
  longitude: number | null;
  orientation: number | null;
}

export interface NewImage extends PhotoMetadata {
  contentHash: string;
  /** The SHA-256 of the whole file (Note [Same start, other content] in main/library/identity.ts). */
  wholeHash?: string | null;
  format: string;
  width: number;
  height: number;
  thumbnail: string | null;
}

/** A file indexed in this run: linked to an existing image, or to a new one with its embedding. */
export interface IndexedFile {
  path: string;
  folderId: number;
  size: number;
  mtimeMs: number;
  /** Its ctime as the walk found it (Note [Change time] in main/library/walk.ts); null only where it is not known. */
  ctimeMs: number | null;
  image: { existingId: number } | { created: NewImage };
  /** New embedding for the image, for `model`. */
  vector: Float32Array | null;
  /** The image the file showed before it was edited, whose tags and albums a new image takes over (Note [Edited in place] in main/library/indexer.ts). */
  replaces?: number | null;
}

/** An image forgotten (no file shows it any more): what it leaves to remove elsewhere. */
export interface RemovedImage {
  id: number;
  contentHash: string;
  thumbnail: string | null;
  /** The models that had embedded it, whose indexes hold it. */
  models: string[];
}

export interface FailedFile {
  path: string;
  folderId: number;
  size: number;
  mtimeMs: number;
  /** As IndexedFile's. */
  ctimeMs: number | null;
  reason: string;
  message: string;
}

export interface WrittenEmbedding {
  imageId: number;
  vector: Float32Array;
}

/** Known files read between two turns of the event loop (Note [Known files in pages]): a few milliseconds' worth. */
export const KNOWN_FILES_PAGE = 2048;

/**
 * The files of a folder (the last parameter) whose paths lie between the first two (see
 * `pathsUnder`): a range of the paths' own index. The `+` keeps SQLite from choosing the folder's
 * index instead, which reads every file of the folder.
 */
export const FILES_IN_PATH_RANGE = 'path > ? AND path < ? AND +folder_id = ?';

export class LibraryStore {
  private readonly statements;
  private readonly keptWork;

  constructor(private readonly db: Db) {
    this.keptWork = new KeptWork(db);
    this.statements = {
      insertFolder: db.prepare(`INSERT INTO folders (path, excludes, added_at) VALUES (@path, COALESCE(@excludes, '[]'), @at)
        ON CONFLICT(path) DO UPDATE SET excludes = COALESCE(@excludes, folders.excludes) RETURNING id`),
      folders: db.prepare('SELECT id, path, excludes FROM folders ORDER BY path'),
      folderIds: db.prepare('SELECT id FROM folders').pluck(),
      folderPath: db.prepare('SELECT path FROM folders WHERE id = ?').pluck(),
      deleteFolder: db.prepare('DELETE FROM folders WHERE id = ?'),
      forgetRunWithNoFolder: db.prepare("DELETE FROM meta WHERE key = 'index_run' AND NOT EXISTS (SELECT 1 FROM folders)"),
      moveFiles: db.prepare('UPDATE files SET folder_id = ? WHERE folder_id = ?'),
      moveFailures: db.prepare('UPDATE failures SET folder_id = ? WHERE folder_id = ?'),
      imageByHash: db.prepare('SELECT id, thumbnail, whole_hash AS wholeHash FROM images WHERE content_hash = ?'),
      contentOfImage: db.prepare('SELECT content_hash FROM images WHERE id = ?').pluck(),
      otherFilesOfImage: db.prepare('SELECT path, size, mtime_ms AS mtimeMs FROM files WHERE image_id = ? AND path <> ? ORDER BY path'),
      recordWholeHash: db.prepare('UPDATE images SET whole_hash = ? WHERE id = ? AND whole_hash IS NULL'),
      // A time no file has: the next run takes the file for changed and identifies it again.
      readAgain: db.prepare('UPDATE files SET mtime_ms = -1 WHERE path = ?'),
      insertImage: db.prepare(`INSERT INTO images (content_hash, whole_hash, format, width, height, taken_at, camera_make, camera_model, lens, latitude, longitude, orientation, thumbnail, created_at)
        VALUES (@contentHash, @wholeHash, @format, @width, @height, @takenAt, @cameraMake, @cameraModel, @lens, @latitude, @longitude, @orientation, @thumbnail, @createdAt)
        ON CONFLICT(content_hash) DO UPDATE SET thumbnail = COALESCE(images.thumbnail, excluded.thumbnail), whole_hash = COALESCE(images.whole_hash, excluded.whole_hash) RETURNING id`),
      upsertFile: db.prepare(`INSERT INTO files (path, folder_id, image_id, size, mtime_ms, mtime_clock_ms, ctime_ms, indexed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(path) DO UPDATE SET folder_id = excluded.folder_id, image_id = excluded.image_id, size = excluded.size, mtime_ms = excluded.mtime_ms,
          mtime_clock_ms = excluded.mtime_clock_ms, ctime_ms = excluded.ctime_ms, indexed_at = excluded.indexed_at`),
      // Only where none is known: a file read since keeps the time it was read at.
      recordChangeTime: db.prepare('UPDATE files SET ctime_ms = ? WHERE path = ? AND ctime_ms IS NULL'),
      // A person's verdicts win over the tagger's rows the new image may have already.
      carryVerdicts: db.prepare(`INSERT INTO image_tags (image_id, tag, source, rejected, score, cosine, model, updated_at)
          SELECT ?, tag, 'person', rejected, NULL, NULL, NULL, updated_at FROM image_tags WHERE image_id = ? AND source = 'person'
        ON CONFLICT(image_id, tag) DO UPDATE SET source = 'person', rejected = excluded.rejected, updated_at = excluded.updated_at`),
      carryAlbums: db.prepare('INSERT OR IGNORE INTO album_images (album_id, image_id) SELECT album_id, ? FROM album_images WHERE image_id = ?'),
      upsertEmbedding: db.prepare('INSERT INTO embeddings (model, image_id, vector) VALUES (?, ?, ?) ON CONFLICT(model, image_id) DO UPDATE SET vector = excluded.vector'),
      deleteFailure: db.prepare('DELETE FROM failures WHERE path = ?'),
      upsertFailure: db.prepare(`INSERT INTO failures (path, folder_id, size, mtime_ms, ctime_ms, reason, message, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, ctime_ms = excluded.ctime_ms, reason = excluded.reason, message = excluded.message, at = excluded.at`),
      filesOfFolder: db.prepare('SELECT id, path, image_id AS imageId, size, mtime_ms AS mtimeMs FROM files WHERE folder_id = ?'),
      filesOfFolderAfter: db.prepare('SELECT id, path, image_id, size, mtime_ms, ctime_ms FROM files WHERE folder_id = ? AND id > ? ORDER BY id LIMIT ?').raw(),
      // Note [Re-scan where it changed].
      filesUnder: db.prepare(`SELECT id, path, image_id AS imageId FROM files WHERE ${FILES_IN_PATH_RANGE}`),
      filesUnderAfter: db.prepare(`SELECT id, path, image_id, size, mtime_ms, ctime_ms FROM files WHERE ${FILES_IN_PATH_RANGE} ORDER BY path LIMIT ?`).raw(),
      failuresOfFolder: db.prepare('SELECT path FROM failures WHERE folder_id = ?').pluck(),
      failureStatesOfFolder: db.prepare('SELECT path, size, mtime_ms AS mtimeMs, ctime_ms AS ctimeMs, reason FROM failures WHERE folder_id = ?'),
      filesInFolder: db.prepare('SELECT COUNT(*) FROM files WHERE folder_id = ?').pluck(),
      mostCopiesElsewhere: db.prepare(`SELECT o.folder_id AS folderId, COUNT(DISTINCT f.id) AS files FROM files f
        JOIN files o ON o.image_id = f.image_id AND o.folder_id <> f.folder_id WHERE f.folder_id = ? GROUP BY o.folder_id ORDER BY files DESC LIMIT 1`),
      deleteFile: db.prepare('DELETE FROM files WHERE id = ?'),
      imageIdsOfFolder: db.prepare('SELECT DISTINCT image_id FROM files WHERE folder_id = ?').pluck(),
      imageHasFile: db.prepare('SELECT 1 FROM files WHERE image_id = ? LIMIT 1').pluck(),
      orphanImagesAfter: db.prepare(`SELECT id, content_hash AS contentHash, thumbnail FROM images
        WHERE id > ? AND NOT EXISTS (SELECT 1 FROM files WHERE files.image_id = images.id) ORDER BY id LIMIT ?`),
      embeddedModelsOf: db.prepare('SELECT model FROM embeddings WHERE image_id = ?').pluck(),
      deleteImage: db.prepare('DELETE FROM images WHERE id = ?'),
      bumpGeneration: db.prepare('INSERT INTO index_generations (model, generation) VALUES (?, 1) ON CONFLICT(model) DO UPDATE SET generation = generation + 1'),
      generation: db.prepare('SELECT generation FROM index_generations WHERE model = ?').pluck(),
      getMeta: db.prepare('SELECT value FROM meta WHERE key = ?').pluck(),
      setMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
      counts: db.prepare('SELECT (SELECT COUNT(*) FROM files) AS files, (SELECT COUNT(*) FROM images) AS images, (SELECT COUNT(*) FROM failures) AS failures'),
      failures: db.prepare('SELECT path, reason, message FROM failures ORDER BY path'),
    };
  }

  /**
   * Adds a folder, or sets a known folder's exclusions; `excludes` null keeps those it has. The
   * folders `inner` lie inside it: their photos and failures become its own and they are
   * forgotten, all in one transaction (Note [Folders inside folders] in main/library/library.ts).
   *
   * Note [Returning commits]: in an implicit transaction, a write with `RETURNING` commits when
   * the statement is reset, after its row was read, and better-sqlite3 does not report an error
   * there (a full disk): the call returned an id that was never stored. An explicit transaction
   * commits in its own statement, whose failure throws.
   */
  addFolder(folderPath: string, excludes: readonly string[] | null, inner: readonly number[] = []): number {
    const s = this.statements;
    return this.db.transaction(() => {
      const { id } = s.insertFolder.get({ path: folderPath, excludes: excludes && JSON.stringify(excludes), at: Date.now() }) as { id: number };
      for (const innerId of inner) {
        s.moveFiles.run(id, innerId);
        s.moveFailures.run(id, innerId);
        s.deleteFolder.run(innerId);
      }
      return id;
    })();
  }

  folders(): FolderRow[] {
    return (this.statements.folders.all() as Array<{ id: number; path: string; excludes: string }>).map((row) => ({ ...row, excludes: JSON.parse(row.excludes) as string[] }));
  }

  /** The image stored for a content key; `wholeHash` null where it was indexed before whole files were hashed. */
  imageByHash(hash: string): { id: number; thumbnail: string | null; wholeHash: string | null } | undefined {
    return this.statements.imageByHash.get(hash) as { id: number; thumbnail: string | null; wholeHash: string | null } | undefined;
  }

  /** The content key of image `imageId`, if it is still stored. */
  contentOfImage(imageId: number): string | undefined {
    return this.statements.contentOfImage.get(imageId) as string | undefined;
  }

  /** The files of image `imageId` other than `besides`, as they were indexed (Note [Same start, other content] in main/library/identity.ts). */
  otherFilesOfImage(imageId: number, besides: string): Array<{ path: string; size: number; mtimeMs: number }> {
    return this.statements.otherFilesOfImage.all(imageId, besides) as Array<{ path: string; size: number; mtimeMs: number }>;
  }

  /** Records the whole-file hash of an image indexed before it was recorded; one already recorded stays. */
  /** Has the next index run read `paths` again, as if they changed (Note [Exact copies compared] in duplicates/trash.ts). */
  readAgain(paths: readonly string[]): void {
    this.db.transaction(() => {
      for (const file of paths) this.statements.readAgain.run(file);
    })();
  }

  recordWholeHash(imageId: number, wholeHash: string): void {
    this.statements.recordWholeHash.run(wholeHash, imageId);
  }

  /**
   * Every file the library knows in a folder, by path: a re-scan compares against this in memory.
   *
   * Note [Known files in pages]: every index run reads them first, the ones the folder watcher
   * starts for a single new photo too. Read at once, 100k files held the engine's thread for
   * 0.35-0.55 s, and a search waited as long; so they come KNOWN_FILES_PAGE rows at a time, in id
   * order, the event loop turning between pages. `within`: only those at or under these folders
   * (Note [Re-scan where it changed]), in path order.
   */
  async knownFiles(folderId: number, within?: readonly string[]): Promise<Map<string, KnownFile>> {
    const known = new Map<string, KnownFile>();
    type Row = [id: number, path: string, imageId: number, size: number, mtimeMs: number, ctimeMs: number | null];
    const readPages = async (read: (last: Row | undefined) => unknown[]) => {
      for (let rows = read(undefined) as Row[]; ; rows = read(rows.at(-1)) as Row[]) {
        for (const [id, filePath, imageId, size, mtimeMs, ctimeMs] of rows) known.set(filePath, { id, imageId, size, mtimeMs, ctimeMs });
        if (rows.length < KNOWN_FILES_PAGE) return;
        await yieldToEventLoop();
      }
    };
    const s = this.statements;
    if (!within) await readPages((last) => s.filesOfFolderAfter.all(folderId, last?.[0] ?? 0, KNOWN_FILES_PAGE));
    for (const dir of within ?? []) {
      const [first, end] = pathsUnder(dir);
      await readPages((last) => s.filesUnderAfter.all(last?.[1] ?? first, end, folderId, KNOWN_FILES_PAGE));
    }
    return known;
  }

  /**
   * Records the ctimes of files indexed before they were recorded, as a walk first meets them
   * unchanged (Note [Change time] in main/library/walk.ts): KNOWN_FILES_PAGE in each transaction,
   * the event loop turning between, as Note [Known files in pages] reads them.
   */
  async recordChangeTimes(files: ReadonlyArray<{ path: string; ctimeMs: number }>): Promise<void> {
    const record = this.db.transaction((page: ReadonlyArray<{ path: string; ctimeMs: number }>) => {
      for (const file of page) this.statements.recordChangeTime.run(file.ctimeMs, file.path);
    });
    for (let start = 0; start < files.length; start += KNOWN_FILES_PAGE) {
      if (start > 0) await yieldToEventLoop();
      record(files.slice(start, start + KNOWN_FILES_PAGE));
    }
  }

  /** The library folder holding copies of every file of folder `folderId` (the folder moved there, perhaps), if one does. */
  folderCopyingAll(folderId: number): number | null {
    const s = this.statements;
    const most = s.mostCopiesElsewhere.get(folderId) as { folderId: number; files: number } | undefined;
    return most && most.files === s.filesInFolder.get(folderId) ? most.folderId : null;
  }

  /** The size, mtime, ctime (null where not recorded) and reason of every failed file of a folder when it failed, by path. */
  knownFailures(folderId: number): Map<string, { size: number; mtimeMs: number; ctimeMs: number | null; reason: string }> {
    const rows = this.statements.failureStatesOfFolder.all(folderId) as Array<{ path: string; size: number; mtimeMs: number; ctimeMs: number | null; reason: string }>;
    return new Map(rows.map(({ path: filePath, ...state }) => [filePath, state]));
  }

  /** Writes a batch of indexed and failed files in one transaction; returns the new embeddings. */
  writeBatch(model: string, indexed: readonly IndexedFile[], failed: readonly FailedFile[]): WrittenEmbedding[] {
    const s = this.statements;
    return this.db.transaction(() => {
      const now = Date.now();
      // Note [Folders gone mid-run]: a folder removed while a run indexes it, or taken in by a
      // folder around it (Note [Folders inside folders] in main/library/library.ts), is no
      // longer the library's: what the run found there is not written, and the run goes on.
      const folders = new Set(s.folderIds.all() as number[]);
      // By image: two byte-identical new files in one batch share an image and its embedding.
      const written = new Map<number, WrittenEmbedding>();
      for (const file of indexed) {
        if (!folders.has(file.folderId)) continue;
        const imageId =
          'existingId' in file.image ? file.image.existingId : (s.insertImage.get({ wholeHash: null, ...file.image.created, createdAt: now }) as { id: number }).id;
        // Note [File times on the clock] in clock-dates.ts.
        s.upsertFile.run(file.path, file.folderId, imageId, file.size, file.mtimeMs, clockOfLocal(file.mtimeMs), file.ctimeMs, now);
        s.deleteFailure.run(file.path);
        if (file.replaces != null && file.replaces !== imageId) {
          s.carryVerdicts.run(imageId, file.replaces);
          s.carryAlbums.run(imageId, file.replaces);
        }
        if (file.vector) {
          s.upsertEmbedding.run(model, imageId, vectorToBlob(file.vector));
          written.set(imageId, { imageId, vector: file.vector });
        }
      }
      for (const file of failed) if (folders.has(file.folderId)) s.upsertFailure.run(file.path, file.folderId, file.size, file.mtimeMs, file.ctimeMs, file.reason, file.message, now);
      if (written.size > 0) s.bumpGeneration.run(model);
      return [...written.values()];
    })();
  }

  /**
   * Forgets files of `folderId` not in `present` (deleted or moved away) and failures not in
   * `present` or `problems` (what the walk reported); the images left without a file stay for
   * the caller (below). Files
   * at or under an `unwalked` path (a folder or link the walk could not enter: Note [Symlinks]
   * in scan.ts) are kept, as nobody can tell whether they are still there. A walk `within` some
   * folders only (Note [Re-scan where it changed]) forgets nothing outside them. The failures of
   * `recovered` files (indexed, unchanged, and read again) are out of date.
   * Returns the ids of the images the removed files showed; those left without a file are the
   * caller's to forget (Note [Removed a slice at a time] in library/library.ts), their verdicts and
   * album places kept by content meanwhile (Note [Work kept for photos that return] in kept-work.ts).
   */
  removeMissing(
    folderId: number,
    present: ReadonlySet<string>,
    { problems = new Set(), unwalked = [], within, recovered = [] }: { problems?: ReadonlySet<string>; unwalked?: readonly string[]; within?: readonly string[] | undefined; recovered?: readonly string[] } = {},
  ): { removedFiles: number; lostImageIds: number[] } {
    const s = this.statements;
    const unknown = (file: string) => unwalked.some((dir) => isInside(file, dir));
    const walked = (file: string) => !within || within.some((dir) => isInside(file, dir));
    type Row = { id: number; path: string; imageId: number };
    return this.db.transaction(() => {
      let removedFiles = 0;
      const lostImageIds: number[] = [];
      /** A path each lost image left from. */
      const leftFrom = new Map<number, string>();
      const files = within ? within.flatMap((dir) => s.filesUnder.all(...pathsUnder(dir), folderId) as Row[]) : (s.filesOfFolder.all(folderId) as Row[]);
      for (const file of files) {
        if (present.has(file.path) || unknown(file.path)) continue;
        s.deleteFile.run(file.id);
        lostImageIds.push(file.imageId);
        leftFrom.set(file.imageId, file.path);
        removedFiles++;
      }
      // Before the images no file shows are forgotten (Note [Work kept for photos that return] in kept-work.ts).
      this.keptWork.keep(this.withoutFile(leftFrom.keys()).map((imageId) => ({ imageId, path: leftFrom.get(imageId) as string })));
      for (const failedPath of s.failuresOfFolder.all(folderId) as string[]) {
        if (walked(failedPath) && !present.has(failedPath) && !problems.has(failedPath) && !unknown(failedPath)) s.deleteFailure.run(failedPath);
      }
      for (const file of recovered) s.deleteFailure.run(file);
      return { removedFiles, lostImageIds };
    })();
  }

  /** Those of these images no file shows. */
  withoutFile(imageIds: Iterable<number>): number[] {
    return [...imageIds].filter((imageId) => this.statements.imageHasFile.get(imageId) === undefined);
  }

  /** Forgets the first `limit` images after id `after` that no file shows, in one transaction; returns them, by id. */
  deleteOrphanImagesAfter(after: number, limit: number): RemovedImage[] {
    return this.db.transaction(() => this.deleteImages(this.statements.orphanImagesAfter.all(after, limit) as Array<Omit<RemovedImage, 'models'>>))();
  }

  private deleteImages(images: ReadonlyArray<Omit<RemovedImage, 'models'>>): RemovedImage[] {
    const s = this.statements;
    const removed = images.map((image) => ({
      ...image,
      models: s.embeddedModelsOf.all(image.id) as string[],
    }));
    for (const image of removed) {
      s.deleteImage.run(image.id);
      for (const model of image.models) s.bumpGeneration.run(model);
    }
    return removed;
  }

  /**
   * Forgets a folder and its files, and what photos that left it kept; returns the ids of the
   * images they leave without a file, which are the caller's to forget, their work with them (Note
   * [Removed a slice at a time] in library/library.ts).
   *
   * Note [No folder left to go on with]: the mark of an index run that did not finish says that
   * files of the library folders were not reached (`indexRunUnfinished`). With the last folder
   * gone there are none: the mark goes with it, or `lumen status` and the app's Settings would say
   * "the last index run did not finish" (`lumen index` goes on) of a library with nothing to go on
   * with, until another run. With a folder left the mark stays: the run may not have reached it.
   */
  removeFolder(folderId: number): number[] {
    const s = this.statements;
    return this.db.transaction(() => {
      const shown = s.imageIdsOfFolder.all(folderId) as number[];
      // What its photos left goes too, as the person was told (Note [Work kept for photos that return] in kept-work.ts).
      const folder = s.folderPath.get(folderId) as string | undefined;
      if (folder !== undefined) this.keptWork.forgetLeftFrom(...pathsUnder(folder));
      s.deleteFolder.run(folderId);
      s.forgetRunWithNoFolder.run();
      return this.withoutFile(shown);
    })();
  }

  generation(model: string): number {
    return (this.statements.generation.get(model) as number | undefined) ?? 0;
  }

  meta(key: string): string | undefined {
    return this.statements.getMeta.get(key) as string | undefined;
  }

  setMeta(key: string, value: string): void {
    this.statements.setMeta.run(key, value);
  }
  /** Whether the last index run ended, or not: stopped, or its process ended (a kill, a crash). */
  markIndexRun(state: 'unfinished' | 'finished'): void {
    this.setMeta('index_run', state);
  }

  indexRunUnfinished(): boolean {
    return this.meta('index_run') === 'unfinished';
  }

  /** Whether the person left the work of a kind of job paused (Note [A pause outlasts the app] in engine/kept-pauses.ts). */
  markLeftPaused(kind: string, paused: boolean): void {
    this.setMeta(`paused:${kind}`, paused ? 'yes' : 'no');
  }

  leftPaused(kind: string): boolean {
    return this.meta(`paused:${kind}`) === 'yes';
  }


  counts(): { files: number; images: number; failures: number } {
    return this.statements.counts.get() as { files: number; images: number; failures: number };
  }

  failures(): Array<{ path: string; reason: string; message: string }> {
    return this.statements.failures.all() as Array<{ path: string; reason: string; message: string }>;
  }
}

/**
 * The bounds of the paths inside `dir`, both excluded: `dir/` and `dir` followed by the character
 * after the separator. SQLite compares text by its bytes, in which order every path that starts
 * `dir/` lies between the two.
 */
function pathsUnder(dir: string): [string, string] {
  return [dir + path.sep, dir + String.fromCharCode(path.sep.charCodeAt(0) + 1)];
}
