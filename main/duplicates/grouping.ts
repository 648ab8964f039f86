/**
 * Groups of near-duplicate images from each image's nearest neighbours.
 *
 * Note [Linking near-duplicates]: two images belong together when their cosine reaches the cut
 * (see Note [Duplicate threshold] in calibration.ts), and groups are the connected parts of that
 * graph (single linkage). A burst drifts: the first and last frames may be further apart than the
 * cut while each frame is close to the next, and people still see one burst. The price is that a
 * chain could join photos that are not alike; the cut sits well above the similarity of other
 * views of the same scene, and the benchmark measures precision to keep this honest. Each image
 * looks at only its k nearest neighbours: a group larger than k still joins up through the links
 * of its members.
 */
import { dot } from '../models/vectors.js';

/** Nearest neighbours of many images at once, as a batch search returns them. */
export interface NeighbourTable {
  /** The image each row is about. */
  imageIds: ArrayLike<number>;
  /** Neighbours per row (some rows may have fewer; their unused slots hold -1). */
  k: number;
  /** `imageIds.length * k` neighbour image ids, best first within a row. */
  neighbours: ArrayLike<number>;
  /** Their cosine similarity to the row's image. */
  similarities: ArrayLike<number>;
}

class DisjointSets {
  private readonly parent: Int32Array;

  constructor(size: number) {
    this.parent = Int32Array.from({ length: size }, (_, i) => i);
  }

  find(x: number): number {
    let root = x;
    while (this.parent[root] !== root) root = this.parent[root] as number;
    while (this.parent[x] !== root) {
      const next = this.parent[x] as number;
      this.parent[x] = root;
      x = next;
    }
    return root;
  }

  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

/** One group: image ids, and the lowest similarity among the links found inside it. */
export interface ImageGroup {
  imageIds: number[];
  weakestLink: number;
}

/**
 * Groups of two or more images linked at `minSimilarity` or above (Note [Linking
 * near-duplicates]), largest first, each listing its image ids in ascending order.
 */
export function linkGroups(table: NeighbourTable, minSimilarity: number): ImageGroup[] {
  const rowOf = new Map<number, number>();
  for (let row = 0; row < table.imageIds.length; row++) rowOf.set(table.imageIds[row] as number, row);
  const sets = new DisjointSets(table.imageIds.length);
  const links: Array<[number, number]> = [];
  for (let row = 0; row < table.imageIds.length; row++) {
    const self = table.imageIds[row] as number;
    for (let j = 0; j < table.k; j++) {
      const at = row * table.k + j;
      const other = table.neighbours[at] as number;
      const similarity = table.similarities[at] as number;
      // Rows are best first: the rest of this row is below the cut too.
      if (other < 0 || similarity < minSimilarity) break;
      const otherRow = rowOf.get(other);
      if (other === self || otherRow === undefined) continue;
      sets.union(row, otherRow);
      links.push([row, similarity]);
    }
  }
  const groups = new Map<number, ImageGroup>();
  for (const [row, similarity] of links) {
    const root = sets.find(row);
    const group = groups.get(root);
    if (group) group.weakestLink = Math.min(group.weakestLink, similarity);
    else groups.set(root, { imageIds: [], weakestLink: similarity });
  }
  for (let row = 0; row < table.imageIds.length; row++) groups.get(sets.find(row))?.imageIds.push(table.imageIds[row] as number);
  return [...groups.values()]
    .filter((group) => group.imageIds.length > 1)
    .map((group) => ({ ...group, imageIds: group.imageIds.sort((a, b) => a - b) }))
    .sort((a, b) => b.imageIds.length - a.imageIds.length || (a.imageIds[0] as number) - (b.imageIds[0] as number));
}

/**
 * Note [Marked only beside the keep]: a group's copies are joined through chains (Note [Linking
 * near-duplicates]), so a copy may be nothing like the one suggested to keep: a chain of alike
 * synthetic photos once joined 5,827 unrelated ones into one group, all but one of them marked for
 * the trash. A copy is suggested for the trash only when it is itself within the cut of the keep
 * (byte-identical copies share the keep's image); the others of its group are shown, unmarked,
 * for the person to judge.
 */

/** The images of `imageIds` joined to `keep` only through others (Note [Marked only beside the keep]); one without a vector counts as such. */
export function joinedThroughOthers(keep: number, imageIds: readonly number[], vectors: ReadonlyMap<number, Float32Array>, minSimilarity: number): Set<number> {
  const keepVector = vectors.get(keep);
  // Stored embeddings are L2-normalised: their dot product is their cosine.
  const near = (imageId: number) => {
    const vector = vectors.get(imageId);
    return imageId === keep || (keepVector !== undefined && vector !== undefined && dot(keepVector, vector) >= minSimilarity);
  };
  return new Set(imageIds.filter((imageId) => !near(imageId)));
}
