/**
 * What the person made of a photo that left the library (their verdicts, its places in saved
 * albums), kept by its content for when it comes back.
 *
 * Note [Work kept for photos that return]: verdicts (confirmed, rejected, tags added by hand) and
 * album places belong to an image, and an image no file shows is forgotten (Note [Removed a slice
 * at a time] in main/library/library.ts), taking them with it: a file moved out and back (a USB
 * stick, the system trash) came back with none. So as a walk finds the last file of an image gone
 * (deleted or moved away), and before Duplicates moves a copy to the trash (Note
 * [What a moved copy leaves] in main/duplicates/trash.ts), they are kept by content in
 * restored_verdicts and restored_album_images, as a backup's are, and the triggers of database.ts
 * give them back as that content is indexed again; kept_work says from where and when, until then.
 * An edited photo is other content and gets nothing back here (Note [Edited in place] in
 * main/library/indexer.ts follows edits in place). What was kept more than KEPT_DAYS before is
 * forgotten at each walk's end, whether a photo left then or not, so the tables hold at most the
 * work of the photos that left in that time (a backup's, with no kept_work row, wait as before). A folder the person removes forgets
 * what its photos left too, as Settings and `lumen folders` say ("Lumen forgets its photos, with
 * their tags, your verdicts and their places in saved albums").
 */
import type { Db } from './database.js';

export const KEPT_DAYS = 90;
const KEPT_MS = KEPT_DAYS * 24 * 60 * 60 * 1000;

/** An image leaving the library, with a path it leaves from. */
export interface LeftImage {
  imageId: number;
  path: string;
}

/** The images of `@left` (LeftImage[] as JSON), with their contents and the paths they leave from. */
const LEFT = `SELECT i.id AS image_id, i.content_hash, json_extract(l.value, '$.path') AS path
  FROM json_each(@left) l JOIN images i ON i.id = json_extract(l.value, '$.imageId')`;

/** Forgets what was kept of the contents whose kept_work rows match `which`, and those rows. */
function forgetting(db: Db, which: string) {
  const contents = `SELECT content_hash FROM kept_work WHERE ${which}`;
  const statements = [
    db.prepare(`DELETE FROM restored_verdicts WHERE content_hash IN (${contents})`),
    db.prepare(`DELETE FROM restored_album_images WHERE content_hash IN (${contents})`),
    db.prepare(`DELETE FROM kept_work WHERE ${which}`),
  ];
  return (params: Record<string, unknown>) => {
    for (const statement of statements) statement.run(params);
  };
}

export class KeptWork {
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      // What these images have now replaces what was kept of their contents before.
      dropVerdictsOf: db.prepare(`DELETE FROM restored_verdicts WHERE content_hash IN (SELECT content_hash FROM (${LEFT}))`),
      dropAlbumsOf: db.prepare(`DELETE FROM restored_album_images WHERE content_hash IN (SELECT content_hash FROM (${LEFT}))`),
      keepVerdicts: db.prepare(`INSERT OR REPLACE INTO restored_verdicts (content_hash, tag, rejected, updated_at)
        SELECT l.content_hash, t.tag, t.rejected, t.updated_at FROM (${LEFT}) l JOIN image_tags t ON t.image_id = l.image_id AND t.source = 'person'`),
      keepAlbums: db.prepare(`INSERT OR IGNORE INTO restored_album_images (album_id, content_hash)
        SELECT a.album_id, l.content_hash FROM (${LEFT}) l JOIN album_images a ON a.image_id = l.image_id`),
      markKept: db.prepare(`INSERT OR REPLACE INTO kept_work (content_hash, kept_from, kept_at) SELECT l.content_hash, l.path, @now FROM (${LEFT}) l
        WHERE EXISTS (SELECT 1 FROM restored_verdicts r WHERE r.content_hash = l.content_hash) OR EXISTS (SELECT 1 FROM restored_album_images r WHERE r.content_hash = l.content_hash)`),
      forgetOlder: forgetting(db, 'kept_at < @before'),
      forgetUnder: forgetting(db, 'kept_from > @first AND kept_from < @end'),
    };
  }

  /** Keeps by content the verdicts and album places of `left`, and forgets what was kept more than KEPT_DAYS before `now` (Note [Work kept for photos that return]). */
  keep(left: readonly LeftImage[], now = Date.now()): void {
    const params = { left: JSON.stringify(left), now };
    this.db.transaction(() => {
      this.s.forgetOlder({ before: now - KEPT_MS });
      if (left.length === 0) return;
      this.s.dropVerdictsOf.run(params);
      this.s.dropAlbumsOf.run(params);
      this.s.keepVerdicts.run(params);
      this.s.keepAlbums.run(params);
      this.s.markKept.run(params);
    })();
  }

  /** Forgets what was kept of photos that left from paths between `first` and `end` (a folder the person removes). */
  forgetLeftFrom(first: string, end: string): void {
    this.s.forgetUnder({ first, end });
  }
}
