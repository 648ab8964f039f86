/**
 * Note [Limits the window checks]: a call over one of the contract's limits is refused in the
 * schema's own words ("Too big: expected array to have <=100 items"), so the window checks these
 * before it asks, and says them in its own words. Free of zod and Node, as photo-path.ts is: the
 * contract's schemas and the renderer both import them from here.
 */

/** The exclusions one folder may have, and the longest pattern (library.setExcludes). */
export const MAX_EXCLUSIONS = 100;
export const MAX_EXCLUSION_CHARS = 500;
/** The longest vocabulary file's text the window may send (vocabulary.import). */
export const MAX_VOCABULARY_CHARS = 5_000_000;
/** The most folders added at once: dropped on the window (Note [Dropped folders] in preload/index.ts; main/app/router.ts), or picked. */
export const MAX_FOLDERS_ADDED = 100;
/** Why more folders than that were refused, in the words of how they came: `count` written as the place saying it writes numbers. */
export function tooManyFolders(count: string, came: 'drop' | 'pick'): string {
  return `Lumen adds at most ${MAX_FOLDERS_ADDED} folders at a time, and these are ${count}: ${came} fewer, or ${came} the folder that holds them.`;
}
/** A photo dropped or pasted to search by (search.image); larger files are refused before they cross. */
export const MAX_QUERY_IMAGE_BYTES = 50 * 1000 * 1000;
