/**
 * Note [Focus after a job's row]: a job's Cancel or Dismiss goes, with what its row said, while
 * it has focus; dropped to the body, focus was taken by Note [Focus kept] (focus-kept.ts) to
 * the first control of the header's row, the "Library" link: the person was sent back to the
 * row's start, where Enter changes the screen. So a row hands focus on itself, before that: to
 * what it offers in the job's place ("Index the rest"), or, where it offers nothing (it went, or
 * shows nothing), to the Keyboard shortcuts button, the header's nearest control that neither
 * navigates nor changes anything.
 */
export function handsFocusOn(row: HTMLElement): { destroy(): void } {
  /** Whether focus was in the row, and not moved away by the person (a click on empty space). */
  let had = false;
  const dropped = () => !document.activeElement || document.activeElement === document.body;
  const shortcuts = () => document.querySelector<HTMLElement>('header button[aria-label="Keyboard shortcuts"]');
  const handOn = (target: HTMLElement | null | undefined) => {
    had = false;
    if (target?.checkVisibility()) target.focus();
  };
  const onfocusin = () => (had = true);
  const onfocusout = (event: FocusEvent) => {
    const left = event.target;
    if (event.relatedTarget instanceof Node && !row.contains(event.relatedTarget)) had = false;
    // Moved off by the person, the control stays where it was.
    else if (event.relatedTarget === null && left instanceof HTMLElement) queueMicrotask(() => left.isConnected && left.checkVisibility() && (had = false));
  };
  const observer = new MutationObserver(() => {
    if (!had || row.contains(document.activeElement)) return;
    if (!dropped()) return void (had = false);
    // A button: the row's links ("See why") go to another screen.
    handOn([...row.querySelectorAll<HTMLElement>('button')].find((control) => control.checkVisibility()) ?? shortcuts());
  });
  observer.observe(row, { subtree: true, childList: true });
  row.addEventListener('focusin', onfocusin);
  row.addEventListener('focusout', onfocusout);
  return {
    destroy() {
      observer.disconnect();
      row.removeEventListener('focusin', onfocusin);
      row.removeEventListener('focusout', onfocusout);
      // The row goes as a whole: once it is off the page, focus goes on if it was in it.
      if (had) queueMicrotask(() => dropped() && handOn(shortcuts()));
    },
  };
}
