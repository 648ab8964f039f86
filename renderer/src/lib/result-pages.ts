/**
 * Note [Pages may overlap]: each page of results is ranked on its own, its best candidates
 * re-scored exactly (Note [Re-ranking] in main/storage/vector-index.ts), and a deeper page
 * re-scores deeper: a photo that came just below the pages shown can rise into their span, and
 * push one of their photos down into the next page. So the next page is asked from OVERLAP
 * photos before the end of the last one, to catch a photo that rose into them, and adds only
 * the photos not shown yet. Those on screen keep their places.
 */
const OVERLAP = 100;

/** The largest next page whose ask, its overlap included, stays within `maxLimit`. */
export function largestPage(maxLimit: number): number {
  return maxLimit - OVERLAP;
}

/** What to ask for the page after the first `fetched` ranked photos. */
export function nextPage(fetched: number, size: number): { offset: number; limit: number } {
  const offset = Math.max(0, fetched - OVERLAP);
  return { offset, limit: fetched - offset + size };
}

/** `shown` followed by the photos of `page` it does not hold yet, in the page's order. */
export function appendPage<T extends { id: number }>(shown: readonly T[], page: readonly T[]): T[] {
  const ids = new Set(shown.map((photo) => photo.id));
  return [...shown, ...page.filter((photo) => !ids.has(photo.id))];
}
