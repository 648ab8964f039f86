/**
 * Near-duplicates' queries (main/duplicates): the photos of grouped images with what choosing a
 * copy to keep needs, exact copies (files of one content), per-model calibrations, measured
 * sharpness, and what copies moved to the trash leave to the copies kept (Note [What a moved copy
 * leaves] in main/duplicates/trash.ts).
 */
import type { Db } from './database.js';
import { KeptWork, type LeftImage } from './kept-work.js';
import type { PhotoMetadata } from './library-store.js';

/** A file of a grouped image, with the image's size and metadata. */
export interface DuplicateFileRow extends Omit<PhotoMetadata, 'orientation'> {
  photoId: number;
  imageId: number;
  /** The content the file showed (its image's). */
  contentHash: string;
  /** Its image's whole-file hash; null where it was indexed before those were recorded (Note [Same start, other content] in main/library/identity.ts). */
  wholeHash: string | null;
  path: string;
  fileSize: number;
  mtimeMs: number;
  width: number;
  height: number;
}

export interface StoredCalibration {
  model: string;
  edit: number;
  scene: number;
  photos: number;
  /** Photos with an embedding of the model when it was made; null in calibrations made before it was recorded. */
  embedded: number | null;
}

export class DuplicatesStore {
  private readonly s;
  private readonly keptWork;

  constructor(private readonly db: Db) {
    this.keptWork = new KeptWork(db);
    this.s = {
      files: db.prepare(`SELECT f.id AS photoId, f.image_id AS imageId, i.content_hash AS contentHash, i.whole_hash AS wholeHash, f.path, f.size AS fileSize, f.mtime_ms AS mtimeMs, i.width, i.height, i.taken_at AS takenAt,
          i.camera_make AS cameraMake, i.camera_model AS cameraModel, i.lens, i.latitude, i.longitude
        FROM files f JOIN images i ON i.id = f.image_id WHERE f.image_id IN (SELECT value FROM json_each(?)) ORDER BY f.image_id, f.path`),
      sharedImages: db.prepare('SELECT image_id FROM files GROUP BY image_id HAVING COUNT(*) > 1 ORDER BY image_id').pluck(),
      calibration: db.prepare('SELECT model, edit, scene, photos, embedded FROM duplicate_calibrations WHERE model = ?'),
      saveCalibration: db.prepare(`INSERT INTO duplicate_calibrations (model, edit, scene, photos, embedded, updated_at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT(model) DO UPDATE SET edit = excluded.edit, scene = excluded.scene, photos = excluded.photos, embedded = excluded.embedded, updated_at = excluded.updated_at`),
      samplePhotos: db.prepare(`SELECT (SELECT path FROM files WHERE image_id = i.id ORDER BY path LIMIT 1) FROM images i
        WHERE EXISTS (SELECT 1 FROM embeddings e INDEXED BY embeddings_keys WHERE e.model = ? AND e.image_id = i.id) ORDER BY i.content_hash LIMIT ?`).pluck(),
      embeddingsAfter: db.prepare('SELECT image_id, vector FROM embeddings WHERE model = ? AND image_id > ? ORDER BY image_id LIMIT ?').raw(true),
      sharpness: db.prepare('SELECT sharpness FROM image_sharpness WHERE image_id = ?').pluck(),
      // Nothing for an image a re-scan forgot while it was measured.
      saveSharpness: db.prepare(`INSERT INTO image_sharpness (image_id, sharpness) SELECT @imageId, @sharpness WHERE EXISTS (SELECT 1 FROM images WHERE id = @imageId)
        ON CONFLICT(image_id) DO UPDATE SET sharpness = excluded.sharpness`),
      pathsShowing: db.prepare('SELECT f.path FROM images i JOIN files f ON f.image_id = i.id WHERE i.content_hash = ?').pluck(),
      imagesAt: db.prepare('SELECT image_id AS imageId, path FROM files WHERE path IN (SELECT value FROM json_each(?))'),
      // A verdict of the kept copy's own stays; one the tagger gave it gives way, as to any verdict.
      handOverVerdicts: db.prepare(`INSERT INTO image_tags (image_id, tag, source, rejected, score, cosine, model, updated_at)
          SELECT k.image_id, r.tag, 'person', r.rejected, NULL, NULL, NULL, r.updated_at FROM restored_verdicts r JOIN files k ON k.id = @kept WHERE r.content_hash = @content
        ON CONFLICT(image_id, tag) DO UPDATE SET source = 'person', rejected = excluded.rejected, updated_at = excluded.updated_at WHERE image_tags.source <> 'person'`),
      handOverAlbums: db.prepare(`INSERT OR IGNORE INTO album_images (album_id, image_id)
        SELECT r.album_id, k.image_id FROM restored_album_images r JOIN files k ON k.id = @kept WHERE r.content_hash = @content`),
      // A content the library has was never forgotten, or is back: it carries its own.
      dropRememberedVerdicts: db.prepare('DELETE FROM restored_verdicts WHERE EXISTS (SELECT 1 FROM images i WHERE i.content_hash = restored_verdicts.content_hash)'),
      dropRememberedAlbums: db.prepare('DELETE FROM restored_album_images WHERE EXISTS (SELECT 1 FROM images i WHERE i.content_hash = restored_album_images.content_hash)'),
      // Their record of when they were kept (Note [Work kept for photos that return] in kept-work.ts) goes with them.
      dropKeptOfPresent: db.prepare('DELETE FROM kept_work WHERE EXISTS (SELECT 1 FROM images i WHERE i.content_hash = kept_work.content_hash)'),
    };
  }

  /** Every file of `imageIds`, by image then path. */
  files(imageIds: readonly number[]): DuplicateFileRow[] {
    return this.s.files.all(JSON.stringify(imageIds)) as DuplicateFileRow[];
  }

  /** Images that more than one file shows (byte-identical copies). */
  sharedImages(): number[] {
    return this.s.sharedImages.all() as number[];
  }

  calibration(model: string): StoredCalibration | undefined {
    return this.s.calibration.get(model) as StoredCalibration | undefined;
  }

  saveCalibration(calibration: StoredCalibration): void {
    this.s.saveCalibration.run(calibration.model, calibration.edit, calibration.scene, calibration.photos, calibration.embedded, Date.now());
  }

  /**
   * Paths of up to `count` images with an embedding of `model`, in content-hash order: a sample
   * as good as random, but the same whenever the library holds the same photos.
   */
  samplePhotos(model: string, count: number): string[] {
    return (this.s.samplePhotos.all(model, count) as Array<string | null>).filter((file): file is string => file !== null);
  }

  /**
   * Up to `limit` embeddings of `model` after image `after`, in id order, as stored (little-endian
   * f32 bytes): one page at a time, so the connection is free between pages, and without the
   * per-row copy LibraryStore.embeddings makes.
   */
  embeddingBlobsAfter(model: string, after: number, limit: number): Array<[imageId: number, vector: Buffer]> {
    return this.s.embeddingsAfter.all(model, after, limit) as Array<[number, Buffer]>;
  }

  sharpness(imageId: number): number | undefined {
    return this.s.sharpness.get(imageId) as number | undefined;
  }

  /** Stores an image's sharpness, unless the image is gone (a re-scan forgot it while it was measured). */
  saveSharpness(imageId: number, sharpness: number): void {
    this.s.saveSharpness.run({ imageId, sharpness });
  }

  /** The files that show `contentHash` now. */
  pathsShowing(contentHash: string): string[] {
    return this.s.pathsShowing.all(contentHash) as string[];
  }

  /**
   * Remembers by content the verdicts and albums of the images the files at `paths` show, before
   * those files go to the trash (Note [What a moved copy leaves]).
   */
  rememberBeforeTrash(paths: readonly string[]): void {
    // As a photo whose file left the library (Note [Work kept for photos that return] in kept-work.ts).
    this.keptWork.keep(this.s.imagesAt.all(JSON.stringify(paths)) as LeftImage[]);
  }

  /**
   * Gives each kept copy (a photo id) the albums and verdicts remembered of the content a moved
   * copy showed (Note [What a moved copy leaves]).
   */
  handOver(moves: ReadonlyArray<{ content: string; kept: number }>): void {
    this.db.transaction(() => {
      for (const move of moves) {
        this.s.handOverVerdicts.run(move);
        this.s.handOverAlbums.run(move);
      }
    })();
  }

  /** Drops what was remembered of contents the library still has, once a re-scan has forgotten what went (Note [What a moved copy leaves]). */
  dropRememberedOfPresent(): void {
    this.db.transaction(() => {
      this.s.dropRememberedVerdicts.run();
      this.s.dropRememberedAlbums.run();
      this.s.dropKeptOfPresent.run();
    })();
  }
}
