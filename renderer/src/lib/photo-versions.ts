/**
 * Photos' versions as a list of them says (Note [Photo versions] in main/app/photo-route.ts): a
 * grid puts each one in its photo's thumbnail URL, and the viewer in the preview's of a photo
 * opened from it, so that a photo edited in place shows its new picture once its list says so.
 *
 * Note [Versions followed]: the library's timeline is read again when the library
 * changes, and so is the open photo's details, and, once the changes rest, a tag's or an album's
 * photos and the cards' samples (Note [Pages follow the library] in follow-library.ts), but other
 * lists are not: search results, the viewer's similar photos, the duplicate groups, the template
 * editor's preview. Reading those again would cost a search, a tagging summary or a duplicates
 * run per change, and move what a person is looking at. So a
 * view with such a list follows its photos (`PhotoVersions.follow` in
 * state/photo-versions.svelte.ts): when the library changes, the versions of the photos followed,
 * and only those, are asked for (`photos.get`, 500 ids a call), and a version learned
 * so replaces the list's. An edited photo's URL then changes, and the page fetches its new
 * picture; a list without versions gets versioned URLs at the first change (each of its pictures
 * fetched once more). A photo no view follows at a change is forgotten, so that a list read
 * later is never overruled by an older answer.
 */
import type { LumenApi } from './api.js';

/** The most ids `photos.get` takes in one call (preload/contract.ts). */
const IDS_PER_CALL = 500;

/** A photo's version by its id, or undefined for a photo the list does not hold. */
export type VersionOf = (photoId: number) => number | undefined;

/** The versions of a list's photos by id; `versions` is in the order of `ids`. */
export function versionLookup(ids: ArrayLike<number>, versions: ArrayLike<number>): VersionOf {
  const byId = new Map<number, number>();
  for (let at = 0; at < ids.length; at++) byId.set(ids[at] as number, versions[at] as number);
  return (photoId) => byId.get(photoId);
}

/** The versions the photos `ids` names have now (one the library no longer has is left out); null when the engine could not say. */
export async function versionsNow(api: LumenApi, ids: Iterable<number>): Promise<Map<number, number> | null> {
  const asked = [...new Set(ids)];
  const versions = new Map<number, number>();
  for (let at = 0; at < asked.length; at += IDS_PER_CALL) {
    const outcome = await api.call('photos.get', { ids: asked.slice(at, at + IDS_PER_CALL) });
    if (!outcome.ok) return null;
    for (const photo of outcome.value) versions.set(photo.id, photo.version);
  }
  return versions;
}
