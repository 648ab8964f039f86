/**
 * A duplicates finder over images given as angles: each image a unit vector in two dimensions,
 * so that how alike two are is the cosine of the angle between them, and a group can be a chain
 * (each copy alike to the next, the ends not to each other).
 */
import type { DuplicateCalibration } from '../../main/duplicates/calibration.js';
import { DuplicateFinder } from '../../main/duplicates/finder.js';
import type { NeighbourTable } from '../../main/duplicates/grouping.js';
import type { Library } from '../../main/library/library.js';
import type { ClipModel } from '../../main/models/clip.js';
import type { Storage } from '../../main/storage/storage.js';

export const vectorAt = (degrees: number) => Float32Array.of(Math.cos((degrees * Math.PI) / 180), Math.sin((degrees * Math.PI) / 180));

// On the calibrated scale the default threshold 0.75 cuts at 0.6 + 0.75 × (1 − 0.6) = 0.9.
const CALIBRATION: DuplicateCalibration = { model: 'chain', edit: 1, scene: 0.6, photos: 100 };

export class ChainFinder extends DuplicateFinder {
  /** `storage`: what the find reads of the library (its files, and the embeddings of `vectors`). */
  constructor(
    storage: Partial<Storage>,
    private readonly vectors: ReadonlyMap<number, Float32Array>,
  ) {
    super({ storage } as unknown as Library, { id: 'chain', dim: 2 } as ClipModel);
  }

  override calibration(): Promise<DuplicateCalibration> {
    return Promise.resolve(CALIBRATION);
  }

  /** Every image's neighbours by brute force, best first, as the batch search gives them. */
  override neighbours(): Promise<NeighbourTable> {
    const ids = [...this.vectors.keys()];
    const vector = (id: number) => this.vectors.get(id) as Float32Array;
    const cos = (a: Float32Array, b: Float32Array) => (a[0] as number) * (b[0] as number) + (a[1] as number) * (b[1] as number);
    const rows = ids.map((id) => ids.map((other) => ({ other, similarity: cos(vector(id), vector(other)) })).sort((a, b) => b.similarity - a.similarity));
    return Promise.resolve({ imageIds: ids, k: ids.length, neighbours: rows.flat().map((n) => n.other), similarities: rows.flat().map((n) => n.similarity) });
  }
}
