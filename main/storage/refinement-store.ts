/**
 * Refined tags' queries (main/tags/refinements.ts): the stored refinement per model and tag, the
 * tags a person set back to zero-shot, and the embeddings of the photos they gave verdicts on.
 */
import { blobToVector, vectorToBlob, type Db } from './database.js';

export interface StoredRefinement {
  tag: string;
  fingerprint: string;
  vector: Float32Array | null;
  /** JSON of the refinement's report. */
  report: string;
}

export interface Verdict {
  tag: string;
  imageId: number;
  rejected: boolean;
}

export class RefinementStore {
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      forModel: db.prepare('SELECT tag, fingerprint, vector, report FROM tag_refinements WHERE model = ? ORDER BY tag'),
      one: db.prepare('SELECT tag, fingerprint, vector, report FROM tag_refinements WHERE model = ? AND tag = ?'),
      save: db.prepare(`INSERT INTO tag_refinements (model, tag, fingerprint, vector, report, updated_at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT(model, tag) DO UPDATE SET fingerprint = excluded.fingerprint, vector = excluded.vector, report = excluded.report, updated_at = excluded.updated_at`),
      remove: db.prepare('DELETE FROM tag_refinements WHERE model = ? AND tag = ?'),
      off: db.prepare('SELECT tag FROM tag_refinement_off ORDER BY tag').pluck(),
      isOff: db.prepare('SELECT 1 FROM tag_refinement_off WHERE tag = ?').pluck(),
      setOff: db.prepare('INSERT INTO tag_refinement_off (tag, updated_at) VALUES (?, ?) ON CONFLICT(tag) DO UPDATE SET updated_at = excluded.updated_at'),
      setOn: db.prepare('DELETE FROM tag_refinement_off WHERE tag = ?'),
      verdicts: db.prepare(`SELECT t.tag, t.image_id AS imageId, t.rejected FROM image_tags t
        WHERE t.source = 'person' AND EXISTS (SELECT 1 FROM embeddings e INDEXED BY embeddings_keys WHERE e.model = ? AND e.image_id = t.image_id)
        ORDER BY t.tag, t.image_id`),
    };
  }

  forModel(model: string): StoredRefinement[] {
    return (this.s.forModel.all(model) as Array<{ tag: string; fingerprint: string; vector: Buffer | null; report: string }>).map((row) => ({
      ...row,
      vector: row.vector ? blobToVector(row.vector) : null,
    }));
  }

  refinement(model: string, tag: string): StoredRefinement | undefined {
    const row = this.s.one.get(model, tag) as { tag: string; fingerprint: string; vector: Buffer | null; report: string } | undefined;
    return row ? { ...row, vector: row.vector ? blobToVector(row.vector) : null } : undefined;
  }

  save(model: string, refinement: StoredRefinement): void {
    this.s.save.run(model, refinement.tag, refinement.fingerprint, refinement.vector ? vectorToBlob(refinement.vector) : null, refinement.report, Date.now());
  }

  remove(model: string, tag: string): void {
    this.s.remove.run(model, tag);
  }

  offTags(): Set<string> {
    return new Set(this.s.off.all() as string[]);
  }

  isOff(tag: string): boolean {
    return this.s.isOff.get(tag) === 1;
  }

  setOff(tag: string, off: boolean): void {
    if (off) this.s.setOff.run(tag, Date.now());
    else this.s.setOn.run(tag);
  }

  /** The person's verdicts on photos that have an embedding of `model`, by tag then image. */
  verdicts(model: string): Verdict[] {
    return (this.s.verdicts.all(model) as Array<{ tag: string; imageId: number; rejected: number }>).map((row) => ({ ...row, rejected: row.rejected === 1 }));
  }
}
