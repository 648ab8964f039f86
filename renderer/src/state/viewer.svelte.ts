/**
 * The photo viewer: which photo is open (kept in the URL as `photo=ID`, over whichever screen
 * it was opened from, so that closing it returns there), the list it steps through (the grid it
 * was opened from), the photo's details, the text read in it and the photos like it.
 *
 * Note [Viewer follows its grid]: a grid's photos come in pages (search results 100, then 200 at
 * a time; the library's first screen, then the rest), and the viewer opened from one steps
 * through all of them, not those loaded when it opened. So it reads the grid's list each time,
 * never a copy, and the grid asks for its next page when the photo shown nears the end of what
 * it holds, as it does when scrolled there.
 */
import { SvelteSet } from 'svelte/reactivity';
import type { CallOutcome, LumenApi, PhotoDetails, PhotoTextInfo, SearchHitInfo } from '../lib/api.js';
import { newestRead } from '../lib/follow-library.js';
import type { VersionOf } from '../lib/photo-versions.js';
import type { Announcer } from './announcer.svelte.js';
import { photoParam, withPhoto } from '../lib/search-params.js';
import type { ViewRouter } from './router.svelte.js';

const SIMILAR_COUNT = 12;
/** Marks the history entry opening a photo made. */
const OPENED = 'photo-opened';
const GONE = 'This photo is no longer in the library: its file was deleted or moved, or its folder was removed.';

/** The photos next and previous step through, in display order, and their versions, as they are now (Note [Viewer follows its grid]). */
export interface PhotoOrder {
  ids(): ArrayLike<number>;
  versionOf: VersionOf;
  /** How many photos there are in all, where more are still to load than `ids` holds (a grid's count). */
  total?(): number;
  /** A photo's file name, as the list shows it: the viewer is named after its photo from the moment it opens. */
  nameOf(id: number): string | undefined;
}

export class ViewerState {
  private list = $state.raw<PhotoOrder | null>(null);
  /** The address a step back is leaving, until it has (see `close`). */
  private leaving: string | null = null;
  details = $state.raw<PhotoDetails | null>(null);
  similar = $state.raw<SearchHitInfo[]>([]);
  /** The photo `similar` are like: another than the open one while the open one's load (Note [Strip kept while it loads]). */
  private similarFor = $state<number | null>(null);
  /** The open photo's text, with its id (null while it loads). */
  text = $state.raw<(PhotoTextInfo & { photoId: number }) | null>(null);
  /** The open photo's text could not be had (the viewer's error says why). */
  textFailed = $state(false);
  /** The photos whose text is being read now (`readText`): another's reading leaves the open photo's button free. */
  private readonly readingIds = new SvelteSet<number>();
  /** Why the open photo or its details could not be had (gone from the library, unreadable). */
  private photoError = $state<string | null>(null);
  /** Why its text could not be had: a read that succeeds takes it back, and nothing else (Note [Newest text read]). */
  private textError = $state<string | null>(null);
  private readonly textRead = newestRead();
  message = $state<string | null>(null);
  /** The open photo, when the library no longer has it (its file deleted or moved, its folder removed, since it was shown). */
  goneId = $state<number | null>(null);
  private loading = 0;
  /** Set by what closes the viewer and puts focus somewhere of its own (Find similar: the new results' heading); the grid then leaves focus there. */
  focusGoesElsewhere = false;
  /** Where the open photo was last found, in which list (not reactive: `position` keeps it as it reads). */
  private lastSeen: { id: number; at: number; list: PhotoOrder | null } | null = null;

  constructor(
    private readonly api: LumenApi,
    private readonly router: ViewRouter,
    private readonly announcer: Announcer,
  ) {}

  get photoId(): number | null {
    return photoParam(this.router.query);
  }

  /** What the viewer cannot show of the open photo: the photo's own error before its text's. */
  get error(): string | null {
    return this.photoError ?? this.textError;
  }

  /**
   * Note [Strip kept while it loads]: the similar photos of the photo before stay on screen until
   * the open photo's come (a thumbnail focused there keeps its focus: Note [Strip focus kept in
   * place] in Viewer.svelte), but they are not this photo's: the strip says it is loading
   * (`aria-busy`), dims, and its thumbnails open nothing meanwhile. Closed, the viewer forgets
   * them: a photo opened later never shows another's.
   */
  get similarLoading(): boolean {
    return this.similar.length > 0 && this.similarFor !== this.photoId;
  }

  forgetSimilar(): void {
    // A photo's load still under way answers nobody now.
    this.loading++;
    this.similar = [];
    this.similarFor = null;
  }

  /** The photos next and previous step through, in display order. */
  get order(): ArrayLike<number> {
    return this.list?.ids() ?? [];
  }

  /** The open photo's file name: its details', and until they come the list's (a dialog's name given later is not read). */
  get name(): string | undefined {
    const id = this.photoId;
    if (id === null) return undefined;
    return this.details?.id === id ? this.details.name : this.list?.nameOf(id);
  }

  /**
   * The open photo's version, part of its images' URLs (Note [Photo versions] in
   * main/app/photo-route.ts): its details' once read (read again when the library changes, so an
   * edit in place shows whichever list it was opened from), the list's until then, so that its
   * preview is not asked for twice.
   */
  get version(): number | undefined {
    const id = this.photoId;
    if (id === null) return undefined;
    return this.details?.id === id ? this.details.version : this.list?.versionOf(id);
  }

  /** How many photos `order` steps through, those still to load included. */
  get count(): number {
    return Math.max(this.list?.total?.() ?? 0, this.order.length);
  }

  /** Where the open photo is in `order`; -1 when it is not there. */
  get position(): number {
    const id = this.photoId;
    const at = id === null ? -1 : (Array.prototype.indexOf.call(this.order, id) as number);
    if (id !== null && at >= 0) this.lastSeen = { id, at, list: this.list };
    return at;
  }

  /**
   * The photo a step of `step` reaches, if any. The open photo gone from the list (deleted while
   * shown) is stepped on from the place it had: Next shows the photo now in its place. One that
   * was never in the list (an address naming a photo not in the album shown) has no place in it,
   * whatever place it had in another, and no step leads from it.
   */
  neighbour(step: -1 | 1): number | undefined {
    const at = this.position;
    if (at >= 0) return this.order[at + step];
    const seen = this.lastSeen;
    if (seen === null || seen.id !== this.photoId || seen.list !== this.list) return undefined;
    return this.order[step === 1 ? seen.at : seen.at - 1];
  }

  /** Whether the viewer steps through `order` (it was opened from the grid that gave it, or adopted it). */
  stepsThrough(order: PhotoOrder): boolean {
    return this.list === order;
  }

  open(photoId: number, order: PhotoOrder): void {
    this.list = order;
    this.show(photoId, this.photoId === null);
  }

  /** Shows `photoId` (none with null) over the current screen, keeping the screen's own parameters; `push` makes a step Back undoes. */
  private show(photoId: number | null, push = false): void {
    this.router.setQuery(withPhoto(this.router.query, photoId), push, OPENED);
  }

  /** Gives a photo opened from a link or a reload, which came with no list, the list of the grid it shows over. */
  adopt(order: PhotoOrder): void {
    if (this.photoId !== null && this.list === null) this.list = order;
  }

  /** A grid leaving the page lets go of its list, so that the grid in its place can give its own. */
  release(order: PhotoOrder): void {
    if (this.list === order) this.list = null;
  }

  /** Closes the viewer; `then` runs once it has closed (once the page below is shown, and can take focus). */
  close(then?: () => void): void {
    // The step its opening made is taken back, not left in the history as a second copy of the
    // screen below, which Back would then seem to ignore. A photo opened by a link made none.
    // Going back takes a moment: asked again meanwhile (Escape pressed twice), it goes back once.
    if (!this.router.shows(OPENED)) this.show(null);
    else if (this.leaving !== location.hash) {
      this.leaving = location.hash;
      // Once it has gone back, the same address opened again (or reached by Forward) closes again.
      addEventListener('popstate', () => (this.leaving = null), { once: true });
      history.back();
    }
    if (!then) return;
    if (this.photoId === null) then();
    // Heard after the router's own listener, which has read the address gone back to by then.
    else addEventListener('hashchange', () => this.photoId === null && then(), { once: true });
  }

  /** Moves by `step` through the list it was opened from; false at either end. */
  step(step: -1 | 1): boolean {
    const next = this.neighbour(step);
    if (next === undefined) return false;
    this.show(next);
    return true;
  }

  /** Loads the details, text and similar photos of the open photo, each shown as it comes. */
  async load(photoId: number): Promise<void> {
    const loading = ++this.loading;
    // A flag no grid took (the one below was gone when the viewer closed) is not for this photo.
    this.focusGoesElsewhere = false;
    this.message = null;
    this.text = null;
    this.textFailed = false;
    // The photo before's error is not this one's. Its similar photos stay until this one's come (Note [Strip kept while it loads]).
    this.photoError = null;
    this.textError = null;
    const isNewestText = this.textRead();
    // The similar photos' search can take seconds (the first after launch loads the index): the details do not wait for it.
    const similar = this.api.call('search.similar', { photoId, options: { limit: SIMILAR_COUNT } }).then((outcome) => {
      if (loading !== this.loading) return;
      this.similar = outcome.ok ? outcome.value.results : [];
      this.similarFor = photoId;
    });
    const [details, text] = await Promise.all([this.api.call('photos.details', { id: photoId }), this.api.call('photos.text', { id: photoId })]);
    if (loading !== this.loading) return;
    this.goneId = !details.ok && details.error.code === 'not-found' ? photoId : null;
    this.details = details.ok ? details.value : null;
    this.photoError = this.goneId !== null ? GONE : details.ok ? null : details.error.message;
    if (isNewestText()) this.showText(photoId, text);
    await similar;
  }

  /**
   * The library changed (a file edited, renamed, moved or deleted, a folder removed): the open
   * photo's details are read again, so it shows them as they are now, or that it has gone (a
   * photo is its file: renamed or moved, it is another), without a step away. A file edited in
   * place (a new version) has its text read again too: the old text's boxes would be drawn over
   * the new picture, where the words have moved or been cropped away.
   */
  async recheck(): Promise<void> {
    const photoId = this.photoId;
    if (photoId === null) return;
    const loading = this.loading;
    const details = await this.api.call('photos.details', { id: photoId });
    if (loading !== this.loading || this.photoId !== photoId || (!details.ok && details.error.code !== 'not-found')) return;
    const wasGone = this.goneId !== null;
    const edited = details.ok && this.details?.id === photoId && this.details.version !== details.value.version;
    this.goneId = details.ok ? null : photoId;
    this.details = details.ok ? details.value : null;
    if (!details.ok) this.photoError = GONE;
    else if (wasGone) this.photoError = this.textError = null;
    if (edited) await this.rereadText(photoId, loading);
  }

  /**
   * The text of the open photo, edited in place, as it is now. The old text stays until then, as
   * the old picture does until the new one has loaded, rather than "Looking…" in its place for a
   * moment, taking the focus of its Copy button with it.
   */
  private async rereadText(photoId: number, loading: number): Promise<void> {
    const isNewest = this.textRead();
    const text = await this.api.call('photos.text', { id: photoId });
    if (loading !== this.loading || this.photoId !== photoId || !isNewest()) return;
    this.showText(photoId, text);
  }

  /**
   * Note [Newest text read]: the open photo's text is read when it opens, again when its file is
   * edited in place, and by Read text; their answers can come back out of order, and only the
   * newest read's is shown, never an older one over it. A read of what the engine has stored is
   * as new as its start; what Read text reads is stored by its end, so it counts from then: the
   * text it read is not replaced by the unread state of a read begun while it was reading. A read
   * that succeeds takes back the error a failed one showed; the photo's own (gone, its details
   * unreadable) stays, as it is no text's to take back.
   */
  private showText(photoId: number, text: CallOutcome<'photos.text'>): void {
    this.text = text.ok ? { ...text.value, photoId } : null;
    this.textFailed = !text.ok;
    this.textError = text.ok ? null : text.error.message;
  }

  /** Whether the open photo's text is being read now. */
  get reading(): boolean {
    return this.photoId !== null && this.readingIds.has(this.photoId);
  }

  /** Reads the open photo's text now (it was not read, or the gate skipped it). */
  async readText(): Promise<void> {
    const photoId = this.photoId;
    if (photoId === null || this.readingIds.has(photoId)) return;
    this.readingIds.add(photoId);
    const outcome = await this.api.call('photos.text', { id: photoId, read: true });
    this.readingIds.delete(photoId);
    if (this.photoId !== photoId) return;
    if (!outcome.ok) return this.tell(outcome.error.message);
    // Newer than any read begun before it answered (Note [Newest text read]).
    this.textRead();
    this.showText(photoId, outcome);
  }

  async reveal(): Promise<void> {
    const id = this.photoId;
    if (id === null) return;
    const outcome = await this.api.call('photos.reveal', { id });
    this.tell(!outcome.ok ? outcome.error.message : outcome.value.shown ? null : 'Showing files in a folder works in the Lumen app, not in this preview.');
  }

  async openWithDefault(): Promise<void> {
    const id = this.photoId;
    if (id === null) return;
    const outcome = await this.api.call('photos.open', { id });
    this.tell(!outcome.ok ? outcome.error.message : outcome.value.opened ? null : 'Opening photos in another app works in the Lumen app, not in this preview.');
  }

  /**
   * Shows `text` under the viewer's actions and says it through the window's announcer: a live
   * region that comes already holding its text is not read out by every screen reader
   * (VoiceOver), while the announcer's is always on the page.
   */
  private tell(text: string | null): void {
    this.message = text;
    if (text !== null) this.announcer.say(text);
  }
}
