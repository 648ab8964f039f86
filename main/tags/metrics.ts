/**
 * Evaluation metrics over score matrices: zero-shot classification (top-k accuracy, per-tag
 * accuracy, confusions) and retrieval (Recall@K, mean reciprocal rank). Pure functions over
 * numbers, so they are checked against hand-computed values.
 *
 * Note [Ranks and ties]: an item's rank is one plus the number of candidates scoring strictly
 * higher than it. With ties that is the optimistic rank; real embeddings practically never tie.
 */

/** A row-major matrix of scores: `rows` queries x `cols` candidates. */
export interface ScoreTable {
  rows: number;
  cols: number;
  values: ArrayLike<number>;
}

export function table(rows: readonly (readonly number[])[]): ScoreTable {
  const cols = rows[0]?.length ?? 0;
  return { rows: rows.length, cols, values: rows.flat() };
}

/** Rank (1 = best) of the best-scoring of `relevant` among all candidates of row `row`. */
export function rankOf(scores: ScoreTable, row: number, relevant: readonly number[]): number {
  const base = row * scores.cols;
  let best = Number.NEGATIVE_INFINITY;
  for (const col of relevant) best = Math.max(best, scores.values[base + col] as number);
  let higher = 0;
  for (let col = 0; col < scores.cols; col++) if ((scores.values[base + col] as number) > best) higher++;
  return higher + 1;
}

export interface ClassCount {
  n: number;
  top1: number;
  top5: number;
}

export interface ZeroShotReport {
  /** Photos evaluated. */
  n: number;
  /** Fraction whose true tag scored highest. */
  top1: number;
  /** Fraction whose true tag was among the five highest. */
  top5: number;
  /** Per true tag: its photos and the fraction right at top-1 and top-5. */
  perTag: Record<string, ClassCount>;
  /** confusion[actual][predicted]: how often a photo of `actual` scored `predicted` highest (mistakes only). */
  confusion: Record<string, Record<string, number>>;
  /** The most frequent mistakes, most frequent first. */
  topConfusions: Array<{ actual: string; predicted: string; count: number }>;
}

/**
 * Zero-shot classification metrics: `scores` has one row per photo and one column per tag,
 * `labels[i]` is the column of photo i's true tag.
 */
export function zeroShotReport(scores: ScoreTable, labels: readonly number[], tags: readonly string[]): ZeroShotReport {
  if (labels.length !== scores.rows) throw new Error(`zeroShotReport: ${labels.length} labels for ${scores.rows} rows.`);
  const perTag: Record<string, ClassCount> = {};
  const confusion: Record<string, Record<string, number>> = {};
  let top1 = 0;
  let top5 = 0;
  labels.forEach((label, row) => {
    const name = tags[label] as string;
    const entry = (perTag[name] ??= { n: 0, top1: 0, top5: 0 });
    const rank = rankOf(scores, row, [label]);
    entry.n++;
    if (rank === 1) {
      top1++;
      entry.top1++;
    } else {
      let predicted = 0;
      for (let col = 1; col < scores.cols; col++) {
        if ((scores.values[row * scores.cols + col] as number) > (scores.values[row * scores.cols + predicted] as number)) predicted = col;
      }
      const mistakes = (confusion[name] ??= {});
      const other = tags[predicted] as string;
      mistakes[other] = (mistakes[other] ?? 0) + 1;
    }
    if (rank <= 5) {
      top5++;
      entry.top5++;
    }
  });
  for (const entry of Object.values(perTag)) {
    entry.top1 /= entry.n;
    entry.top5 /= entry.n;
  }
  const topConfusions = Object.entries(confusion)
    .flatMap(([actual, row]) => Object.entries(row).map(([predicted, count]) => ({ actual, predicted, count })))
    .sort((a, b) => b.count - a.count || a.actual.localeCompare(b.actual) || a.predicted.localeCompare(b.predicted))
    .slice(0, 10);
  const n = labels.length;
  return { n, top1: n ? top1 / n : 0, top5: n ? top5 / n : 0, perTag, confusion, topConfusions };
}

export interface RetrievalMetrics {
  /** Queries. */
  n: number;
  recallAt1: number;
  recallAt5: number;
  recallAt10: number;
  /** Mean over queries of 1 / rank of the first relevant candidate. */
  mrr: number;
}

/** Recall@1/5/10 and MRR: `relevant[q]` lists the candidates that answer query q. */
export function retrievalMetrics(scores: ScoreTable, relevant: readonly (readonly number[])[]): RetrievalMetrics {
  if (relevant.length !== scores.rows) throw new Error(`retrievalMetrics: ${relevant.length} relevance lists for ${scores.rows} queries.`);
  const hits = { 1: 0, 5: 0, 10: 0 };
  let reciprocal = 0;
  relevant.forEach((answers, row) => {
    if (answers.length === 0) throw new Error(`retrievalMetrics: query ${row} has no relevant candidate.`);
    const rank = rankOf(scores, row, answers);
    reciprocal += 1 / rank;
    for (const k of [1, 5, 10] as const) if (rank <= k) hits[k]++;
  });
  const n = relevant.length;
  const fraction = (count: number) => (n ? count / n : 0);
  return { n, recallAt1: fraction(hits[1]), recallAt5: fraction(hits[5]), recallAt10: fraction(hits[10]), mrr: fraction(reciprocal) };
}

/** The transpose of a score table (image->text from text->image scores). */
export function transpose(scores: ScoreTable): ScoreTable {
  const values = new Float64Array(scores.rows * scores.cols);
  for (let r = 0; r < scores.rows; r++) for (let c = 0; c < scores.cols; c++) values[c * scores.rows + r] = scores.values[r * scores.cols + c] as number;
  return { rows: scores.cols, cols: scores.rows, values };
}
