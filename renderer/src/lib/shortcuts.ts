/**
 * Every keyboard shortcut of the app, in one table. `Mod` is Cmd on macOS and Ctrl elsewhere.
 * The shortcuts panel is drawn from this table, so it cannot drift from what the keys do.
 */

export type ShortcutAction = 'focus-search' | 'open-library' | 'open-settings' | 'close-panel' | 'show-shortcuts';

export interface Shortcut {
  /** `Mod+,`, `Escape`, `?`: modifiers joined with `+`, then the key as `KeyboardEvent.key`. */
  combo: string;
  action: ShortcutAction;
  description: string;
  /** Also fires while typing in a text field. */
  inFields?: boolean;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { combo: '/', action: 'focus-search', description: 'Search photos' },
  { combo: 'Mod+k', action: 'focus-search', description: 'Search photos', inFields: true },
  { combo: 'Mod+1', action: 'open-library', description: 'Open the library', inFields: true },
  { combo: 'Mod+,', action: 'open-settings', description: 'Open settings', inFields: true },
  { combo: 'Escape', action: 'close-panel', description: 'Close the viewer or panel, clear the selection, then the search', inFields: true },
  { combo: '?', action: 'show-shortcuts', description: 'Show keyboard shortcuts' },
];

/**
 * Keys that act where focus is (the grid, the viewer): listed in the shortcuts panel, handled there.
 * `keys` holds only keys, one chip each (a key, or a combination); where a key acts, when that is
 * not the grid, starts its description ("In the search box: …").
 */
const ARROWS = ['←', '→', '↑', '↓'];
export const LOCAL_KEYS: ReadonlyArray<{ keys: readonly string[]; description: string }> = [
  { keys: ['↓'], description: 'In the search box: go to the photos shown' },
  { keys: ARROWS, description: 'Move between photos in the grid' },
  { keys: ['Home', 'End'], description: 'Go to the first or the last photo in the grid' },
  { keys: ['PageUp', 'PageDown'], description: 'Move a screen up or down in the grid' },
  { keys: ['Enter'], description: 'Open the photo' },
  { keys: ['Space'], description: 'Select or unselect the photo' },
  { keys: ['Shift+← → ↑ ↓', 'Shift+Space'], description: 'Select a range of photos' },
  { keys: ['Mod+A'], description: 'Select every photo in the grid' },
  { keys: ['Mod+click', 'Shift+click'], description: 'Add a photo to the selection, or a range of photos' },
  { keys: ['Tab'], description: 'With photos selected: go from the grid to what can be done with them' },
  { keys: ['←', '→'], description: 'Previous and next photo in the viewer' },
  { keys: ['+', '−', '0'], description: 'Zoom the photo in, out, and back to fit (also the wheel, a double click)' },
  { keys: ARROWS, description: 'Zoomed in: move around the photo (also dragging it)' },
];

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

interface ParsedCombo {
  key: string;
  mod: boolean;
  shift: boolean;
  alt: boolean;
}

function parse(combo: string): ParsedCombo {
  // The key itself may be "+": split on "+" only before the last character.
  const parts = combo.length > 1 ? combo.slice(0, -1).split('+').filter(Boolean) : [];
  const key = combo.length > 1 ? combo.slice(combo.slice(0, -1).lastIndexOf('+') + 1) : combo;
  return { key, mod: parts.includes('Mod'), shift: parts.includes('Shift'), alt: parts.includes('Alt') };
}

function isPrintable(key: string): boolean {
  return key.length === 1;
}

export function matches(combo: string, event: KeyLike, isMac: boolean): boolean {
  const want = parse(combo);
  if (event.key.toLowerCase() !== want.key.toLowerCase()) return false;
  const mod = isMac ? event.metaKey : event.ctrlKey;
  const otherMod = isMac ? event.ctrlKey : event.metaKey;
  if (mod !== want.mod || otherMod || event.altKey !== want.alt) return false;
  // Shift is part of printable keys ("?" is Shift+/ on many layouts), so only checked for named keys.
  return isPrintable(want.key) || event.shiftKey === want.shift;
}

/** The action for a key press, or null. `inField`: focus is in a text field. */
export function shortcutFor(event: KeyLike, options: { isMac: boolean; inField: boolean }): ShortcutAction | null {
  for (const shortcut of SHORTCUTS) {
    if (options.inField && !shortcut.inFields) continue;
    if (matches(shortcut.combo, event, options.isMac)) return shortcut.action;
  }
  return null;
}

/** How a combo is shown: `Ctrl+,` or `⌘,`. */
export function comboLabel(combo: string, isMac: boolean): string {
  const { key, mod, shift, alt } = parse(combo);
  const names = isMac
    ? [mod && '⌘', alt && '⌥', shift && '⇧', key.length === 1 ? key.toUpperCase() : key].filter(Boolean).join('')
    : [mod && 'Ctrl', alt && 'Alt', shift && 'Shift', key.length === 1 ? key.toUpperCase() : key].filter(Boolean).join('+');
  return names === 'Escape' ? 'Esc' : names;
}

export function isMacPlatform(userAgent: string): boolean {
  return /Mac|iPhone|iPad/.test(userAgent);
}

/** Whether keyboard focus is in a field that takes text. */
export function isTextField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement) return true;
  if (target instanceof HTMLInputElement) return !['button', 'checkbox', 'radio', 'range', 'submit', 'reset', 'file', 'color'].includes(target.type);
  return false;
}

/** Listens on `window` and runs the action of each matching key press; returns the remover. */
export function installShortcuts(run: (action: ShortcutAction) => boolean): () => void {
  const isMac = isMacPlatform(navigator.userAgent);
  const onKeyDown = (event: KeyboardEvent): void => {
    if (event.defaultPrevented || event.isComposing || event.repeat) return;
    const action = shortcutFor(event, { isMac, inField: isTextField(event.target) });
    if (action && run(action)) event.preventDefault();
  };
  window.addEventListener('keydown', onKeyDown);
  return () => window.removeEventListener('keydown', onKeyDown);
}
