/** Unicode's control characters: C0, DEL and C1. */
const CONTROL = /\p{Cc}/u;

/** The first control character of `value` as `U+XXXX` (what a person can look up); null when it has none. */
export function controlCharacter(value: string): string | null {
  const control = CONTROL.exec(value)?.[0];
  return control === undefined ? null : `U+${(control.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Whether `text`, a file read as UTF-8, is binary data rather than text (a photo, an archive):
 * bytes that are no UTF-8, or control characters other than tabs and line breaks. A parser's
 * error quotes what it stopped at, which of such a file is bytes that garble a terminal.
 */
export function isBinaryText(text: string): boolean {
  return /\uFFFD|[^\P{Cc}\t\n\r]/u.test(text);
}
