/** Unicode's control characters: C0, DEL and C1. */
const CONTROL = /\p{Cc}/u;

/** The first control character of `value` as `U+XXXX` (what a person can look up); null when it has none. */
export function controlCharacter(value: string): string | null {
  const control = CONTROL.exec(value)?.[0];
  return control === undefined ? null : `U+${(control.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`;
}
