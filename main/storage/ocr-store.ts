/**
 * Text read in photos: per image, whether it was read (and by which OCR version and gate), its
 * lines with boxes and confidence, and a full-text index over them.
 *
 * Note [Derived text]: everything here is derived from the photos and the OCR models. Dropping
 * the three tables (or `clear()`) and running OCR again rebuilds them; embeddings, tags and a
 * person's verdicts live elsewhere and are never touched.
 *
 * Note [Text tokenizer]: the full-text index uses FTS5's `trigram` tokenizer over each line's
 * text with its white space removed, so any query of three or more characters matches as a
 * substring, accents folded ("lisboa" finds "Lisbôa"). Chosen by test (test/ocr/store.test.ts):
 * `unicode61` splits on spaces and so misses a word whenever OCR runs two words together
 * ("midami00:40", which PP-OCRv4 does when it misses a gap, see Note [Recovered spaces]), and it
 * takes a run of CJK characters, written without spaces, as one token, so "東京" would not find
 * "東京タワー". Trigrams cannot match queries shorter than three characters, and most Chinese
 * and Japanese words are two: those are found by LIKE over the same table (a scan of the text of
 * the photos that have any, fast at a library's scale). Removing white space also lets
 * "receipt total" find "receipttotal"; lines stay apart (joined by newlines), so no match spans
 * two lines.
 */
import { OCR_SCHEMA, type Db } from './database.js';

export interface StoredLine {
  text: string;
  confidence: number;
  box: [number, number, number, number];
}

export type OcrStatus = 'read' | 'skipped' | 'failed';

export interface OcrState {
  status: OcrStatus;
  version: string;
  gate: string | null;
  gateScore: number | null;
  error: string | null;
}

export interface OcrTarget {
  imageId: number;
  path: string;
}

export interface TextMatch {
  imageId: number;
  /** How many of the query's words the image's text contains. */
  matched: number;
}

/** Text as the full-text index stores it (see Note [Text tokenizer]). */
export function indexableText(lines: readonly string[]): string {
  return lines.map((line) => line.replace(/\s+/gu, '')).join('\n');
}

/**
 * The photos one word of a plain query brings into its ranking, at most (Note [Fused search]). A
 * quoted phrase has no limit: it decides which photos are results, or which are not.
 */
const PER_WORD_LIMIT = 10_000;

export class OcrStore {
  private readonly s;

  constructor(private readonly db: Db) {
    const present = db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name IN ('ocr_images', 'ocr_lines', 'ocr_fts', 'ocr_images_delete')").pluck().get();
    if (present !== 4) db.exec(OCR_SCHEMA);
    this.s = {
      state: db.prepare('SELECT status, version, gate, gate_score AS gateScore, error FROM ocr_images WHERE image_id = ?'),
      saveState: db.prepare(`INSERT INTO ocr_images (image_id, status, version, gate, gate_score, error, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(image_id) DO UPDATE SET status = excluded.status, version = excluded.version, gate = excluded.gate, gate_score = excluded.gate_score,
          error = excluded.error, updated_at = excluded.updated_at`),
      imageExists: db.prepare('SELECT 1 FROM images WHERE id = ?').pluck(),
      deleteLines: db.prepare('DELETE FROM ocr_lines WHERE image_id = ?'),
      deleteText: db.prepare('DELETE FROM ocr_fts WHERE rowid = ?'),
      insertLine: db.prepare('INSERT INTO ocr_lines (image_id, line, text, confidence, x, y, w, h) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      insertText: db.prepare('INSERT INTO ocr_fts (rowid, text) VALUES (?, ?)'),
      lines: db.prepare('SELECT text, confidence, x, y, w, h FROM ocr_lines WHERE image_id = ? ORDER BY line'),
      match: db.prepare('SELECT rowid FROM ocr_fts WHERE ocr_fts MATCH ? ORDER BY rank LIMIT ?').pluck(),
      like: db.prepare("SELECT rowid FROM ocr_fts WHERE text LIKE ? ESCAPE '\\' ORDER BY rowid LIMIT ?").pluck(),
      // One file per image stands for it (OCR reads content; duplicates share it).
      targetsAfter: db.prepare(`SELECT f.image_id AS imageId, MIN(f.path) AS path FROM files f
        WHERE f.image_id > ? AND NOT EXISTS (SELECT 1 FROM ocr_images o WHERE o.image_id = f.image_id AND o.version = ? AND (o.status <> 'skipped' OR o.gate = ?))
        GROUP BY f.image_id ORDER BY f.image_id LIMIT ?`),
      countPending: db.prepare(`SELECT COUNT(DISTINCT f.image_id) FROM files f
        WHERE f.image_id > ? AND NOT EXISTS (SELECT 1 FROM ocr_images o WHERE o.image_id = f.image_id AND o.version = ? AND (o.status <> 'skipped' OR o.gate = ?))`).pluck(),
      targetOfPhoto: db.prepare('SELECT image_id AS imageId, path FROM files WHERE id = ?'),
      targetsUnder: db.prepare(`SELECT image_id AS imageId, MIN(path) AS path FROM files
        WHERE path = ? OR substr(path, 1, length(?) + 1) IN (? || '/', ? || '\\') GROUP BY image_id ORDER BY image_id`),
      counts: db.prepare(`SELECT COUNT(*) FILTER (WHERE status = 'read') AS read, COUNT(*) FILTER (WHERE status = 'skipped') AS skipped,
        COUNT(*) FILTER (WHERE status = 'failed') AS failed, (SELECT COUNT(DISTINCT image_id) FROM ocr_lines) AS withText FROM ocr_images`),
    };
  }

  state(imageId: number): OcrState | undefined {
    return this.s.state.get(imageId) as OcrState | undefined;
  }

  /**
   * Note [Read while it left]: reading a photo takes a while, and an index pass (a folder
   * re-scanned, excluded or removed, the photo deleted or edited) may take its image out of the
   * library meanwhile. Its result is then dropped, not stored (the database refuses a result for
   * an image it no longer has), and the save says so: false.
   */
  private saveIfPresent(imageId: number, save: () => void): boolean {
    return this.db.transaction(() => {
      if (this.s.imageExists.get(imageId) === undefined) return false;
      this.forgetText(imageId);
      save();
      return true;
    })();
  }

  /** Whether the image is still in the library (Note [Read while it left]). */
  inLibrary(imageId: number): boolean {
    return this.s.imageExists.get(imageId) !== undefined;
  }

  /** Replaces an image's text with `lines` (none is a valid answer: no text in it); false when the image left the library (Note [Read while it left]). */
  saveRead(imageId: number, version: string, lines: readonly StoredLine[], gate: { id: string; score: number | null } | null): boolean {
    return this.saveIfPresent(imageId, () => {
      this.s.saveState.run(imageId, 'read', version, gate?.id ?? null, gate?.score ?? null, null, Date.now());
      lines.forEach((line, i) => this.s.insertLine.run(imageId, i, line.text, line.confidence, ...line.box));
      if (lines.length > 0) this.s.insertText.run(imageId, indexableText(lines.map((line) => line.text)));
    });
  }

  /**
   * Records that `gate` turned the image away, unless this version read it meanwhile (a job
   * reading every photo beside the library's, which decided from a page asked for before).
   */
  saveSkipped(imageId: number, version: string, gate: { id: string; score: number | null }): boolean {
    const state = this.state(imageId);
    if (state?.status === 'read' && state.version === version) return true;
    return this.saveIfPresent(imageId, () => this.s.saveState.run(imageId, 'skipped', version, gate.id, gate.score, null, Date.now()));
  }

  saveFailed(imageId: number, version: string, error: string): boolean {
    return this.saveIfPresent(imageId, () => this.s.saveState.run(imageId, 'failed', version, null, null, error, Date.now()));
  }

  private forgetText(imageId: number): void {
    this.s.deleteLines.run(imageId);
    this.s.deleteText.run(imageId);
  }

  lines(imageId: number): StoredLine[] {
    return (this.s.lines.all(imageId) as Array<{ text: string; confidence: number; x: number; y: number; w: number; h: number }>).map(({ text, confidence, x, y, w, h }) => ({
      text,
      confidence,
      box: [x, y, w, h],
    }));
  }

  /**
   * Images with no result of OCR `version` yet, after image id `after`, in id order. An image the
   * gate skipped counts as done only for the same gate: a changed gate looks again.
   */
  pending(version: string, gate: string, after: number, limit: number): OcrTarget[] {
    return this.s.targetsAfter.all(after, version, gate, limit) as OcrTarget[];
  }

  /** Images with no answer of this version (for this gate) yet; with `after`, only those of a greater id. */
  pendingCount(version: string, gate: string, after = 0): number {
    return this.s.countPending.get(after, version, gate) as number;
  }

  /** The image behind a photo id, or undefined when there is no such photo. */
  targetOfPhoto(photoId: number): OcrTarget | undefined {
    return this.s.targetOfPhoto.get(photoId) as OcrTarget | undefined;
  }

  /** Every image with a file in `folder` (or that file itself). */
  targetsUnder(folder: string): OcrTarget[] {
    const prefix = folder.replace(/[\\/]+$/, '');
    return this.s.targetsUnder.all(prefix, prefix, prefix, prefix) as OcrTarget[];
  }

  /** Images whose text contains `text` (white space ignored), best first (bm25; by id for short queries); all of them without `limit`. */
  searchPhrase(text: string, limit?: number): number[] {
    const key = text.replace(/\s+/gu, '');
    // SQLite reads a negative LIMIT as none.
    const most = limit ?? -1;
    if ([...key].length >= 3) return this.s.match.all(`"${key.replace(/"/g, '""')}"`, most) as number[];
    return key ? (this.s.like.all(`%${key.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, most) as number[]) : [];
  }

  /** Images whose text contains any of `words`: most words first, then by their best bm25 place. */
  matchWords(words: readonly string[]): TextMatch[] {
    const found = new Map<number, { matched: number; place: number }>();
    for (const word of new Set(words)) {
      this.searchPhrase(word, PER_WORD_LIMIT).forEach((imageId, place) => {
        const seen = found.get(imageId);
        found.set(imageId, { matched: (seen?.matched ?? 0) + 1, place: Math.min(seen?.place ?? place, place) });
      });
    }
    return [...found]
      .sort(([, a], [, b]) => b.matched - a.matched || a.place - b.place)
      .map(([imageId, { matched }]) => ({ imageId, matched }));
  }

  counts(): { read: number; skipped: number; failed: number; withText: number } {
    return this.s.counts.get() as { read: number; skipped: number; failed: number; withText: number };
  }

  /** Forgets all text read (see Note [Derived text]). */
  clear(): void {
    this.db.transaction(() => {
      this.db.exec('DELETE FROM ocr_lines; DELETE FROM ocr_images; DELETE FROM ocr_fts;');
    })();
  }
}
