/**
 * Every photo of the library (or those that pass the filters), newest first, as the grid lays it
 * out: ids, aspect ratios, dates and names in columns. Reloaded when the filters change, and when
 * the engine says the library changed, at most every couple of seconds while indexing adds photos.
 */
import type { LumenApi, Timeline } from '../lib/api.js';
import type { AppBus } from '../lib/bus.js';
import { searchOptions, type SearchState } from '../lib/search-params.js';

const REFRESH_MS = 1500;

export class LibraryStore {
  timeline = $state.raw<Timeline | null>(null);
  error = $state<string | null>(null);
  private generation = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  private filtersKey = '';

  constructor(
    private readonly api: LumenApi,
    bus: AppBus,
    private readonly search: () => SearchState,
  ) {
    bus.on('library-changed', () => this.refreshSoon());
  }

  /** Reloads when the filters differ from those of the timeline shown. */
  followFilters(): void {
    const key = JSON.stringify(this.search().filters);
    if (key !== this.filtersKey) void this.refresh();
  }

  get count(): number {
    return this.timeline?.ids.length ?? 0;
  }

  /** A refresh after a short quiet period, so a burst of changes costs one reload. */
  refreshSoon(): void {
    this.timer ??= setTimeout(() => {
      this.timer = null;
      void this.refresh();
    }, REFRESH_MS);
  }

  async refresh(): Promise<void> {
    const generation = ++this.generation;
    const state = this.search();
    this.filtersKey = JSON.stringify(state.filters);
    const outcome = await this.api.call('photos.timeline', { filters: searchOptions(state, 1).filters });
    if (generation !== this.generation) return;
    if (outcome.ok) {
      this.timeline = outcome.value;
      this.error = null;
    } else this.error = outcome.error.message;
  }
}
