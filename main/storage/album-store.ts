/**
 * Albums a person saved from a selection of photos. Members are images (content), so an album
 * keeps a photo that is moved or renamed; a photo whose last file goes leaves its albums.
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
      byName: db.prepare('SELECT id, name, created_at AS createdAt FROM albums WHERE name = ? COLLATE NOCASE'),
      insert: db.prepare('INSERT INTO albums (name, created_at) VALUES (?, ?) RETURNING id'),
      addMember: db.prepare('INSERT OR IGNORE INTO album_images (album_id, image_id) SELECT ?, image_id FROM files WHERE id = ?'),
      remove: db.prepare('DELETE FROM albums WHERE id = ?'),
      photos: db.prepare(`SELECT MIN(f.id) AS photoId FROM album_images a JOIN files f ON f.image_id = a.image_id
        WHERE a.album_id = ? GROUP BY a.image_id ORDER BY MIN(f.id)`).pluck(),
    };
  }

  list(): SavedAlbum[] {
    return this.s.list.all() as SavedAlbum[];
  }

  byName(name: string): SavedAlbum | undefined {
    return this.s.byName.get(name) as SavedAlbum | undefined;
  }

  /** Saves `photoIds` (files) as an album; returns its id. */
  create(name: string, photoIds: readonly number[]): number {
    return this.db.transaction(() => {
      const id = (this.s.insert.get(name, Date.now()) as { id: number }).id;
      for (const photoId of photoIds) this.s.addMember.run(id, photoId);
      return id;
    })();
  }

  remove(id: number): boolean {
    return this.s.remove.run(id).changes > 0;
  }

  /** One file per member image. */
  photos(id: number): number[] {
    return this.s.photos.all(id) as number[];
  }
}
