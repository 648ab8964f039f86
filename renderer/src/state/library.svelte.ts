/**
 * Every photo of the library (or those that pass the filters), newest first, as the grid lays it
 * out: ids, aspect ratios, dates and names in columns. Reloaded when the filters change, when
 * the engine says the library changed, after a verdict on the tag they name or a tagging run
 * while they name one, and while indexing stores photos (Note [Photos as they index] in the
 * engine's library-changes.ts, at the pace of Note [Grid catches up at its own pace]); then, or
 * once the grid shows it again: not while search results or another screen stand in its place
 * (as Note [Results kept off screen] in search.svelte.ts says of the search's).
 *
 * Note [First screen first]: at 100k photos the whole timeline takes the engine about a second of
 * its only thread to read and send, and the page more to lay out, all before the first photo
 * shows, while the text tower starts on the same two cores for the first search. So the first load
 * asks for the newest FIRST_SCREEN photos and shows them; the rest follows when the grid reaches
 * their end or all are selected (Ctrl/Cmd+A), or REST_AFTER_MS later, after what a person does
 * first at launch (look, search). The
 * oldest-first order, which starts at the other end, and filters, which the engine must apply to
 * every photo anyway, wait for the whole.
 */
import { tick } from 'svelte';
import type { LibraryTimeline, LumenApi } from '../lib/api.js';
import type { AppBus } from '../lib/bus.js';
import { catchUpDelay } from '../lib/catch-up.js';
import { VERDICTS_REST_MS } from '../lib/coalesce.js';
import { taggingDone } from '../lib/follow-library.js';
import { versionLookup } from '../lib/photo-versions.js';
import { EMPTY_FILTERS, filteredByTag, hasFilters, searchOptions, tagFiltered, type SearchFilterState, type SearchState } from '../lib/search-params.js';
import { hasEnded } from './jobs.svelte.js';

const REFRESH_MS = 1500;
/** More photos than the largest window shows at the smallest tile size. */
const FIRST_SCREEN = 500;
const REST_AFTER_MS = 3000;

export class LibraryStore {
  timeline = $state.raw<LibraryTimeline | null>(null);
  /** The timeline's photos' versions (Note [Photo versions] in main/app/photo-route.ts): a reload after an edit in place brings the new one. */
  readonly versionOf = $derived(versionLookup(this.timeline?.ids ?? [], this.timeline?.versions ?? []));
  /** The filters the timeline shown answers (as JSON), so that its count is said for them. */
  answered = $state<string | null>(null);
  /** Those filters themselves: what the timeline shown says about, while newer ones load (Note [Empty library said once] in LibraryView.svelte). */
  answeredFilters = $state.raw<SearchFilterState>(EMPTY_FILTERS);
  error = $state<string | null>(null);
  private generation = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** When the pending refresh runs (performance.now()). */
  private due = 0;
  /** How long the last reload of the whole timeline took, and when it ended (Note [Grid catches up at its own pace]). */
  private lastReload = { ms: 0, at: 0 };

  private filtersKey = '';
  /**
   * Those filters: whether a tagging run or a verdict changes which photos pass them. Not the
   * address's, which are another screen's while one shows.
   */
  private filters: SearchFilterState = EMPTY_FILTERS;
  /** The library changed while the grid did not show the timeline. */
  private stale = false;
  /** Asks for the rest of a first screen now rather than later (Note [First screen first]). */
  private restNow: (() => void) | null = null;
  /** The latest refresh, until it has shown what it loads. */
  private latest: Promise<void> = Promise.resolve();

  constructor(
    private readonly api: LumenApi,
    bus: AppBus,
    private readonly search: () => SearchState,
    /** Whether the grid shows the timeline now. */
    private readonly shown: () => boolean,
  ) {
    const changed = (delayMs: number) => (this.shown() ? this.refreshSoon(delayMs) : (this.stale = true));
    bus.on('library-changed', () => changed(REFRESH_MS));
    bus.on('photos-stored', () => changed(catchUpDelay(this.lastReload.ms, performance.now() - this.lastReload.at, REFRESH_MS)));
    // An index run that ended has stored its last photos: shown at once, not at the catching-up pace.
    bus.on('job', ({ job }) => job.kind === 'index' && hasEnded(job) && changed(0));
    // The index run's end came before the tagging run it starts tagged its photos: a grid filtered
    // by a tag shows them once that run is done, as the engine says nothing else of it.
    bus.on('job', ({ job }) => taggingDone(job) && tagFiltered(this.filters) && changed(0));
    // A photo rejected for the tag the grid is filtered by leaves it (Note [Verdicts reload once] in
    // lib/coalesce.ts), given over it or on another screen (the Tags page, the viewer over it).
    bus.on('tags-changed', ({ tag }) => filteredByTag(this.filters, tag) && changed(VERDICTS_REST_MS));
  }

  /** Reloads when the filters differ from those of the timeline shown, or the library changed while it was not shown. */
  followFilters(): void {
    const key = JSON.stringify(this.search().filters);
    if (key !== this.filtersKey || (this.stale && this.shown())) void this.refresh();
  }

  /** Photos in the library (or passing the filters), the ones not laid out yet included. */
  get count(): number {
    return this.timeline?.total ?? 0;
  }

  /** A refresh after `delayMs`, or sooner if one is due sooner: a burst of changes costs one reload. */
  refreshSoon(delayMs = REFRESH_MS): void {
    const due = performance.now() + delayMs;
    if (this.timer && this.due <= due) return;
    if (this.timer) clearTimeout(this.timer);
    this.due = due;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.refresh();
    }, delayMs);
  }

  refresh(): Promise<void> {
    this.latest = this.reload();
    return this.latest;
  }

  /** The whole timeline, for Ctrl/Cmd+A: the rest of a first screen asked for now, resolved once the latest refresh, whichever began meanwhile, has shown what it loads. */
  async loadAll(): Promise<void> {
    this.restNow?.();
    for (let awaited = this.latest; ; awaited = this.latest) {
      await awaited;
      if (awaited === this.latest) return;
    }
  }

  private async reload(): Promise<void> {
    const generation = ++this.generation;
    this.stale = false;
    const state = this.search();
    this.filtersKey = JSON.stringify(state.filters);
    this.filters = state.filters;
    const filters = searchOptions(state, 1).filters;
    if (this.timeline === null && state.sort !== 'oldest' && !hasFilters(state.filters)) {
      const first = await this.load(generation, { filters, first: FIRST_SCREEN });
      if (!first || first.ids.length >= first.total) return;
      await this.restWanted();
      if (generation !== this.generation) return;
    }
    await this.load(generation, { filters });
  }

  /** The grid shows its last photos: the rest of the timeline now, if it is still to come. */
  loadRest(): void {
    this.restNow?.();
  }

  private restWanted(): Promise<void> {
    return new Promise((resolve) => {
      const now = () => {
        clearTimeout(timer);
        this.restNow = null;
        resolve();
      };
      const timer = setTimeout(now, REST_AFTER_MS);
      this.restNow = now;
    });
  }

  /** Shows the timeline asked for unless a newer refresh began meanwhile; what it showed. */
  private async load(generation: number, params: { filters: ReturnType<typeof searchOptions>['filters']; first?: number }): Promise<LibraryTimeline | null> {
    const started = performance.now();
    const outcome = await this.api.call('photos.timeline', params);
    if (generation !== this.generation) return null;
    if (!outcome.ok) {
      this.error = outcome.error.message;
      return null;
    }
    this.timeline = outcome.value;
    // The refresh of this generation set the key: a newer one would have changed the generation.
    this.answered = this.filtersKey;
    this.answeredFilters = this.filters;
    this.error = null;
    // Laid out once the page has settled: a reload costs that too.
    if (params.first === undefined) {
      await tick();
      this.lastReload = { ms: performance.now() - started, at: performance.now() };
    }
    return outcome.value;
  }
}
