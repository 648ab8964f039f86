/**
 * Every read of stored embeddings, in one place: which images have one, and the vectors
 * themselves (one, a few, a range, or all of a model's a page at a time). Writes happen with the files
 * they belong to, in `LibraryStore.writeBatch`.
 *
 * Note [Key-only reads]: embedding rows carry their vector inline, so anything that only needs
 * to know *which* images have an embedding goes through the key-only index `embeddings_keys`
 * and never touches a vector.
 */
import { blobToVector, type Db } from './database.js';

export class EmbeddingStore {
  private readonly s;

  constructor(db: Db) {
    const keys = 'embeddings INDEXED BY embeddings_keys';
    this.s = {
      has: db.prepare(`SELECT 1 FROM ${keys} WHERE model = ? AND image_id = ?`).pluck(),
      ids: db.prepare(`SELECT image_id FROM ${keys} WHERE model = ?`).pluck(),
      idsAfter: db.prepare(`SELECT image_id FROM ${keys} WHERE model = ? AND image_id > ? ORDER BY image_id LIMIT ?`).pluck(),
      count: db.prepare(`SELECT COUNT(*) FROM ${keys} WHERE model = ?`).pluck(),
      countAfter: db.prepare(`SELECT COUNT(*) FROM ${keys} WHERE model = ? AND image_id > ?`).pluck(),
      // Every embedding belongs to an image (foreign key), so a difference of counts is exact.
      missing: db.prepare(`SELECT (SELECT COUNT(*) FROM images) - (SELECT COUNT(*) FROM ${keys} WHERE model = ?)`).pluck(),
      missingShown: db.prepare(`SELECT COUNT(*) FROM images i WHERE EXISTS (SELECT 1 FROM files f WHERE f.image_id = i.id)
        AND NOT EXISTS (SELECT 1 FROM ${keys} WHERE model = ? AND image_id = i.id)`).pluck(),
      models: db.prepare(`SELECT model, COUNT(*) AS count FROM ${keys} GROUP BY model ORDER BY model`),
      dimension: db.prepare('SELECT length(vector) / 4 FROM embeddings WHERE model = ? LIMIT 1').pluck(),
      vector: db.prepare('SELECT vector FROM embeddings WHERE model = ? AND image_id = ?').pluck(),
      vectorOfPhoto: db.prepare('SELECT e.vector FROM files f JOIN embeddings e ON e.image_id = f.image_id AND e.model = ? WHERE f.id = ?').pluck(),
      vectorsOf: db.prepare('SELECT image_id AS imageId, vector FROM embeddings WHERE model = ? AND image_id IN (SELECT value FROM json_each(?))'),
      between: db.prepare('SELECT image_id AS imageId, vector FROM embeddings WHERE model = ? AND image_id BETWEEN ? AND ? ORDER BY image_id'),
      rawAfter: db.prepare('SELECT image_id, vector FROM embeddings WHERE model = ? AND image_id > ? ORDER BY image_id LIMIT ?').raw(),
    };
  }

  has(model: string, imageId: number): boolean {
    return this.s.has.get(model, imageId) === 1;
  }

  /** Ids of the images that have an embedding for `model`. */
  imageIds(model: string): Set<number> {
    return new Set(this.s.ids.all(model) as number[]);
  }

  /** The next `limit` image ids with an embedding of `model`, after `after`, in order. */
  imageIdsAfter(model: string, after: number, limit: number): number[] {
    return this.s.idsAfter.all(model, after, limit) as number[];
  }

  count(model: string): number {
    return this.s.count.get(model) as number;
  }

  countAfter(model: string, after: number): number {
    return this.s.countAfter.get(model, after) as number;
  }

  /** Images of the library without an embedding of `model`. */
  missing(model: string): number {
    return this.s.missing.get(model) as number;
  }

  /** Images a file shows without an embedding of `model` (those no file shows are on their way out: Note [Removed a slice at a time] in library.ts). */
  missingShown(model: string): number {
    return this.s.missingShown.get(model) as number;
  }

  models(): Array<{ model: string; count: number }> {
    return this.s.models.all() as Array<{ model: string; count: number }>;
  }

  /** The embedding size of a model's stored vectors (0 when it has none). */
  dimension(model: string): number {
    return (this.s.dimension.get(model) as number | undefined) ?? 0;
  }

  vector(model: string, imageId: number): Float32Array | undefined {
    const blob = this.s.vector.get(model, imageId) as Buffer | undefined;
    return blob && blobToVector(blob);
  }

  /** The embedding of the image a photo (file) shows. */
  vectorOfPhoto(model: string, photoId: number): Float32Array | undefined {
    const blob = this.s.vectorOfPhoto.get(model, photoId) as Buffer | undefined;
    return blob && blobToVector(blob);
  }

  /** Embeddings of some images (those without one are left out). */
  vectorsOf(model: string, imageIds: Iterable<number>): Map<number, Float32Array> {
    const rows = this.s.vectorsOf.all(model, JSON.stringify([...imageIds])) as Array<{ imageId: number; vector: Buffer }>;
    return new Map(rows.map((row) => [row.imageId, blobToVector(row.vector)]));
  }

  /**
   * Raw embeddings of image ids from `first` to `last`, in id order: the bytes are copied straight
   * into a matrix by the caller, so no per-row vector is made.
   */
  rawBetween(model: string, first: number, last: number): Array<{ imageId: number; vector: Buffer }> {
    return this.s.between.all(model, first, last) as Array<{ imageId: number; vector: Buffer }>;
  }

  /** The next `limit` raw embeddings after image id `after`, in id order (a page of a full read). */
  rawAfter(model: string, after: number, limit: number): Array<[imageId: number, vector: Buffer]> {
    return this.s.rawAfter.all(model, after, limit) as Array<[number, Buffer]>;
  }
}
