/**
 * Which screen is showing and its parameters, kept in the URL's hash (`#/library?q=beach`), so
 * that reloads, links and the back button keep the place. Adding a screen: add its id here and
 * its component to the view table in App.svelte.
 */
export const VIEW_IDS = ['library', 'tags', 'albums', 'templates', 'duplicates', 'settings'] as const;
export type ViewId = (typeof VIEW_IDS)[number];

export const DEFAULT_VIEW: ViewId = 'library';

/** Each screen's name, as the header's links and the window's title say it. */
export const VIEW_NAMES: Record<ViewId, string> = { library: 'Library', tags: 'Tags', albums: 'Albums', templates: 'Templates', duplicates: 'Duplicates', settings: 'Settings' };

export interface Route {
  view: ViewId;
  /** The query string after `?`. */
  query: string;
}

export function routeFromHash(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  const id = path.split('/')[0] ?? '';
  const view = (VIEW_IDS as readonly string[]).includes(id) ? (id as ViewId) : DEFAULT_VIEW;
  return { view, query };
}

export function hashFor(view: ViewId, query = ''): string {
  return `#/${view}${query ? `?${query}` : ''}`;
}

export class ViewRouter {
  current = $state<ViewId>(DEFAULT_VIEW);
  /** The current screen's parameters, as a query string (read them with `URLSearchParams`). */
  query = $state('');

  /**
   * An entry made on the way to something the person is about to do (the library, opened by `/`
   * to search): the step they then take replaces it, so Back goes to where they were before.
   */
  private passing: string | null = null;

  constructor() {
    this.read();
    window.addEventListener('hashchange', () => this.read());
  }

  private read(): void {
    // Any other step (Back, a link, a photo opened) leaves the entry that was only on the way.
    if (this.passing !== location.hash) this.passing = null;
    const route = routeFromHash(location.hash);
    this.current = route.view;
    this.query = route.query;
  }

  /** Opens a screen; `passing`: only on the way to a step that will replace it (see `passing`). */
  go(view: ViewId, query = '', passing = false): void {
    const hash = hashFor(view, query);
    if (location.hash !== hash) location.hash = hash;
    this.read();
    this.passing = passing ? location.hash : null;
  }

  /** Whether the entry shown was made only on the way to the step now taken (`passing`), which then replaces it; asked once. */
  takePassing(): boolean {
    const passing = this.passing === location.hash;
    this.passing = null;
    return passing;
  }

  /**
   * Changes the current screen's parameters; `push` makes a new history entry (opening a photo),
   * otherwise the entry is replaced (each keystroke of a query). A pushed entry may carry a `mark`,
   * kept while its parameters change, so that what made it can tell it is still shown (`shows`).
   */
  setQuery(query: string, push = false, mark: string | null = null): void {
    const hash = hashFor(this.current, query);
    if (location.hash === hash) return;
    if (push) history.pushState({ mark }, '', hash);
    else history.replaceState(history.state, '', hash);
    this.read();
  }

  /** Whether the entry shown was pushed with `mark`. */
  shows(mark: string): boolean {
    return (history.state as { mark?: unknown } | null)?.mark === mark;
  }
}
