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
 *
 * Note [Album name keys]: albums are told apart by their names' keys (Note [Album names] in
 * main/tags/album-rules.ts), which SQL cannot make (it composes no Unicode and folds the case of
 * ASCII letters only), so the engine gives each name's key, and `name_key` is unique. Albums
 * saved before there were keys, and those restored from a backup (which keeps names only), are
 * given theirs before a name is next looked up. Two albums an earlier version let in under one
 * key ("Café" composed and decomposed) are both kept as they are: the older holds the key, and
 * the other's stays empty until the key is free again (its twin renamed or deleted), so a name
 * is never free while an album shows it.
 *
 * Note [Albums in the library's order]: an album keeps no order of its own; it shows its photos
 * as the Library does, newest first (timelineOfFiles), so its date headings and the viewer's
 * steps through it agree with the Library's. The order the photos were indexed in meant nothing
 * to a person.
 */
import type { Db } from './database.js';
import { timelineOfFiles } from './photo-timeline.js';

export interface SavedAlbum {
  id: number;
  name: string;
  createdAt: number;
}

/** A name as an album keeps it, and the key it is told apart by (Note [Album name keys]). */
export interface AlbumName {
  name: string;
  key: string;
}

export class AlbumStore {
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      list: db.prepare('SELECT id, name, created_at AS createdAt FROM albums ORDER BY id'),
      byId: db.prepare('SELECT id, name, created_at AS createdAt FROM albums WHERE id = ?'),
      byKey: db.prepare('SELECT id, name, created_at AS createdAt FROM albums WHERE name_key = ?'),
      unkeyed: db.prepare('SELECT id, name FROM albums WHERE name_key IS NULL ORDER BY id'),
      // A key another album holds already stays with it (Note [Album name keys]).
      giveKey: db.prepare('UPDATE OR IGNORE albums SET name_key = ? WHERE id = ?'),
      insert: db.prepare(`INSERT INTO albums (id, name, name_key, created_at) VALUES (1 + MAX(
          IFNULL((SELECT MAX(id) FROM albums), 0), IFNULL((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'albums_deleted_up_to'), 0)
        ), ?, ?, ?) RETURNING id`),
      rename: db.prepare('UPDATE albums SET name = ?, name_key = ? WHERE id = ?'),
      imageOf: db.prepare('SELECT image_id FROM files WHERE id = ?').pluck(),
      addImage: db.prepare('INSERT OR IGNORE INTO album_images (album_id, image_id) VALUES (?, ?)'),
      removeImage: db.prepare('DELETE FROM album_images WHERE album_id = ? AND image_id = ?'),
      remove: db.prepare('DELETE FROM albums WHERE id = ?'),
      members: db.prepare('SELECT MIN(f.id) FROM album_images a JOIN files f ON f.image_id = a.image_id WHERE a.album_id = ? GROUP BY a.image_id').pluck(),
    };
  }

  /** Every saved album, by name as a person reads names ("Été" among the E's; SQL would put it after "Z"); two names read alike, the older first. */
  list(): SavedAlbum[] {
    return (this.s.list.all() as SavedAlbum[]).sort((a, b) => a.name.localeCompare(b.name));
  }

  byId(id: number): SavedAlbum | undefined {
    return this.s.byId.get(id) as SavedAlbum | undefined;
  }

  /** The album whose name has `key`; albums with no key yet are given theirs first, by `keyOf` (Note [Album name keys]). */
  byKey(key: string, keyOf: (name: string) => string): SavedAlbum | undefined {
    for (const { id, name } of this.s.unkeyed.all() as Array<{ id: number; name: string }>) this.s.giveKey.run(keyOf(name), id);
    return this.s.byKey.get(key) as SavedAlbum | undefined;
  }

  /** Saves `photoIds` (files) as an album; returns its id. */
  create({ name, key }: AlbumName, photoIds: readonly number[]): number {
    return this.db.transaction(() => {
      const id = (this.s.insert.get(name, key, Date.now()) as { id: number }).id;
      this.add(id, photoIds);
      return id;
    })();
  }

  rename(id: number, { name, key }: AlbumName): boolean {
    return this.s.rename.run(name, key, id).changes > 0;
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

  /** One file per member image (its first), in the library's order (Note [Albums in the library's order]). */
  photos(id: number): number[] {
    return Array.from(timelineOfFiles(this.db, this.s.members.all(id) as number[]).photoIds);
  }
}
