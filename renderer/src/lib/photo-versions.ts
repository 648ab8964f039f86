/**
 * Photos' versions as a list of them says (Note [Photo versions] in main/app/photo-route.ts): a
 * grid puts each one in its photo's thumbnail URL, and the viewer in the preview's of a photo
 * opened from it, so that a photo edited in place shows its new picture once its list says so.
 */

/** A photo's version by its id, or undefined for a photo the list does not hold. */
export type VersionOf = (photoId: number) => number | undefined;

/** The versions of a list's photos by id; `versions` is in the order of `ids`. */
export function versionLookup(ids: ArrayLike<number>, versions: ArrayLike<number>): VersionOf {
  const byId = new Map<number, number>();
  for (let at = 0; at < ids.length; at++) byId.set(ids[at] as number, versions[at] as number);
  return (photoId) => byId.get(photoId);
}
