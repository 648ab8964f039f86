/**
 * Which screen is showing and its parameters, kept in the URL's hash (`#/library?q=beach`), so
 * that reloads, links and the back button keep the place. Adding a screen: add its id here and
 * its component to the view table in App.svelte.
 */
export const VIEW_IDS = ['library', 'settings'] as const;
export type ViewId = (typeof VIEW_IDS)[number];

export const DEFAULT_VIEW: ViewId = 'library';

export interface Route {
  view: ViewId;
  params: URLSearchParams;
}

export function routeFromHash(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  const id = path.split('/')[0] ?? '';
  const view = (VIEW_IDS as readonly string[]).includes(id) ? (id as ViewId) : DEFAULT_VIEW;
  return { view, params: new URLSearchParams(query) };
}

export function hashFor(view: ViewId, params?: URLSearchParams): string {
  const query = params?.toString();
  return `#/${view}${query ? `?${query}` : ''}`;
}

export class ViewRouter {
  current = $state<ViewId>(DEFAULT_VIEW);
  params = $state<URLSearchParams>(new URLSearchParams());

  constructor() {
    this.read();
    window.addEventListener('hashchange', () => this.read());
  }

  private read(): void {
    const route = routeFromHash(location.hash);
    this.current = route.view;
    if (route.params.toString() !== this.params.toString()) this.params = route.params;
  }

  go(view: ViewId, params?: URLSearchParams): void {
    const hash = hashFor(view, params);
    if (location.hash !== hash) location.hash = hash;
    this.read();
  }

  /**
   * Changes the current screen's parameters; `push` makes a new history entry (opening a photo),
   * otherwise the entry is replaced (each keystroke of a query).
   */
  setParams(params: URLSearchParams, push = false): void {
    const hash = hashFor(this.current, params);
    if (location.hash === hash) return;
    if (push) history.pushState(null, '', hash);
    else history.replaceState(null, '', hash);
    this.read();
  }
}
