/**
 * Svelte actions for what markup cannot say under the app's CSP (Note [No inline code] in
 * main/app/csp.ts): positions and sizes computed at run time are set through the CSSOM, which
 * the policy allows, never as `style` attributes, which it forbids.
 */

export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Places an absolutely positioned element. */
export function place(node: HTMLElement, box: Box): { update(box: Box): void } {
  const apply = ({ left, top, width, height }: Box) => {
    node.style.transform = `translate(${left}px, ${top}px)`;
    node.style.width = `${width}px`;
    node.style.height = `${height}px`;
  };
  apply(box);
  return { update: apply };
}

/** Gives an element a height (the scrolling extent of a virtual list). */
export function height(node: HTMLElement, value: number): { update(value: number): void } {
  const apply = (px: number) => {
    node.style.height = `${px}px`;
  };
  apply(value);
  return { update: apply };
}

/** Focuses a field as it appears: one opened by a button is where the person types next. */
export function focusOnShow(node: HTMLElement): void {
  node.focus();
}

/**
 * Escape inside a panel closes that panel only: the key is taken (default prevented), so the
 * app's own Escape (clear the selection, then the search) waits for the next press. `null`:
 * nothing is open, and Escape does what it does elsewhere.
 */
export function closeOnEscape(node: HTMLElement, close: (() => void) | null): { update(next: (() => void) | null): void; destroy(): void } {
  let current = close;
  const onKeyDown = (event: KeyboardEvent) => {
    // Escape while composing (an input method) cancels the composition only.
    if (event.key !== 'Escape' || event.defaultPrevented || event.isComposing || !current) return;
    event.preventDefault();
    current();
  };
  node.addEventListener('keydown', onKeyDown);
  return { update: (next) => (current = next), destroy: () => node.removeEventListener('keydown', onKeyDown) };
}
