/**
 * Refining a tag from a person's verdicts: the maths, pure.
 *
 * Note [Refined tags]: a tag the person has confirmed and rejected on enough photos gets its own
 * vector, fitted to those verdicts, in place of the text embedding. It is fitted for the rule the
 * tagger applies (Note [Tag assignment]): a photo x gets the tag when its softmax probability
 * reaches the threshold, that is when `scale * x.w >= LSE_j(scale * x.v_j) + logit(threshold)`
 * over the other tags and the background v_j. So this is logistic regression on that margin,
 * with the two classes weighted equally, started at the text embedding t and held near it by a
 * ridge on |w - t| as strong, in every direction, as PRIOR_VERDICTS verdicts of maximal
 * uncertainty spread like the person's photos: five verdicts move it a little, a hundred a lot.
 * w is not scaled back to unit length, since its length is part of the fit (it sets how sharply
 * the tag's probability rises). Whether it is used is decided by cross-validation on the same
 * verdicts (stratified folds, each verdict held out once): the refined vector must decide more
 * of the held-out verdicts as the person did than the text embedding, counting confirmed and
 * rejected photos equally, and by more than chance explains (a one-sided McNemar test at 5 %
 * on the verdicts where the two disagree: with random verdicts a bare "more" picked the refined
 * vector a third of the time); otherwise the tag stays zero-shot and the report says why. The vector then used is fitted on all verdicts. On the fixture model (see
 * test/bench/refine.ts) priors of 2 and 8 verdicts gained about alike on held-out scenes and 32
 * little; 4 sits between. Each class is capped at MAX_PER_CLASS verdicts, evenly spaced, since
 * a Newton step solves a system as large as the verdicts.
 */
import { MIN_VERDICTS } from './refine-rules.js';

/** Pseudo-verdicts the text embedding is worth (see the refinement figures in test/bench). */
export const PRIOR_VERDICTS = 4;
/** Newton steps at most; a fit converges in far fewer. */
const ITERATIONS = 30;
const MAX_FOLDS = 5;
const MAX_PER_CLASS = 100;
/** One-sided 5 % of a normal: how far beyond chance the cross-validated gain must be. */
const SIGNIFICANCE = 1.645;

export interface RefineInput {
  /** The tag's zero-shot (text ensemble) embedding, unit length. */
  text: Float32Array;
  /** The other enabled tags' and the background's embeddings: the rest of the softmax. */
  others: readonly Float32Array[];
  /** The model's logit scale and the tag's threshold (Note [Tag assignment]). */
  scale: number;
  threshold: number;
  /** Image embeddings the person confirmed and rejected for the tag. */
  confirmed: readonly Float32Array[];
  rejected: readonly Float32Array[];
}

export interface Counts {
  /** Held-out confirmed photos the rule tags, and misses. */
  truePositives: number;
  falseNegatives: number;
  /** Held-out rejected photos the rule tags, and leaves alone. */
  falsePositives: number;
  trueNegatives: number;
}

export interface RuleFigures extends Counts {
  precision: number | null;
  recall: number | null;
}

export interface Refinement {
  /** The vector to score with; null when the tag stays zero-shot. */
  vector: Float32Array | null;
  /**
   * Why, in words: the vector's choice (refined or zero-shot) and the held-out figures are fields
   * of their own, which the app and the CLI show beside it, so the reason repeats neither.
   */
  reason: string;
  confirmed: number;
  rejected: number;
  folds: number;
  /** Held-out figures of cross-validation; null when there were too few verdicts to run it. */
  zeroShot: RuleFigures | null;
  refined: RuleFigures | null;
}

const dotOf = (a: Float32Array, b: Float32Array) => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
};

/** Per photo: the logit its tag score must reach, from the rest of the softmax and the threshold. */
function offsets(photos: readonly Float32Array[], input: RefineInput): Float64Array {
  const bar = Math.log(input.threshold / (1 - input.threshold));
  return Float64Array.from(photos, (photo) => {
    const logits = input.others.map((other) => input.scale * dotOf(photo, other));
    const max = Math.max(...logits);
    return max + Math.log(logits.reduce((sum, logit) => sum + Math.exp(logit - max), 0)) + bar;
  });
}

/** Solves `a x = b` for a square row-major `a` of side `n` (Gaussian elimination, partial pivoting); overwrites both. */
function solve(a: Float64Array, b: Float64Array, n: number): Float64Array {
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let row = col + 1; row < n; row++) if (Math.abs(a[row * n + col] as number) > Math.abs(a[pivot * n + col] as number)) pivot = row;
    if (pivot !== col) {
      for (let k = 0; k < n; k++) [a[col * n + k], a[pivot * n + k]] = [a[pivot * n + k] as number, a[col * n + k] as number];
      [b[col], b[pivot]] = [b[pivot] as number, b[col] as number];
    }
    const diagonal = a[col * n + col] as number;
    for (let row = col + 1; row < n; row++) {
      const factor = (a[row * n + col] as number) / diagonal;
      if (factor === 0) continue;
      for (let k = col; k < n; k++) a[row * n + k] = (a[row * n + k] as number) - factor * (a[col * n + k] as number);
      b[row] = (b[row] as number) - factor * (b[col] as number);
    }
  }
  const x = new Float64Array(n);
  for (let row = n - 1; row >= 0; row--) {
    let sum = b[row] as number;
    for (let k = row + 1; k < n; k++) sum -= (a[row * n + k] as number) * (x[k] as number);
    x[row] = sum / (a[row * n + row] as number);
  }
  return x;
}

/**
 * The vector w = text + sum_n alpha_n x_n fitted to labelled photos (Note [Refined tags]): the
 * prior is a ridge on |w - text|, so the optimum lies in the span of the photos and Newton's
 * method on alpha converges in a few steps.
 */
export function fitVector(text: Float32Array, photos: readonly Float32Array[], labels: readonly boolean[], bars: Float64Array, scale: number): Float32Array {
  const n = photos.length;
  const positives = labels.filter(Boolean).length;
  // Each class weighs half of the data, whatever the counts.
  const weights = labels.map((label) => (label ? 0.5 / positives : 0.5 / (n - positives)) * n);
  const sign = labels.map((label) => (label ? 1 : -1));
  const gram = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) gram[i * n + j] = gram[j * n + i] = dotOf(photos[i] as Float32Array, photos[j] as Float32Array);
  const base = Float64Array.from(photos, (photo, i) => scale * dotOf(photo, text) - (bars[i] as number));
  // Spread of the photos per direction: the prior is as strong as PRIOR_VERDICTS uncertain verdicts that spread.
  let spread = 0;
  for (let i = 0; i < n; i++) {
    let row = 0;
    for (let j = 0; j < n; j++) row += gram[i * n + j] as number;
    spread += (gram[i * n + i] as number) - row / n;
  }
  const lambda = (PRIOR_VERDICTS * scale * scale * Math.max(spread / n / text.length, 1e-9)) / 4;
  const alpha = new Float64Array(n);
  const margins = (a: Float64Array) => base.map((b, i) => {
    let change = 0;
    for (let j = 0; j < n; j++) change += (gram[i * n + j] as number) * (a[j] as number);
    return b + scale * change;
  });
  const objective = (a: Float64Array) => {
    const m = margins(a);
    let value = 0;
    for (let i = 0; i < n; i++) {
      const z = (sign[i] as number) * (m[i] as number);
      value += (weights[i] as number) * (z > 0 ? Math.log1p(Math.exp(-z)) : -z + Math.log1p(Math.exp(z)));
      let ka = 0;
      for (let j = 0; j < n; j++) ka += (gram[i * n + j] as number) * (a[j] as number);
      value += (lambda / 2) * (a[i] as number) * ka;
    }
    return value;
  };
  let current = objective(alpha);
  for (let iteration = 0; iteration < ITERATIONS; iteration++) {
    const m = margins(alpha);
    const system = new Float64Array(n * n);
    const rhs = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-(sign[i] as number) * (m[i] as number)));
      const curvature = (weights[i] as number) * p * (1 - p) * scale * scale;
      for (let j = 0; j < n; j++) system[i * n + j] = curvature * (gram[i * n + j] as number) + (i === j ? lambda : 0);
      rhs[i] = -scale * (weights[i] as number) * (sign[i] as number) * (1 - p) + lambda * (alpha[i] as number);
    }
    const delta = solve(system, rhs, n);
    let step = 1;
    let next = alpha.map((a, i) => a - step * (delta[i] as number));
    let value = objective(next);
    while (value > current && step > 1e-4) {
      step /= 2;
      next = alpha.map((a, i) => a - step * (delta[i] as number));
      value = objective(next);
    }
    if (value > current) break;
    alpha.set(next);
    const improvement = current - value;
    current = value;
    if (improvement < 1e-9 * Math.max(1, current)) break;
  }
  const w = Float32Array.from(text);
  photos.forEach((photo, i) => {
    for (let k = 0; k < w.length; k++) w[k] = (w[k] as number) + (alpha[i] as number) * (photo[k] as number);
  });
  return w;
}

function figures(counts: Counts): RuleFigures {
  const tagged = counts.truePositives + counts.falsePositives;
  const confirmed = counts.truePositives + counts.falseNegatives;
  return { ...counts, precision: tagged ? counts.truePositives / tagged : null, recall: confirmed ? counts.truePositives / confirmed : null };
}

function tally(counts: Counts, tagged: boolean, confirmed: boolean): void {
  const key = confirmed ? (tagged ? 'truePositives' : 'falseNegatives') : tagged ? 'falsePositives' : 'trueNegatives';
  counts[key]++;
}

/** Refines one tag from its verdicts, or says why it stays zero-shot (Note [Refined tags]). */
export function refineTag(input: RefineInput, minVerdicts = MIN_VERDICTS): Refinement {
  const spaced = (photos: readonly Float32Array[]) => (photos.length <= MAX_PER_CLASS ? photos : Array.from({ length: MAX_PER_CLASS }, (_, i) => photos[Math.floor((i * photos.length) / MAX_PER_CLASS)] as Float32Array));
  const positives = spaced(input.confirmed);
  const negatives = spaced(input.rejected);
  const confirmed = positives.length;
  const rejected = negatives.length;
  const base = { confirmed, rejected };
  if (confirmed < minVerdicts || rejected < minVerdicts) {
    return { ...base, vector: null, folds: 0, zeroShot: null, refined: null, reason: `refining needs at least ${minVerdicts} confirmed and ${minVerdicts} rejected photos (there are ${confirmed} and ${rejected})` };
  }
  const photos = [...positives, ...negatives];
  const labels = photos.map((_, i) => i < confirmed);
  const bars = offsets(photos, input);
  const folds = Math.min(MAX_FOLDS, confirmed, rejected);
  // Stratified: the i-th confirmed and the i-th rejected photo go to fold i mod folds.
  const foldOf = labels.map((label, i) => (label ? i : i - confirmed) % folds);
  const zero: Counts = { truePositives: 0, falseNegatives: 0, falsePositives: 0, trueNegatives: 0 };
  const refined: Counts = { ...zero };
  // Per held-out verdict, weighted so each class counts half: + where only refined is right, - where only zero-shot is.
  let gain = 0;
  let variance = 0;
  for (let fold = 0; fold < folds; fold++) {
    const train = photos.map((_, i) => i).filter((i) => foldOf[i] !== fold);
    const w = fitVector(input.text, train.map((i) => photos[i] as Float32Array), train.map((i) => labels[i] as boolean), Float64Array.from(train, (i) => bars[i] as number), input.scale);
    photos.forEach((photo, i) => {
      if (foldOf[i] !== fold) return;
      const label = labels[i] as boolean;
      const zeroTags = input.scale * dotOf(photo, input.text) >= (bars[i] as number);
      const refinedTags = input.scale * dotOf(photo, w) >= (bars[i] as number);
      tally(zero, zeroTags, label);
      tally(refined, refinedTags, label);
      if (zeroTags !== refinedTags) {
        const refinedRight = refinedTags === label;
        const weight = (confirmed + rejected) / (2 * (label ? confirmed : rejected));
        gain += refinedRight ? weight : -weight;
        variance += weight * weight;
      }
    });
  }
  const zeroShot = figures(zero);
  const refinedFigures = figures(refined);
  const cv = { ...base, folds, zeroShot, refined: refinedFigures };
  const on = `${folds}-fold cross-validation on ${confirmed} confirmed and ${rejected} rejected photos`;
  if (gain > 0 && gain >= SIGNIFICANCE * Math.sqrt(variance)) {
    return { ...cv, vector: fitVector(input.text, photos, labels, bars, input.scale), reason: `refining decides more of your verdicts right, beyond chance (${on})` };
  }
  const why = gain > 0 ? 'the gain refining shows could be chance' : gain === 0 ? 'refining shows no gain' : 'refining would decide fewer of your verdicts right';
  return { ...cv, vector: null, reason: `${why} (${on})` };
}
