/**
 * The near-duplicate groups found last, kept by the engine with what is needed to tell whether
 * they still describe the library.
 *
 * Note [Last duplicates kept]: a find takes half a minute or more on a real library, and its groups
 * are the engine's (Note [Copies named by id] in trash.ts), which lives on while windows are
 * reloaded or opened again. So a window that opens the Duplicates screen with no groups of its own
 * is shown the engine's last find, with when it ended, until the person finds again. The groups
 * are kept current with the app's own moves to the trash: a copy moved leaves its group, and a
 * group down to one copy leaves the result, as the window that moved them shows it. They are no
 * longer shown once the library holds anything else than it did when the find ended, less the
 * moved copies (and the links to them, which lead nowhere now): a photo added, removed, moved,
 * renamed or changed in content, anywhere in the library, or a folder removed or excluded. A
 * photo added could be a copy the groups do not list, and one gone or changed could be listed
 * where it no longer is; telling which changes matter would be a find of its own. That is read
 * from the library as it is when the result is asked for, not from the events that change it, so
 * no change is missed, whoever made it (the watcher, a re-scan, the command line). A change of
 * model leaves the groups as they are: they still say which files are copies of each other.
 * What the person marked for the trash is the window's, not kept: a window shown the kept result
 * marks the suggested copies again.
 */
import type { PhotoRef } from '../storage/photo-store.js';
import type { DuplicateReport } from './finder.js';

/** An order-free digest of the library's photos: how many, and the sum of each one's hash. */
interface Digest {
  count: number;
  sum: number;
}

/** FNV-1a, 32 bits, of a photo's id, image (content) and path: any change of one changes it. */
function photoHash(photo: PhotoRef): number {
  const text = `${photo.photoId}\0${photo.imageId}\0${photo.path}`;
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** The digest of `photos` but those at `leftOut`; a sum of up to 2^21 hashes of 32 bits stays exact in a double. */
function digestOf(photos: readonly PhotoRef[], leftOut: ReadonlySet<string> = new Set()): Digest {
  const digest: Digest = { count: 0, sum: 0 };
  for (const photo of photos) {
    if (leftOut.has(photo.path)) continue;
    digest.count++;
    digest.sum += photoHash(photo);
  }
  return digest;
}

export class LastFind {
  /** The library's photos when the find ended. */
  private readonly library: Digest;
  /** The hash of each photo of the groups, and of each link to one, as it was then (to leave moved ones out). */
  private readonly listed = new Map<string, number>();
  /** Copies moved to the trash through the app since, with the links to them. */
  private readonly moved = new Set<string>();

  /** `photos`: the library's photos when `report` was found (PhotoStore.allPhotos). */
  constructor(
    readonly report: DuplicateReport,
    photos: readonly PhotoRef[],
    /** When the find ended, in milliseconds since the epoch. */
    readonly foundAt: number = Date.now(),
  ) {
    this.library = digestOf(photos);
    const paths = new Set(report.groups.flatMap((group) => group.photos.flatMap((photo) => [photo.path, ...(photo.links ?? [])])));
    for (const photo of photos) if (paths.has(photo.path)) this.listed.set(photo.path, photoHash(photo));
  }

  /** `paths` (copies of the groups) went to the trash: they, and the links to them, leave the groups and the library's digest. */
  movedToTrash(paths: readonly string[]): void {
    const gone = new Set(paths);
    for (const group of this.report.groups) {
      for (const photo of group.photos) if (gone.has(photo.path)) for (const file of [photo.path, ...(photo.links ?? [])]) this.moved.add(file);
    }
  }

  /** The paths of copies moved to the trash since the find: the groups, shown, leave them out. */
  get movedPaths(): ReadonlySet<string> {
    return this.moved;
  }

  /** Whether the library `photos` (PhotoStore.allPhotos now) is the one the groups were found in, less the moved copies. */
  describes(photos: readonly PhotoRef[]): boolean {
    let count = this.library.count;
    let sum = this.library.sum;
    for (const file of this.moved) {
      const hash = this.listed.get(file);
      if (hash === undefined) continue;
      count--;
      sum -= hash;
    }
    const now = digestOf(photos, this.moved);
    return now.count === count && now.sum === sum;
  }
}
