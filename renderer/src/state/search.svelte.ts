/**
 * Search as you type. The query, filters and sort live in the URL (search-params.ts); this store
 * runs the search whenever they change and keeps the results.
 *
 * Note [Newest query wins]: typing sends a search per pause (debounced), and answers can come
 * back out of order. Each search takes a number; an answer is shown only if no newer search was
 * started since, so a slow answer to "bea" can never replace the results for "beach".
 *
 * A typed query's page comes back before its results are counted (Note [Page before count] in
 * main/search/search.ts): the count is asked for once the page has been on screen for
 * COUNT_DELAY_MS with no newer search, under the same number.
 */
import { SvelteMap } from 'svelte/reactivity';
import type { CallParams, LumenApi, SearchHitInfo, SearchPageInfo } from '../lib/api.js';
import { LruCache } from '../../../main/core/lru.js';
import { MAX_PAGE_SIZE } from '../../../main/search/page-limit.js';
import { coalesced, VERDICTS_REST_MS } from '../lib/coalesce.js';
import { versionLookup, type VersionOf } from '../lib/photo-versions.js';
import { appendPage, largestPage, nextPage } from '../lib/result-pages.js';
import { emptySearch, filteredByTag, parseSearch, searchOptions, searchParams, type SearchFilterState, type SearchState } from '../lib/search-params.js';
import type { WindowNotice } from './announcer.svelte.js';
import type { PhotoVersions } from './photo-versions.svelte.js';
import type { ViewRouter } from './router.svelte.js';

/** The first page fills a large screen and the grid's overscan; the next ones come as the grid reaches its end. */
const FIRST_PAGE = 100;
const PAGE_SIZE = 200;
const TYPING_DELAY_MS = 150;
/**
 * A count grows the pool of candidates, 20-60 ms of the engine's time that the next search would
 * wait behind, so it waits for a pause: a person who searches again within a second (typing on,
 * or trying other words) gets the next results first.
 */
const COUNT_DELAY_MS = 1000;
/**
 * Note [Queries being typed]: on the way from "sunset" to "sunset + water" the box holds
 * "sunset +", which the engine refuses (it ends with an operator). A refused query that follows
 * shown results keeps them on screen, and its reason shows only once typing has rested on it this
 * long, so the results do not flash away to an error at each operator typed. With the reason, the
 * results show as the earlier query's (`outdated`): the heading names the query they answer and
 * they are dimmed, rather than seeming to answer the text in the box. Typed over the library (no
 * search shown), it keeps the library's photos, as they were: no results, "No results" and a
 * Relevance sort took their place. So does a photo id that names no photo (`#99999`).
 */
const UNFINISHED_QUERY_MS = 1200;
/**
 * Note [Count said once typing rests]: a screen reader is told a typed query's count once, when
 * typing has rested this long or at Enter. The search itself runs at each typing pause
 * (TYPING_DELAY_MS), a pause between most keystrokes, and its page often comes counted (a small
 * library): said as it came, nearly every keystroke's count would be read out. Nor is a count
 * said for results that do not answer the query in the box (`settled`).
 */
const TYPING_RESTED_MS = 1000;
/**
 * Note [A search waits for photos]: a search that shows nothing because there was nothing yet to
 * search (typed on the first-run screen before any folder, or while the first photos are being
 * indexed) is run again as the library grows, at most this often, until it shows some. One that
 * shows results is left alone, as they would move under the person every few seconds; so is a
 * query refused for what it says, which no photo changes. Once the library has changed as a whole
 * (a run ended, a folder came or went, copies went to the trash), results are asked for again as
 * deep as they were (past the largest page, MAX_PAGE_SIZE, a page at a time), once: photos that left the library
 * would otherwise stay among them, as tiles with no picture that open on "no longer in the
 * library". Results left alone while photos are stored say so (`grewSince`), with a way to ask
 * again: searched while the first run indexes, "23 photos match" stood until the run ended, when
 * the same search found 113.
 */
const LIBRARY_GREW_MS = 1000;

/** A photo dropped or pasted to search by. */
export interface ImageQuery {
  name: string;
  bytes: Uint8Array<ArrayBuffer>;
}

/** Photos searched by that Back can return to; the oldest are let go (each holds its file's bytes). */
const KEPT_IMAGES = 8;
/** What an address that names a photo searched by, let go, comes to: the search without it. */
const FORGOTTEN_AT_RELOAD = 'The photo you searched by is not kept after a reload: drop or paste it again.';
const FORGOTTEN_AS_OLDEST = `The photo you searched by is no longer kept (Lumen keeps the last ${KEPT_IMAGES}): drop or paste it again.`;
/** A query that names a photo by its id (Find similar's `#17`). */
const PHOTO_ID_QUERY = /^#([1-9]\d*)$/;
/** Names of photos searched like (`#17`) that are kept, the newest; one let go that Back returns to is asked for again (`learnPhotoName`). */
const KEPT_PHOTO_NAMES = 50;

export class SearchStore {
  results = $state.raw<SearchHitInfo[]>([]);
  /** The results' versions as the search found them. */
  private readonly foundVersionOf = $derived(versionLookup(this.results.map((hit) => hit.id), this.results.map((hit) => hit.version)));
  /** The results' versions (Note [Versions followed] in lib/photo-versions.ts): as the search found them, or as a change since made them. */
  readonly versionOf: VersionOf = (photoId) => this.versions.of(photoId, this.foundVersionOf(photoId));
  page = $state.raw<SearchPageInfo | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  /** What the shown results answer (query text or image name), for the heading. */
  answered = $state('');
  /** The whole search the shown results answer (query or image, filters, sort), to tell one answer's search from another's. */
  answeredSearch = $state('');
  private generation = 0;
  /** How far into the ranking the pages asked for reach (Note [Pages may overlap]). */
  private fetched = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Whether the words in the box have rested (Note [Count said once typing rests]). */
  private typingRested = $state(true);
  private restTimer: ReturnType<typeof setTimeout> | null = null;
  private last = { query: '', rest: '' };
  /** The file names of photos searched by id from the viewer (`#17`), for the headings: the last KEPT_PHOTO_NAMES. */
  private readonly photoNames = new LruCache<string, string>(KEPT_PHOTO_NAMES, new SvelteMap());
  /** The results shown answer an earlier query, kept while a refused one is typed (Note [Queries being typed]): no more of them are asked for. */
  private keptForRefused = $state(false);
  /** No search's results were shown since the library's photos were (Note [Queries being typed]). */
  private showsLibrary = $state(true);
  /** The code of the error the last search ended with, or null (Note [A search waits for photos]). */
  private failedWith: string | null = null;
  private grewTimer: ReturnType<typeof setTimeout> | null = null;
  /** A whole change of the library came since the timer was set (Note [A search waits for photos]). */
  private wholeChange = false;
  /** Photos were stored since the results shown were asked for; they may be among them once asked again (Note [A search waits for photos]). */
  grewSince = $state(false);
  /**
   * Note [Results kept off screen]: the library screen goes while another page shows (App.svelte),
   * but its search lives on here, and the library shown again shows its results at once, asking
   * nothing. A change meanwhile (photos deleted or indexed, a verdict or a tagging run on the tag
   * they are filtered by) is not asked for unseen: it marks them stale, and they are asked again
   * as deep when the library shows again (`schedule`), in place (the same search answered, the
   * grid keeps its place). With no change nothing is asked, so going back and forth stays
   * instant. Whether a verdict changes them is read from the filters they answer: while another
   * page shows, the address is that page's. The timeline does the same (`stale` in library.svelte.ts).
   */
  private stale = false;
  /** Photos searched by, by the number that names them in the address (SearchState.image): the last KEPT_IMAGES. */
  private readonly images = new LruCache<number, ImageQuery>(KEPT_IMAGES, new SvelteMap());
  private lastImage = 0;
  /** Photos searched by are numbered from here on in this window: a lower number is one from before a reload. */
  private readonly openedAt = Date.now();

  constructor(
    private readonly api: LumenApi,
    private readonly router: ViewRouter,
    private readonly versions: PhotoVersions,
    /** Tells the window's notice what a search came to, null for nothing to say (Note [Notices outdated] in announcer.svelte.ts). */
    private readonly tell: (notice: Omit<WindowNotice, 'about'> | null) => void,
  ) {
    // Followed while kept, shown or not: the library shown again shows them without a new search.
    versions.follow(() => this.results.map((hit) => hit.id));
  }

  get state(): SearchState {
    return this.router.current === 'library' ? parseSearch(this.router.query) : emptySearch();
  }

  /** The photo the library's search is by, if it is by one this window still has. */
  get imageQuery(): ImageQuery | null {
    const { image } = this.state;
    return image === null ? null : (this.images.peek(image) ?? null);
  }

  /**
   * The photo the search is like, by name, where the box shows a chip instead of text: a photo
   * searched by, or one asked for by Find similar (its `#id` is the query, but no one typed it).
   */
  get likeChip(): string | null {
    const { query, like } = this.state;
    return this.imageQuery?.name ?? (like ? (this.photoNames.peek(query.trim()) ?? null) : null);
  }

  /** Whether a search is asked for: the box holds words, or a photo searched by (Escape clears it). */
  get asked(): boolean {
    return this.imageQuery !== null || this.state.query.trim() !== '';
  }

  /** Whether the library screen shows search results rather than the (filtered) timeline, kept for a refused query (Note [Queries being typed]). */
  get active(): boolean {
    return this.asked && !(this.keptForRefused && this.showsLibrary);
  }

  /** The filters the results shown, or kept off screen, answer (Note [Results kept off screen]). */
  get answeredFilters(): SearchFilterState {
    return parseSearch(this.answeredSearch).filters;
  }

  /**
   * Whether the shown results answer the newest search asked, and typing has rested on it: when
   * their count is said (Note [Count said once typing rests]).
   */
  get settled(): boolean {
    return this.typingRested && !this.loading && !this.keptForRefused;
  }

  /** Whether the results shown answer an earlier query than the box's, one refused, whose reason shows (Note [Queries being typed]). */
  get outdated(): boolean {
    return this.keptForRefused && this.error !== null;
  }

  get hasMore(): boolean {
    return !this.keptForRefused && this.page !== null && this.fetched < this.page.total;
  }

  update(change: Partial<SearchState>, push = false): void {
    const next = { ...this.state, ...change };
    if (this.router.current !== 'library') this.router.go('library', searchParams(next));
    else this.router.setQuery(searchParams(next), push);
  }

  /** Searches by a photo dropped or pasted: a step Back undoes, as a typed search is. */
  searchByImage(image: ImageQuery): void {
    // Numbered by time, so that an address from before a reload never names a later photo.
    const number = (this.lastImage = Math.max(Date.now(), this.lastImage + 1));
    this.images.set(number, image);
    this.update({ query: '', image: number, like: false, photo: null }, !this.router.takePassing());
    this.schedule(true);
  }

  /** Gives up a search by a photo for words being typed. */
  typing(query: string, push: boolean): void {
    this.rest(false);
    this.restTimer = setTimeout(() => this.rest(true), TYPING_RESTED_MS);
    // A `#id` typed is text as typed, even that of a photo asked for by name before.
    this.update({ query, image: null, like: false, photo: null }, push && !this.router.takePassing());
  }

  /** Searches for photos like photo `photoId` (its query is `#id`), called `name` in the headings. */
  findSimilar(photoId: number, name: string): void {
    this.photoNames.set(`#${photoId}`, name);
    // Back goes to the photo the results are like.
    this.update({ query: `#${photoId}`, image: null, like: true, photo: null }, true);
  }

  /**
   * The file name of the photo a search with this query is like: that of a `#id` query (Find
   * similar), or, the query empty, the photo dropped or pasted that the library searches by; null
   * for words. A search by a photo has no words, and is worded as Find similar's.
   */
  photoNameOf(query: string): string | null {
    return query === '' ? (this.imageQuery?.name ?? null) : (this.photoNames.peek(query) ?? null);
  }

  /** A `#id` query typed or reloaded, not asked for by name: the headings name its photo all the same. */
  private async learnPhotoName(query: string): Promise<void> {
    const id = PHOTO_ID_QUERY.exec(query)?.[1];
    if (!id || this.photoNames.has(query)) return;
    const outcome = await this.api.call('photos.details', { id: Number(id) });
    if (outcome.ok) this.photoNames.set(query, outcome.value.name);
  }

  /** Gives up the query (words or photo); filters stay, as they narrow the library too and have their own Clear. */
  clear(): void {
    this.update({ query: '', image: null, like: false });
  }

  /** Runs the search for the current state when it changed: after a typing pause, or at once for anything else. */
  schedule(now = false): void {
    // An address that names a photo searched by that this window no longer has (after a reload,
    // or one of the oldest) is put right, and the search goes on without it, saying why.
    const forgotten = this.imageQuery ? null : this.state.image;
    if (forgotten !== null) this.router.setQuery(searchParams({ ...this.state, image: null }));
    const state = this.state;
    const query = state.query.trim();
    const rest = JSON.stringify([state.sort, state.showAll, state.filters, state.image]);
    // Enter, or a photo searched by: no more typing is waited for.
    if (now) this.rest(true);
    const changed = now || query !== this.last.query || rest !== this.last.rest;
    if (forgotten !== null) this.tell({ kind: 'info', text: forgotten < this.openedAt ? FORGOTTEN_AT_RELOAD : FORGOTTEN_AS_OLDEST });
    // A new search outdates what a drop or paste before it said.
    else if (changed) this.tell(null);
    if (!changed) {
      if (this.stale && this.asked) this.askAgainAsDeep();
      return;
    }
    const typing = query !== this.last.query && rest === this.last.rest;
    this.last = { query, rest };
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.asked) {
      this.generation++;
      this.showsLibrary = true;
      this.results = [];
      this.page = null;
      this.keptForRefused = false;
      this.loading = false;
      this.error = null;
      return;
    }
    if (typing && !now) this.timer = setTimeout(() => void this.run(), TYPING_DELAY_MS);
    else void this.run();
  }

  /** Photos were stored: a search that shows nothing runs again (Note [A search waits for photos]). */
  libraryGrew(): void {
    this.afterChange(false);
  }

  /** The library changed as a whole: a search that shows results asks for them again too (Note [A search waits for photos]). */
  libraryChanged(): void {
    this.afterChange(true);
  }

  private afterChange(whole: boolean): void {
    this.wholeChange ||= whole;
    if (this.grewTimer) return;
    this.grewTimer = setTimeout(() => {
      this.grewTimer = null;
      const again = this.wholeChange;
      this.wholeChange = false;
      if (this.failedWith === 'bad-input') return;
      if (!this.asked) this.stale = true;
      else if (this.results.length === 0) void this.run();
      else if (again) this.askAgainAsDeep();
      else this.grewSince = true;
    }, LIBRARY_GREW_MS);
  }

  /** The results shown are asked for again, as deep as they reach (Note [A search waits for photos]). */
  askAgainAsDeep(): void {
    void this.run(false, Math.min(MAX_PAGE_SIZE, Math.max(FIRST_PAGE, this.fetched)), this.fetched);
  }

  private rest(rested: boolean): void {
    if (this.restTimer) clearTimeout(this.restTimer);
    this.restTimer = null;
    this.typingRested = rested;
  }

  async loadMore(): Promise<void> {
    if (!this.loading && this.hasMore) await this.run(true);
  }

  /** Loads every match left, the largest pages at a time: Ctrl/Cmd+A selects all of them, not the pages shown. */
  async loadAll(): Promise<void> {
    // Ends too when a page reaches no further, or a newer search takes the results' place.
    for (let before = -1; this.hasMore && this.fetched > before; ) {
      before = this.fetched;
      await this.run(true, largestPage(MAX_PAGE_SIZE));
    }
  }

  /**
   * A verdict on the tag the results are filtered by: a photo rejected for it no longer passes.
   * The results asked for so far are asked for again, once verdicts rest (Note [Verdicts reload
   * once] in lib/coalesce.ts), so the photo leaves and the rest keep their places; or once the
   * library shows them again (Note [Results kept off screen]).
   */
  verdictGiven(tag: string): void {
    if (filteredByTag(this.answeredFilters, tag)) this.afterVerdicts.call();
  }

  private readonly afterVerdicts = coalesced(() => {
    if (this.asked) this.askAgainAsDeep();
    else this.stale = true;
  }, VERDICTS_REST_MS);

  /**
   * Runs the search for its first `size` photos, or for the next page (`more`, Note [Pages may
   * overlap]). Asked again as deep as `depth` (Note [A search waits for photos]), the pages past
   * the first are asked in turn and shown with it: the results do not shrink under the person.
   */
  private async run(more = false, size = more ? PAGE_SIZE : FIRST_PAGE, depth = 0): Promise<void> {
    // The library was left within a typing pause: its query is asked for when it shows again.
    if (!this.asked) {
      this.last = { query: '', rest: '' };
      return;
    }
    const generation = ++this.generation;
    // A next page leaves those asked before as they were.
    if (!more) {
      this.stale = false;
      this.grewSince = false;
    }
    const state = this.state;
    const { offset, limit } = more ? nextPage(this.fetched, size) : { offset: 0, limit: size };
    const options = searchOptions(state, limit, offset);
    this.loading = true;
    const query = state.query.trim();
    const image = this.imageQuery;
    const ask = (options: CallParams<'search.query'>['options']) =>
      image ? this.api.call('search.image', { bytes: image.bytes, options }) : this.api.call('search.query', { query, options: { ...options, count: false } });
    // The name of a `#id` query's photo comes with its results, so they are headed and said once.
    const naming = image || more ? null : this.learnPhotoName(query);
    let outcome = await ask(options);
    await naming;
    if (generation !== this.generation) return;
    let reached = offset + (outcome.ok ? outcome.value.results.length : 0);
    // Uncounted, a total is what the page's pool held: the next page may reach further.
    while (outcome.ok && reached < depth && (reached < outcome.value.total || !outcome.value.counted)) {
      const next = nextPage(reached, largestPage(MAX_PAGE_SIZE));
      const further = await ask(searchOptions(state, next.limit, next.offset));
      if (generation !== this.generation) return;
      // A page that fails or reaches no further leaves the results as deep as they came.
      if (!further.ok || next.offset + further.value.results.length <= reached) break;
      reached = next.offset + further.value.results.length;
      // A count not made yet is the photos found so far: the deeper page's is the larger.
      outcome = { ok: true, value: { ...outcome.value, results: appendPage(outcome.value.results, further.value.results), total: Math.max(outcome.value.total, further.value.total) } };
    }
    this.loading = false;
    this.failedWith = outcome.ok ? null : outcome.error.code;
    if (!outcome.ok) {
      if (!more && !image && this.keepsShown(outcome.error.code, query)) {
        const { message } = outcome.error;
        this.keptForRefused = true;
        setTimeout(() => generation === this.generation && (this.error = message), UNFINISHED_QUERY_MS);
        return;
      }
      this.keptForRefused = false;
      this.showsLibrary = false;
      // A photo dropped or pasted that cannot be searched by is named: several may have been dropped in turn.
      this.error = image ? `Cannot search by “${image.name}”. ${outcome.error.message}` : outcome.error.message;
      if (!more) {
        this.results = [];
        this.page = null;
      }
      return;
    }
    this.error = null;
    this.keptForRefused = false;
    this.showsLibrary = false;
    this.page = outcome.value;
    // A next page that reaches no further ends the list, whatever the count said.
    this.fetched = more && reached <= this.fetched ? outcome.value.total : reached;
    this.results = more ? appendPage(this.results, outcome.value.results) : outcome.value.results;
    this.answered = image ? image.name : query;
    this.answeredSearch = searchParams({ ...state, photo: null });
    if (!outcome.value.counted) setTimeout(() => void this.count(generation, query, options), COUNT_DELAY_MS);
  }

  /** Whether a typed query that failed with `code` leaves what is shown in place (Note [Queries being typed]). */
  private keepsShown(code: string, query: string): boolean {
    if (this.showsLibrary) return code === 'bad-input' || (code === 'not-found' && PHOTO_ID_QUERY.test(query));
    return code === 'bad-input' && this.results.length > 0;
  }

  private async count(generation: number, query: string, options: CallParams<'search.count'>['options']): Promise<void> {
    if (generation !== this.generation) return;
    const outcome = await this.api.call('search.count', { query, options: { ...options, count: true } });
    // A failed count leaves the page as it is: its results are right, only their number is not known.
    if (generation !== this.generation || !outcome.ok || !this.page) return;
    this.page = { ...this.page, ...outcome.value, counted: true };
  }
}
