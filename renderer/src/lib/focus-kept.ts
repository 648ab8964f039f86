/**
 * Note [Focus kept]: a control that leaves the page, or is disabled, while it has focus drops
 * focus to the document's body, and a keyboard or screen-reader user starts again from the top:
 * "✓" becoming "Undo", a selection bar that goes with its selection, a grid of results that
 * gives way to the library. So when that happens, focus goes to the nearest thing that still
 * stands and can take it: in the closest of the lost control's former ancestors that is still on
 * the page, its region's home (`data-focus-home`: a grid's current photo), or else the screen's
 * title when that ancestor holds it (a photo pasted over the library, the first-run steps giving
 * way to the library: not the first control of the header, such as Sort), or else its first
 * focusable element (a list row keeps its new button, a section its
 * first control). It looks once the page has settled (a task later), so that a screen that places
 * focus itself (the viewer closing onto its photo) is left alone. Focus the person moved away
 * themselves (a click on empty space) is left where it went. The nearest control can be a poor
 * place (a checkbox, where Space changes a setting): a region that knows a better one moves focus
 * there before its content goes, and nothing is lost (the viewer's tags as the photo changes,
 * Note [Focus when the photo changes] in components/viewer/PhotoTags.svelte).
 *
 * Only regions that stood when the lost control took focus count as its neighbourhood: a grid
 * that appeared since is new content. Results for a pasted photo can arrive before that task
 * runs, or after it; either way focus goes to the title, not into the new results.
 */

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

function takesFocus(element: Element): element is HTMLElement {
  return element instanceof HTMLElement && element.matches(FOCUSABLE) && element.tabIndex >= 0 && !element.closest('[inert]') && element.checkVisibility();
}

/** The first element in `container` (itself included) that can take focus and is `allowed`. */
function firstFocusable(container: Element, allowed: (element: Element) => boolean): HTMLElement | null {
  if (takesFocus(container) && allowed(container)) return container;
  for (const element of container.querySelectorAll(FOCUSABLE)) if (takesFocus(element) && allowed(element)) return element;
  return null;
}

/** Keeps focus on the page within `root` (Note [Focus kept]); returns the cleanup. */
export function keepFocus(root: HTMLElement): () => void {
  /** The element that had focus and its ancestors then, nearest first. */
  let lost: Element[] = [];
  /** The regions' homes on the page when that element took focus. */
  let homesThen = new Set<Element>();
  /** Not inside a region that appeared since (Note [Focus kept]). */
  const standing = (element: Element) => {
    const region = element.closest('[data-focus-home]');
    return !region || homesThen.has(region);
  };

  const gone = (element: Element | undefined) => !!element && (!element.isConnected || element.matches(':disabled') || !element.checkVisibility());
  const onfocusin = (event: FocusEvent) => {
    lost = [];
    for (let node = event.target instanceof Element ? event.target : null; node && node !== root; node = node.parentElement) lost.push(node);
    homesThen = new Set(root.querySelectorAll('[data-focus-home]'));
  };
  // Focus moved off by the person (a click on text) while the control stays: nothing was lost.
  const onfocusout = (event: FocusEvent) => {
    const left = event.target;
    if (event.relatedTarget === null && left instanceof Element) queueMicrotask(() => !gone(left) && lost[0] === left && (lost = []));
  };
  const rescue = () => {
    const active = document.activeElement;
    if (active && active !== document.body) return;
    if (!gone(lost[0])) return;
    for (const ancestor of lost.slice(1)) {
      if (!ancestor.isConnected) continue;
      const home = [...ancestor.querySelectorAll('[data-focus-home]')].find((region) => homesThen.has(region));
      const title = ancestor.querySelector<HTMLElement>('h1[tabindex="-1"]');
      const target = (home && firstFocusable(home, standing)) ?? (title?.checkVisibility() ? title : null) ?? firstFocusable(ancestor, standing);
      if (target) return target.focus();
    }
  };
  let pending: ReturnType<typeof setTimeout> | undefined;
  const observer = new MutationObserver(() => {
    pending ??= setTimeout(() => {
      pending = undefined;
      rescue();
    });
  });
  observer.observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: ['disabled', 'hidden', 'class'] });
  root.addEventListener('focusin', onfocusin);
  root.addEventListener('focusout', onfocusout);
  return () => {
    clearTimeout(pending);
    observer.disconnect();
    root.removeEventListener('focusin', onfocusin);
    root.removeEventListener('focusout', onfocusout);
  };
}
