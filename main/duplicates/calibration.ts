/**
 * What "near-duplicate" means for one model, learnt from edited copies of a few of the person's
 * own photos.
 *
 * Note [Duplicate threshold]: a raw cosine means different things for different models. Measured
 * on the same 58 wallpapers: the median cosine between two far-apart views of one scene is 0.87
 * with the fixture model and 0.98 with a random-weight ViT-B/32, and a brightness edit scores
 * 0.92 and 0.98. So the threshold a person sets is on a scale each model is calibrated to: 1 is
 * the cosine of a typical edited copy (the median over the edits of NEAR_DUPLICATE_EDITS), 0 that
 * of two views of one scene that share nothing (sceneViews), and a threshold T cuts at
 * `scene + T x (edit - scene)`. The anchors come from photos of the library itself, edited and
 * embedded once per model (12 images per photo), and are stored, so grouping never runs the
 * model. T above 1 is stricter than a typical edit (only re-saves and resized copies);
 * below 0 it reaches into other shots of the same scene. The sample is the same while the
 * library's embedded photos are, so one that could read fewer photos than it wants (a drive not
 * mounted, damaged files) is made again only once their number changes.
 */
import { UserError, throwIfAborted } from '../core/errors.js';
import type { ClipModel } from '../models/clip.js';
import { dot } from '../models/vectors.js';

/**
 * Photos a calibration edits. Measured on the fixture model over 8 random samples of a set of
 * shape scenes, the cut at threshold 0.5 spread over 0.870 to 0.905 with 12 photos and one pair
 * of views each, and 0.849 to 0.894 (all but one within 0.849 to 0.872) with 16 and two pairs.
 */
export const CALIBRATION_PHOTOS = 16;

export interface DuplicateCalibration {
  model: string;
  /** Median cosine between a photo and an edited copy of it. */
  edit: number;
  /** Median cosine between two views of one scene that share nothing. */
  scene: number;
  /** Photos it was learnt from. */
  photos: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The calibration from measured cosines of edited copies and of other views of a scene. */
export function calibrationFrom(model: string, editCosines: readonly number[], sceneCosines: readonly number[], photos: number): DuplicateCalibration {
  if (editCosines.length === 0 || sceneCosines.length === 0) throw new Error('A calibration needs cosines of both kinds.');
  return { model, edit: median(editCosines), scene: median(sceneCosines), photos };
}

/** The raw cosine a threshold on the calibrated scale cuts at (Note [Duplicate threshold]). */
export function cosineCut(calibration: DuplicateCalibration, threshold: number): number {
  return calibration.scene + threshold * (calibration.edit - calibration.scene);
}

/** A raw cosine on the calibrated scale (for showing how alike a group is). */
export function calibratedSimilarity(calibration: DuplicateCalibration, cosine: number): number {
  return (cosine - calibration.scene) / (calibration.edit - calibration.scene);
}

/**
 * Calibrates `model` on the first `photos` of `candidates` that can be read (Note [Duplicate
 * threshold]): each is edited in every way of NEAR_DUPLICATE_EDITS and cut into its pairs of
 * views, and all of it is embedded.
 */
export async function calibrate(model: ClipModel, candidates: readonly string[], options: { photos?: number; signal?: AbortSignal } = {}): Promise<DuplicateCalibration> {
  // Loaded here, with libvips: the threshold's scale is read by commands that decode nothing.
  const { NEAR_DUPLICATE_EDITS, applyEdits, sceneViews, workingCopy } = await import('./variants.js');
  const wanted = options.photos ?? CALIBRATION_PHOTOS;
  const signal = options.signal;
  const editCosines: number[] = [];
  const sceneCosines: number[] = [];
  let used = 0;
  for (const photo of candidates) {
    if (used === wanted) break;
    throwIfAborted(signal);
    let images: Buffer[];
    try {
      const base = await workingCopy(photo);
      images = [base, ...(await Promise.all(NEAR_DUPLICATE_EDITS.map((variant) => applyEdits(base, variant.edits)))), ...(await sceneViews(base)).flat()];
    } catch {
      continue;
    }
    const vectors = (await model.embedImageList(images, { signal })).map((result) => ('vector' in result ? result.vector : null));
    if (vectors.some((vector) => vector === null)) continue;
    const [original, ...rest] = vectors as Float32Array[];
    const edits = rest.slice(0, NEAR_DUPLICATE_EDITS.length);
    const views = rest.slice(NEAR_DUPLICATE_EDITS.length);
    for (const edit of edits) editCosines.push(dot(original as Float32Array, edit));
    for (let i = 0; i + 1 < views.length; i += 2) sceneCosines.push(dot(views[i] as Float32Array, views[i + 1] as Float32Array));
    used++;
  }
  if (used === 0) {
    throw new UserError('bad-input', `None of the ${candidates.length} photos chosen to calibrate near-duplicate search for ${model.id} could be read. Index the library again, then retry.`);
  }
  const calibration = calibrationFrom(model.id, editCosines, sceneCosines, used);
  if (calibration.edit - calibration.scene < 1e-3) {
    throw new UserError('model-invalid', `${model.id} gives edited copies of a photo no higher similarity than other views of the same scene, so it cannot find near-duplicates. Use another model.`);
  }
  return calibration;
}
