/**
 * Note [Pages may overlap]: each page of results is ranked on its own, its best candidates
 * re-scored exactly (Note [Re-ranking] in main/storage/vector-index.ts), and a deeper page
 * re-scores deeper: a photo that came just below the first page's end can rise into its span and
 * push one of its photos down into the next page. So a page adds only the photos not shown yet,
 * and the next one starts where the last one asked for ended, not at the number shown.
 */
export function appendPage<T extends { id: number }>(shown: readonly T[], page: readonly T[]): T[] {
  const ids = new Set(shown.map((photo) => photo.id));
  return [...shown, ...page.filter((photo) => !ids.has(photo.id))];
}
