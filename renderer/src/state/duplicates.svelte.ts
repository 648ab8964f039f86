/**
 * The Duplicates section: the groups found last, which copies are marked for the trash (at first
 * those alike to the suggested keep itself, Note [Marked only beside the keep] in
 * main/duplicates/grouping.ts) and moving them once the person confirmed. One copy of each group
 * always stays unmarked here, and the main process refuses the last copy of a group anyway
 * (Note [Never delete] in main/duplicates/trash.ts).
 *
 * Note [Groups outdated]: a window showed the groups it found (or was shown) after the library
 * changed under them, a folder removed, a marked copy deleted or renamed, until a reload, and Move
 * to trash then acted on them ("23 files not moved: no longer in the library"). At each change of
 * the library the engine is asked whether its last find still describes it (`duplicates.last`,
 * as a reload asks: Note [Last duplicates kept] in main/duplicates/last-find.ts); if not, the
 * groups and marks go, as a reload would drop them, and the screen says the library changed and
 * to find again. A change during a move is asked about once the move ends: its own copies leave
 * the library then, and the engine counts them moved only after it moved them.
 */
import { SvelteSet } from 'svelte/reactivity';
import type { DuplicateGroupInfo, DuplicatePhotoInfo, DuplicatesInfo, DuplicateTrashInfo, LumenApi } from '../lib/api.js';
import type { AppBus } from '../lib/bus.js';
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
  /** The library changed since the groups were found: they are no longer shown (Note [Groups outdated]). */
  outdated = $state(false);
  /** This window's find ran while photos were being indexed: those indexed after it read the vectors are not compared. */
  foundWhileIndexing = $state(false);
  /** The library changed while a move to the trash was under way: asked about once it ends (Note [Groups outdated]). */
  private changedWhileTrashing = false;
  /** The library changed while a find of this window's ran: the groups shown before it are asked about again if it gives none. */
  private changedWhileFinding = false;

  constructor(
    private readonly api: LumenApi,
    bus: AppBus,
    versions: PhotoVersions,
  ) {
    // Copies come without versions: their images' URLs get them at the library's next change (Note [Versions followed] in lib/photo-versions.ts).
    versions.follow(() => this.groups.flatMap((group) => group.photos.map((photo) => photo.id)));
    bus.on('library-changed', () => void this.libraryChanged());
  }

  /** `indexing`: whether photos are being indexed now, asked as the find starts and as it ends. */
  async find(threshold: number | undefined, indexing: () => boolean): Promise<void> {
    this.finding = true;
    this.error = null;
    this.moved = null;
    this.changedWhileFinding = false;
    const indexingAtStart = indexing();
    const outcome = await this.api.call('duplicates.find', threshold === undefined ? {} : { threshold });
    this.finding = false;
    if (!outcome.ok) {
      if (outcome.error.code !== 'cancelled') this.error = outcome.error.message;
      // The groups shown before it stay: a change they missed while it ran is asked about now.
      if (this.changedWhileFinding) void this.libraryChanged();
      return;
    }
    this.show(outcome.value, null);
    this.foundWhileIndexing = indexingAtStart || indexing();
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
    this.outdated = false;
    this.foundWhileIndexing = false;
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
    if (this.changedWhileTrashing) {
      this.changedWhileTrashing = false;
      void this.libraryChanged();
    }
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

  /** Drops the groups shown once the engine says the library is no longer the one they were found in (Note [Groups outdated]). */
  private async libraryChanged(): Promise<void> {
    const shown = this.found;
    if (shown === null || this.outdated) return;
    if (this.finding) {
      this.changedWhileFinding = true;
      return;
    }
    if (this.trashing) {
      this.changedWhileTrashing = true;
      return;
    }
    const outcome = await this.api.call('duplicates.last', {});
    // A find begun meanwhile has the say; a move begun meanwhile asks again once it ends.
    if (this.found !== shown || this.finding) return;
    if (this.trashing) {
      this.changedWhileTrashing = true;
      return;
    }
    // When the engine cannot say, the groups stay: a move of a copy gone is refused by name anyway (Note [Only the library's files] in main/duplicates/trash.ts).
    if (!outcome.ok || outcome.value !== null) return;
    this.outdated = true;
    this.groups = [];
    this.marked.clear();
  }
}
