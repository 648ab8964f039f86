/**
 * Albums a person saved from a selection of photos. Members are images (content), so an album
 * keeps a photo that is moved or renamed; a photo whose last file goes leaves its albums.
 *
 * Note [Album ids never reused]: the app names an album by its id (`saved:7`, in its address and
 * its history), so an id must never come back: Back to a deleted album would open the next album
 * saved, to be renamed or deleted in its place. SQLite gives a new row the highest id plus one,
 * an id deleted last again; so a trigger keeps the highest id deleted (meta
 * `albums_deleted_up_to`, migration in database.ts) and new albums are numbered past it. A
 * library restored from its backup (Note [Backups]) keeps albums by name and numbers them
 * afresh: an address from before the restore may name another album then.
 */
import type { Db } from './database.js';

export interface SavedAlbum {
  id: number;
  name: string;
  createdAt: number;
}

export class AlbumStore {
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      list: db.prepare('SELECT id, name, created_at AS createdAt FROM albums ORDER BY name COLLATE NOCASE'),
      byId: db.prepare('SELECT id, name, created_at AS createdAt FROM albums WHERE id = ?'),
      byName: db.prepare('SELECT id, name, created_at AS createdAt FROM albums WHERE name = ? COLLATE NOCASE'),
      insert: db.prepare(`INSERT INTO albums (id, name, created_at) VALUES (1 + MAX(
          IFNULL((SELECT MAX(id) FROM albums), 0), IFNULL((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'albums_deleted_up_to'), 0)
        ), ?, ?) RETURNING id`),
      rename: db.prepare('UPDATE albums SET name = ? WHERE id = ?'),
      imageOf: db.prepare('SELECT image_id FROM files WHERE id = ?').pluck(),
      addImage: db.prepare('INSERT OR IGNORE INTO album_images (album_id, image_id) VALUES (?, ?)'),
      removeImage: db.prepare('DELETE FROM album_images WHERE album_id = ? AND image_id = ?'),
      remove: db.prepare('DELETE FROM albums WHERE id = ?'),
      photos: db.prepare(`SELECT MIN(f.id) AS photoId FROM album_images a JOIN files f ON f.image_id = a.image_id
        WHERE a.album_id = ? GROUP BY a.image_id ORDER BY MIN(f.id)`).pluck(),
    };
  }

  list(): SavedAlbum[] {
    return this.s.list.all() as SavedAlbum[];
  }

  byId(id: number): SavedAlbum | undefined {
    return this.s.byId.get(id) as SavedAlbum | undefined;
  }

  byName(name: string): SavedAlbum | undefined {
    return this.s.byName.get(name) as SavedAlbum | undefined;
  }

  /** Saves `photoIds` (files) as an album; returns its id. */
  create(name: string, photoIds: readonly number[]): number {
    return this.db.transaction(() => {
      const id = (this.s.insert.get(name, Date.now()) as { id: number }).id;
      this.add(id, photoIds);
      return id;
    })();
  }

  rename(id: number, name: string): boolean {
    return this.s.rename.run(name, id).changes > 0;
  }

  /**
   * Adds `photoIds` (files) to an album, each image once: `added` images were not in it, `already`
   * were (two copies of one photo are one image). Files not in the library are left out.
   */
  add(id: number, photoIds: readonly number[]): { added: number; already: number } {
    return this.db.transaction(() => {
      let added = 0;
      const images = this.images(photoIds);
      for (const image of images) added += this.s.addImage.run(id, image).changes;
      return { added, already: images.size - added };
    })();
  }

  /** Takes the images of `photoIds` (files) out of an album; the photos stay in the library. Returns how many were in it. */
  removePhotos(id: number, photoIds: readonly number[]): number {
    return this.db.transaction(() => {
      let removed = 0;
      for (const image of this.images(photoIds)) removed += this.s.removeImage.run(id, image).changes;
      return removed;
    })();
  }

  remove(id: number): boolean {
    return this.s.remove.run(id).changes > 0;
  }

  private images(photoIds: readonly number[]): Set<number> {
    const images = new Set<number>();
    for (const photoId of photoIds) {
      const image = this.s.imageOf.get(photoId) as number | undefined;
      if (image !== undefined) images.add(image);
    }
    return images;
  }

  /** One file per member image. */
  photos(id: number): number[] {
    return this.s.photos.all(id) as number[];
  }
}
