/**
 * Tagging's tables in the library database (see the tagging migration in database.ts): the
 * person's vocabulary, cached tag embeddings, tags per image and how far tagging got (Note [Tags
 * follow the model] in main/tags/tagger.ts).
 *
 * Note [Moving renamed tags]: a renamed tag's rows (a person's verdicts, the tagger's own tags,
 * verdicts restored from a backup awaiting their photo) are all lifted out before any is put
 * back under its new name, so names may swap or chain in one save. Onto a name that already has
 * rows (a tag deleted in the same save, or one left from before), the moved row wins, except
 * that the tagger's row never replaces a person's verdict: no unique key is broken and no
 * verdict on the renamed tag is lost. Its refinement from those verdicts, and whether the person
 * switched that off, move with it and replace whatever the new name had.
 */
import { blobToVector, vectorToBlob, type Db } from './database.js';
import { folderOfPath, type PhotoRef } from './photo-store.js';

export type TagSource = 'auto' | 'person';

export interface ImageTagRow {
  imageId: number;
  tag: string;
  source: TagSource;
  rejected: boolean;
  /** Probability the tagger gave (see Note [Tag assignment]); null for a person's tag it never scored. */
  score: number | null;
  cosine: number | null;
  model: string | null;
  updatedAt: number;
}

/** A tag's name before and after an edit (Note [Renamed tags] in main/tags/library-vocabulary.ts). */
export interface TagRename {
  from: string;
  to: string;
}

export interface AutoTag {
  tag: string;
  score: number;
  cosine: number;
}

interface RawTagRow {
  imageId: number;
  tag: string;
  source: TagSource;
  rejected: number;
  score: number | null;
  cosine: number | null;
  model: string | null;
  updatedAt: number;
}

const toRow = (row: RawTagRow): ImageTagRow => ({ ...row, rejected: row.rejected === 1 });

const TAG_COLUMNS = 'image_id AS imageId, tag, source, rejected, score, cosine, model, updated_at AS updatedAt';

export class TagStore {
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      vocabulary: db.prepare('SELECT json FROM tag_vocabulary WHERE id = 1').pluck(),
      saveVocabulary: db.prepare('INSERT INTO tag_vocabulary (id, json, updated_at) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json, updated_at = excluded.updated_at'),
      // In the library's facts, which a backup keeps whole: a restored vocabulary keeps its tags' first names.
      origins: db.prepare("SELECT value FROM meta WHERE key = 'tag_origins'").pluck(),
      saveOrigins: db.prepare("INSERT INTO meta (key, value) VALUES ('tag_origins', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"),
      embedding: db.prepare('SELECT vector FROM tag_embeddings WHERE model = ? AND key = ?').pluck(),
      saveEmbedding: db.prepare('INSERT INTO tag_embeddings (model, key, vector) VALUES (?, ?, ?) ON CONFLICT(model, key) DO UPDATE SET vector = excluded.vector'),
      embeddingKeys: db.prepare('SELECT key FROM tag_embeddings WHERE model = ?').pluck(),
      deleteEmbedding: db.prepare('DELETE FROM tag_embeddings WHERE model = ? AND key = ?'),
      // A model's state holds only while no other model has one (Note [Tags follow the model] in main/tags/tagger.ts).
      state: db.prepare('SELECT fingerprint, done_through AS doneThrough FROM tag_state WHERE model = @model AND NOT EXISTS (SELECT 1 FROM tag_state WHERE model <> @model)'),
      saveState: db.prepare('INSERT INTO tag_state (model, fingerprint, done_through) VALUES (?, ?, ?) ON CONFLICT(model) DO UPDATE SET fingerprint = excluded.fingerprint, done_through = excluded.done_through'),
      forgetOtherStates: db.prepare('DELETE FROM tag_state WHERE model <> ?'),
      tagsBetween: db.prepare(`SELECT ${TAG_COLUMNS} FROM image_tags WHERE image_id BETWEEN ? AND ?`),
      tagsOfImage: db.prepare(`SELECT ${TAG_COLUMNS} FROM image_tags WHERE image_id = ? ORDER BY tag`),
      tagRow: db.prepare(`SELECT ${TAG_COLUMNS} FROM image_tags WHERE image_id = ? AND tag = ?`),
      // Decided from embeddings read before an await: the image may have left the library since.
      insertAuto: db.prepare(`INSERT INTO image_tags (image_id, tag, source, rejected, score, cosine, model, updated_at)
        SELECT @imageId, @tag, 'auto', 0, @score, @cosine, @model, @now WHERE EXISTS (SELECT 1 FROM images WHERE id = @imageId)`),
      updateAuto: db.prepare("UPDATE image_tags SET score = ?, cosine = ?, model = ?, updated_at = ? WHERE image_id = ? AND tag = ? AND source = 'auto'"),
      deleteAuto: db.prepare("DELETE FROM image_tags WHERE image_id = ? AND tag = ? AND source = 'auto'"),
      deleteAutoNotIn: db.prepare("DELETE FROM image_tags WHERE source = 'auto' AND tag NOT IN (SELECT value FROM json_each(?))"),
      setVerdict: db.prepare(`INSERT INTO image_tags (image_id, tag, source, rejected, score, cosine, model, updated_at) VALUES (?, ?, 'person', ?, NULL, NULL, NULL, ?)
        ON CONFLICT(image_id, tag) DO UPDATE SET source = 'person', rejected = excluded.rejected, updated_at = excluded.updated_at`),
      clearVerdict: db.prepare("DELETE FROM image_tags WHERE image_id = ? AND tag = ? AND source = 'person'"),
      rowsNamed: db.prepare(`SELECT ${TAG_COLUMNS} FROM image_tags WHERE tag IN (SELECT value FROM json_each(?))`),
      deleteNamed: db.prepare('DELETE FROM image_tags WHERE tag IN (SELECT value FROM json_each(?))'),
      placeRow: db.prepare(`INSERT INTO image_tags (image_id, tag, source, rejected, score, cosine, model, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(image_id, tag) DO UPDATE SET source = excluded.source, rejected = excluded.rejected, score = excluded.score, cosine = excluded.cosine,
          model = excluded.model, updated_at = excluded.updated_at
        WHERE excluded.source = 'person' OR image_tags.source = 'auto'`),
      restoredNamed: db.prepare('SELECT content_hash AS contentHash, tag, rejected, updated_at AS updatedAt FROM restored_verdicts WHERE tag IN (SELECT value FROM json_each(?))'),
      deleteRestoredNamed: db.prepare('DELETE FROM restored_verdicts WHERE tag IN (SELECT value FROM json_each(?))'),
      placeRestored: db.prepare('INSERT OR REPLACE INTO restored_verdicts (content_hash, tag, rejected, updated_at) VALUES (?, ?, ?, ?)'),
      refinementsNamed: db.prepare('SELECT model, tag, fingerprint, vector, report, updated_at AS updatedAt FROM tag_refinements WHERE tag IN (SELECT value FROM json_each(?))'),
      deleteRefinementsNamed: db.prepare('DELETE FROM tag_refinements WHERE tag IN (SELECT value FROM json_each(?))'),
      placeRefinement: db.prepare('INSERT OR REPLACE INTO tag_refinements (model, tag, fingerprint, vector, report, updated_at) VALUES (?, ?, ?, ?, ?, ?)'),
      offNamed: db.prepare('SELECT tag, updated_at AS updatedAt FROM tag_refinement_off WHERE tag IN (SELECT value FROM json_each(?))'),
      deleteOffNamed: db.prepare('DELETE FROM tag_refinement_off WHERE tag IN (SELECT value FROM json_each(?))'),
      placeOff: db.prepare('INSERT OR REPLACE INTO tag_refinement_off (tag, updated_at) VALUES (?, ?)'),
      labelled: db.prepare(`SELECT ${TAG_COLUMNS} FROM image_tags WHERE source = 'person' ORDER BY image_id, tag`),
      // One per image, as photosOf and the preview count them: byte-identical copies are one
      // photo. An image with no file left counts for nothing, as it shows nowhere.
      counts: db.prepare(`SELECT tag,
          COUNT(*) FILTER (WHERE rejected = 0) AS photos,
          COUNT(*) FILTER (WHERE source = 'auto') AS auto,
          COUNT(*) FILTER (WHERE source = 'person' AND rejected = 0) AS confirmed,
          COUNT(*) FILTER (WHERE rejected = 1) AS rejected
        FROM image_tags t WHERE EXISTS (SELECT 1 FROM files f WHERE f.image_id = t.image_id) GROUP BY tag ORDER BY photos DESC, tag`),
      photosWithTags: db.prepare(`SELECT f.id AS photoId, f.image_id AS imageId, f.path, t.tag, t.score, t.source
        FROM files f JOIN image_tags t ON t.image_id = f.image_id AND t.rejected = 0 ORDER BY f.path, t.tag`),
      // Tallies of a tag over photos: how many show it, and the sum of their scores (1 for a confirmed tag never scored).
      // Per folder, each picture once: identical copies in it are one photo (Note [Folder albums count pictures] in photo-store.ts).
      perFolder: db.prepare(`SELECT folder, tag, COUNT(*) AS photos, SUM(COALESCE(score, 1)) AS scoreSum FROM (
          SELECT DISTINCT ${folderOfPath('f.path')} AS folder, t.image_id, t.tag, t.score FROM files f JOIN image_tags t ON t.image_id = f.image_id AND t.rejected = 0)
        GROUP BY folder, tag`),
      ofPhotos: db.prepare(`SELECT t.tag, COUNT(*) AS photos, SUM(COALESCE(t.score, 1)) AS scoreSum FROM (SELECT DISTINCT value FROM json_each(?)) j
        JOIN files f ON f.id = j.value JOIN image_tags t ON t.image_id = f.image_id AND t.rejected = 0 GROUP BY t.tag`),
      // The best photos of every tag: the person's first, then by score; one file per image.
      samples: db.prepare(`SELECT tag, photoId FROM (
          SELECT t.tag, MIN(f.id) AS photoId, ROW_NUMBER() OVER (PARTITION BY t.tag ORDER BY t.source = 'person' DESC, t.score DESC, t.image_id) AS rank
          FROM image_tags t JOIN files f ON f.image_id = t.image_id WHERE t.rejected = 0 GROUP BY t.tag, t.image_id)
        WHERE rank <= ? ORDER BY tag, rank`),
      photosOf: db.prepare(`SELECT MIN(f.id) AS photoId FROM image_tags t JOIN files f ON f.image_id = t.image_id
        WHERE t.tag = ? AND t.rejected = 0 GROUP BY t.image_id ORDER BY t.source = 'person' DESC, t.score DESC, t.image_id`).pluck(),
      taggedOrRejected: db.prepare('SELECT MIN(f.id) AS photoId FROM image_tags t JOIN files f ON f.image_id = t.image_id WHERE t.tag = ? GROUP BY t.image_id ORDER BY t.image_id').pluck(),
    };
  }

  vocabularyJson(): string | undefined {
    return this.s.vocabulary.get() as string | undefined;
  }

  /** The first name of each tag renamed since (Note [Tags back to their names] in main/tags/library-vocabulary.ts), by its name now. */
  tagOrigins(): Map<string, string> {
    const json = this.s.origins.get() as string | undefined;
    return new Map(json ? (JSON.parse(json) as Array<[string, string]>) : []);
  }

  /** Saves the vocabulary with its tags' first names and, in the same transaction, moves its renamed tags' rows. */
  saveVocabularyJson(json: string, renames: readonly TagRename[] = [], origins: ReadonlyMap<string, string> = new Map()): void {
    this.db.transaction(() => {
      this.s.saveVocabulary.run(json, Date.now());
      this.s.saveOrigins.run(JSON.stringify([...origins]));
      this.renameTags(renames);
    })();
  }

  /** Moves every row of each renamed tag to its new name (Note [Moving renamed tags]). */
  private renameTags(renames: readonly TagRename[]): void {
    if (renames.length === 0) return;
    const newName = new Map(renames.map(({ from, to }) => [from, to]));
    const names = JSON.stringify([...newName.keys()]);
    const rows = this.s.rowsNamed.all(names) as RawTagRow[];
    const restored = this.s.restoredNamed.all(names) as Array<{ contentHash: string; tag: string; rejected: number; updatedAt: number }>;
    this.s.deleteNamed.run(names);
    this.s.deleteRestoredNamed.run(names);
    for (const row of rows) this.s.placeRow.run(row.imageId, newName.get(row.tag), row.source, row.rejected, row.score, row.cosine, row.model, row.updatedAt);
    for (const row of restored) this.s.placeRestored.run(row.contentHash, newName.get(row.tag), row.rejected, row.updatedAt);
    // The refinement and its switch are the tag's, whole: what a new name had before is replaced, even by nothing.
    const refinements = this.s.refinementsNamed.all(names) as Array<{ model: string; tag: string; fingerprint: string; vector: Buffer | null; report: string; updatedAt: number }>;
    const off = this.s.offNamed.all(names) as Array<{ tag: string; updatedAt: number }>;
    const everyName = JSON.stringify([...newName.keys(), ...newName.values()]);
    this.s.deleteRefinementsNamed.run(everyName);
    this.s.deleteOffNamed.run(everyName);
    for (const row of refinements) this.s.placeRefinement.run(row.model, newName.get(row.tag), row.fingerprint, row.vector, row.report, row.updatedAt);
    for (const row of off) this.s.placeOff.run(newName.get(row.tag), row.updatedAt);
  }

  tagEmbedding(model: string, key: string): Float32Array | undefined {
    const blob = this.s.embedding.get(model, key) as Buffer | undefined;
    return blob ? blobToVector(blob) : undefined;
  }

  saveTagEmbedding(model: string, key: string, vector: Float32Array): void {
    this.s.saveEmbedding.run(model, key, vectorToBlob(vector));
  }

  /** Forgets cached embeddings of `model` whose key is not in `keep` (tags edited away). */
  pruneTagEmbeddings(model: string, keep: ReadonlySet<string>): number {
    let removed = 0;
    for (const key of this.s.embeddingKeys.all(model) as string[]) {
      if (!keep.has(key)) removed += this.s.deleteEmbedding.run(model, key).changes;
    }
    return removed;
  }

  /** How far `model` tagged the library and with which vocabulary, while the tagger's tags are still as its runs left them. */
  state(model: string): { fingerprint: string; doneThrough: number } | undefined {
    return this.s.state.get({ model }) as { fingerprint: string; doneThrough: number } | undefined;
  }

  saveState(model: string, fingerprint: string, doneThrough: number): void {
    this.s.saveState.run(model, fingerprint, doneThrough);
  }

  /** The tagger's tags are being written under `model`: how far any other model got no longer holds. */
  forgetOtherStates(model: string): void {
    this.s.forgetOtherStates.run(model);
  }

  tagsBetween(first: number, last: number): ImageTagRow[] {
    return (this.s.tagsBetween.all(first, last) as RawTagRow[]).map(toRow);
  }

  tagsOfImage(imageId: number): ImageTagRow[] {
    return (this.s.tagsOfImage.all(imageId) as RawTagRow[]).map(toRow);
  }

  tagRow(imageId: number, tag: string): ImageTagRow | undefined {
    const row = this.s.tagRow.get(imageId, tag) as RawTagRow | undefined;
    return row ? toRow(row) : undefined;
  }

  /** Adds the tagger's tag to an image; false when the image left the library since it was decided. */
  insertAuto(imageId: number, tag: AutoTag, model: string, now: number): boolean {
    return this.s.insertAuto.run({ imageId, tag: tag.tag, score: tag.score, cosine: tag.cosine, model, now }).changes > 0;
  }

  updateAuto(imageId: number, tag: AutoTag, model: string, now: number): void {
    this.s.updateAuto.run(tag.score, tag.cosine, model, now, imageId, tag.tag);
  }

  deleteAuto(imageId: number, tag: string): void {
    this.s.deleteAuto.run(imageId, tag);
  }

  /** Removes the tagger's tags whose name is not in `names` (tags deleted or disabled). */
  deleteAutoNotIn(names: readonly string[]): number {
    return this.s.deleteAutoNotIn.run(JSON.stringify(names)).changes;
  }

  setVerdict(imageId: number, tag: string, rejected: boolean): void {
    this.s.setVerdict.run(imageId, tag, rejected ? 1 : 0, Date.now());
  }

  /** One verdict on each image's tag, in one transaction; `clear` returns the images whose verdict it withdrew. */
  giveVerdicts(verdicts: ReadonlyArray<{ imageId: number; tag: string }>, verdict: 'confirm' | 'reject' | 'clear'): number[] {
    return this.db.transaction(() =>
      verdicts.flatMap(({ imageId, tag }) => {
        if (verdict === 'clear') return this.s.clearVerdict.run(imageId, tag).changes > 0 ? [imageId] : [];
        this.setVerdict(imageId, tag, verdict === 'reject');
        return [];
      }),
    )();
  }

  labelled(): ImageTagRow[] {
    return (this.s.labelled.all() as RawTagRow[]).map(toRow);
  }

  counts(): Array<{ tag: string; photos: number; auto: number; confirmed: number; rejected: number }> {
    return this.s.counts.all() as Array<{ tag: string; photos: number; auto: number; confirmed: number; rejected: number }>;
  }

  /** Up to `perTag` photo ids of each tag, best first. */
  samples(perTag: number): Array<{ tag: string; photoId: number }> {
    return this.s.samples.all(perTag) as Array<{ tag: string; photoId: number }>;
  }

  /** The photos showing `tag` (one file per image): confirmed first, then by score. */
  photosOf(tag: string): number[] {
    return this.s.photosOf.all(tag) as number[];
  }

  /**
   * The photos showing `tag` and those the person rejected it on (one file per image): the
   * photos whose sidecars an export of the tag rewrites, so that it leaves the rejected ones.
   */
  photosTaggedOrRejected(tag: string): number[] {
    return this.s.taggedOrRejected.all(tag) as number[];
  }

  /** Per tag shown on any of `photoIds` (files), how many of them show it and the sum of their scores; read through them alone. */
  tagsOfPhotos(photoIds: readonly number[]): Array<{ tag: string; photos: number; scoreSum: number }> {
    return this.s.ofPhotos.all(JSON.stringify(photoIds)) as Array<{ tag: string; photos: number; scoreSum: number }>;
  }

  /**
   * Per folder (with its trailing separator, Note [Folders in SQL] in photo-store.ts) and tag, how many of the
   * folder's photos (pictures, copies once: Note [Folder albums count pictures]) show the tag and the sum of their scores (1 for a confirmed tag never scored).
   */
  tagsPerFolder(): Array<{ folder: string; tag: string; photos: number; scoreSum: number }> {
    return this.s.perFolder.all() as Array<{ folder: string; tag: string; photos: number; scoreSum: number }>;
  }

  *photosWithTags(): Generator<PhotoRef & { tag: string; score: number | null; source: TagSource }> {
    yield* this.s.photosWithTags.iterate() as Iterable<PhotoRef & { tag: string; score: number | null; source: TagSource }>;
  }
}
