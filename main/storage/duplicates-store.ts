/**
 * Near-duplicates' queries (main/duplicates): the photos of grouped images with what choosing a
 * copy to keep needs, exact copies (files of one content), per-model calibrations and measured
 * sharpness.
 */
import type { Db } from './database.js';

/** A file of a grouped image, with the image's size and metadata. */
export interface DuplicateFileRow {
  photoId: number;
  imageId: number;
  path: string;
  fileSize: number;
  mtimeMs: number;
  width: number;
  height: number;
  takenAt: number | null;
  cameraMake: string | null;
  cameraModel: string | null;
  lens: string | null;
  latitude: number | null;
  longitude: number | null;
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

  constructor(private readonly db: Db) {
    this.s = {
      files: db.prepare(`SELECT f.id AS photoId, f.image_id AS imageId, f.path, f.size AS fileSize, f.mtime_ms AS mtimeMs, i.width, i.height, i.taken_at AS takenAt,
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
      saveSharpness: db.prepare('INSERT INTO image_sharpness (image_id, sharpness) VALUES (?, ?) ON CONFLICT(image_id) DO UPDATE SET sharpness = excluded.sharpness'),
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

  saveSharpness(imageId: number, sharpness: number): void {
    this.s.saveSharpness.run(imageId, sharpness);
  }
}
