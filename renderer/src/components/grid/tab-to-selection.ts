/**
 * Note [Tab to the selection]: the selection bar lies over the view's heading, above the grid
 * (Note [Selection over the heading] in SelectionBar.svelte), and before it in the page, so Tab
 * from the grid, the page's last tab stop, would leave the page and the bar's actions be
 * reachable only backwards. While photos are selected, Tab from the grid goes to the bar's first
 * action instead, and Tab past the bar's last comes back to the grid, where the page has it. A tab
 * stop after the grid (a search's "Show 78 more") keeps its turn, and Tab from the last of those
 * goes to the bar (it went to the page's body, and the bar was never reached going forward);
 * Shift+Tab is the page's own, up through the bar and into the heading, which the bar uncovers
 * then (a Shift+Tab from the bar back to the grid would close a loop with no way out).
 */

/** What can take focus with Tab. */
const TAB_STOPS = 'a[href], button:not(:disabled), input:not(:disabled), select:not(:disabled), textarea:not(:disabled), [tabindex]:not([tabindex="-1"])';

/** The keys of a key press, as far as Tab cares. */
export interface TabKeys {
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

/** Whether a Tab pressed with `keys` in the grid may go to the selection bar: a plain Tab while photos are selected (Shift+Tab is the page's own). */
export function tabMayGoToSelection(keys: TabKeys, selected: number): boolean {
  return !keys.shiftKey && !keys.ctrlKey && !keys.metaKey && !keys.altKey && selected > 0;
}

/** Moves focus from `from` (the grid, or a tab stop under it) to the first action of the selection bar over the grid, unless a tab stop after `from` keeps its turn; whether it did. */
export function tabToSelectionBar(from: HTMLElement): boolean {
  if (tabStopAfter(from)) return false;
  const first = selectionBarNear(from)?.querySelector<HTMLElement>(TAB_STOPS);
  first?.focus();
  return first !== undefined && first !== null;
}

/** Whether Tab from inside `node` has a tab stop after it in the page to go to. */
function tabStopAfter(node: Element): boolean {
  return [...document.querySelectorAll<HTMLElement>(TAB_STOPS)].some((element) => !node.contains(element) && node.compareDocumentPosition(element) & Node.DOCUMENT_POSITION_FOLLOWING && element.checkVisibility());
}

/** The selection bar of the view `node` is in: the nearest one of its surroundings. */
function selectionBarNear(node: Element): HTMLElement | null {
  for (let around = node.parentElement; around; around = around.parentElement) {
    const bar = around.querySelector<HTMLElement>('[data-selection-bar]');
    if (bar) return bar;
  }
  return null;
}
