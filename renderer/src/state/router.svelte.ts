/**
 * Which screen is showing, kept in the URL's hash (`#/settings`) so that reloads keep the place.
 * Adding a screen: add its id here and its component to the view table in App.svelte.
 */
export const VIEW_IDS = ['settings'] as const;
export type ViewId = (typeof VIEW_IDS)[number];

export const DEFAULT_VIEW: ViewId = 'settings';

export function viewFromHash(hash: string): ViewId {
  const id = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return (VIEW_IDS as readonly string[]).includes(id) ? (id as ViewId) : DEFAULT_VIEW;
}

export function hashFor(view: ViewId): string {
  return `#/${view}`;
}

export class ViewRouter {
  current = $state<ViewId>(DEFAULT_VIEW);

  constructor() {
    this.current = viewFromHash(location.hash);
    window.addEventListener('hashchange', () => {
      this.current = viewFromHash(location.hash);
    });
  }

  go(view: ViewId): void {
    if (location.hash !== hashFor(view)) location.hash = hashFor(view);
    this.current = view;
  }
}
