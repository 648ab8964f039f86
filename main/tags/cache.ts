/**
 * Raw cosines of photos against tags, kept in memory per model: one column per tag ensemble key,
 * one row per image. An edited tag gets a new key, so only its column is computed again; a new
 * photo gets a row, so only its cells are. NaN marks a cell not computed yet.
 *
 * Memory is photos x tags x 4 bytes (100,000 photos x 100 tags: 40 MB); image embeddings are not
 * kept, they are read from the database when a column needs them.
 */
export class ScoreCache {
  private readonly rowOf = new Map<number, number>();
  private readonly columns = new Map<string, Float32Array>();
  private capacity = 0;

  constructor(readonly model: string) {}

  get rows(): number {
    return this.rowOf.size;
  }

  /** The row of `imageId`, added when new. */
  row(imageId: number): number {
    let row = this.rowOf.get(imageId);
    if (row === undefined) {
      row = this.rowOf.size;
      this.rowOf.set(imageId, row);
      if (row >= this.capacity) this.grow(Math.max(1024, this.capacity * 2));
    }
    return row;
  }

  /** The column of `key`, NaN where not computed. */
  column(key: string): Float32Array {
    let column = this.columns.get(key);
    if (!column) {
      column = new Float32Array(this.capacity).fill(Number.NaN);
      this.columns.set(key, column);
    }
    return column;
  }

  /** Drops the columns of tags no longer in use. */
  retain(keys: ReadonlySet<string>): void {
    for (const key of this.columns.keys()) if (!keys.has(key)) this.columns.delete(key);
  }

  private grow(capacity: number): void {
    for (const [key, old] of this.columns) {
      const column = new Float32Array(capacity).fill(Number.NaN);
      column.set(old);
      this.columns.set(key, column);
    }
    this.capacity = capacity;
  }
}
