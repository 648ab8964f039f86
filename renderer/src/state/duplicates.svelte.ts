/**
 * The Duplicates section: the groups found last, which copies are marked for the trash (at first
 * those alike to the suggested keep itself, Note [Marked only beside the keep] in
 * main/duplicates/grouping.ts) and moving them once the person confirmed. One copy of each group
 * always stays unmarked here, and the main process refuses the last copy of a group anyway
 * (Note [Never delete] in main/duplicates/trash.ts).
 */
import { SvelteSet } from 'svelte/reactivity';
import type { DuplicateGroupInfo, DuplicatePhotoInfo, DuplicatesInfo, DuplicateTrashInfo, LumenApi } from '../lib/api.js';
import type { PhotoVersions } from './photo-versions.svelte.js';

export class DuplicatesStore {
  found = $state.raw<DuplicatesInfo | null>(null);
  /**
   * When the groups shown were found, where they are the engine's last find rather than this
   * window's (Note [Last duplicates kept] in main/duplicates/last-find.ts); null for this window's own.
   */
  foundAt = $state<number | null>(null);
  /** The groups still shown: those found, less the copies moved to the trash since. */
  groups = $state.raw<DuplicateGroupInfo[]>([]);
  readonly marked = new SvelteSet<number>();
  finding = $state(false);
  trashing = $state(false);
  error = $state<string | null>(null);
  /** What the last move did. */
  moved = $state.raw<DuplicateTrashInfo | null>(null);
  /** Copies of the groups shown moved to the trash since they were found (here, or in a window before for the engine's last find). */
  movedToTrash = $state(0);

  constructor(
    private readonly api: LumenApi,
    versions: PhotoVersions,
  ) {
    // Copies come without versions: their images' URLs get them at the library's next change (Note [Versions followed] in lib/photo-versions.ts).
    versions.follow(() => this.groups.flatMap((group) => group.photos.map((photo) => photo.id)));
  }

  async find(threshold: number | undefined): Promise<void> {
    this.finding = true;
    this.error = null;
    this.moved = null;
    const outcome = await this.api.call('duplicates.find', threshold === undefined ? {} : { threshold });
    this.finding = false;
    if (!outcome.ok) {
      if (outcome.error.code !== 'cancelled') this.error = outcome.error.message;
      return;
    }
    this.show(outcome.value, null);
  }

  /**
   * Shows the engine's last find, as moves to the trash since left it, in a window that has no
   * groups of its own (opened or reloaded after the find: Note [Last duplicates kept]), or,
   * `replacingKept`, in place of an older one shown so (marks and all: a newer find ended). What
   * was marked in the window that found it is not kept: the copies suggested are marked again.
   * Without one, or when the engine cannot say, the screen stays as it is, with Find duplicates.
   */
  async showLast({ replacingKept = false } = {}): Promise<void> {
    const mayShow = () => !this.finding && (this.found === null || (replacingKept && this.foundAt !== null));
    if (!mayShow()) return;
    const outcome = await this.api.call('duplicates.last', {});
    // A find of this window's, started meanwhile, has the say.
    if (!outcome.ok || !outcome.value || !mayShow()) return;
    const { foundAt, movedToTrash, ...found } = outcome.value;
    this.show(found, foundAt, movedToTrash);
  }

  private show(found: DuplicatesInfo, foundAt: number | null, movedToTrash = 0): void {
    this.found = found;
    this.foundAt = foundAt;
    this.movedToTrash = movedToTrash;
    this.groups = found.groups;
    this.marked.clear();
    for (const group of this.groups) for (const photo of group.photos) if (photo.id !== group.keep && photo.links.length === 0 && !photo.joinedThroughOthers) this.marked.add(photo.id);
  }

  /** Whether `photoId` may be marked: every copy but one may, but for a file links lead to (Note [One file, many paths] in main/duplicates/same-file.ts). */
  canMark(group: DuplicateGroupInfo, photoId: number): boolean {
    if (this.marked.has(photoId)) return true;
    if (group.photos.some((photo) => photo.id === photoId && photo.links.length > 0)) return false;
    return group.photos.some((photo) => photo.id !== photoId && !this.marked.has(photo.id));
  }

  toggle(group: DuplicateGroupInfo, photoId: number): void {
    if (this.marked.has(photoId)) this.marked.delete(photoId);
    else if (this.canMark(group, photoId)) this.marked.add(photoId);
  }

  get markedPhotos(): DuplicatePhotoInfo[] {
    return this.groups.flatMap((group) => group.photos.filter((photo) => this.marked.has(photo.id)));
  }

  /** Moves the marked copies to the system trash; the groups then show what is left. */
  async trash(): Promise<void> {
    const photos = this.markedPhotos;
    if (photos.length === 0) return;
    this.trashing = true;
    this.error = null;
    this.moved = null;
    const outcome = await this.api.call('duplicates.trash', { photoIds: photos.map((photo) => photo.id) });
    this.trashing = false;
    if (!outcome.ok) {
      this.error = outcome.error.message;
      return;
    }
    this.moved = outcome.value;
    const trashed: Record<string, true> = Object.fromEntries(outcome.value.trashed.map((file) => [file, true]));
    const gone = (photo: DuplicatePhotoInfo) => trashed[photo.path] === true;
    for (const photo of photos) if (gone(photo)) this.marked.delete(photo.id);
    this.movedToTrash += photos.filter(gone).length;
    this.groups = this.groups.map((group) => ({ ...group, photos: group.photos.filter((photo) => !gone(photo)) })).filter((group) => group.photos.length > 1);
  }
}
