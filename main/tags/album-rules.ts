/**
 * The rules of a saved album's name, on their own: pure, with no Node import, so the engine
 * (albums.ts), the contract's schema and the name fields in the window share one set of rules.
 *
 * Note [Album names]: a name is what an album's card shows, so two albums must not show names
 * that look the same, and a name must show. A name is kept trimmed and composed (NFC), and
 * compared by the key tags are (Note [One name, one tag] in vocabulary-rules.ts): "Café" typed
 * composed or decomposed, or "Été" and "ÉTÉ", are one name. Refused besides: a name of nothing
 * but invisible characters (zero-width spaces: a blank card), control characters (a tab), and
 * the invisible characters that change the direction of the text after them (U+202E shows
 * "trip\u202Egpj.exe" as "tripexe.jpg"), with which a name reads as another.
 */
import { unsafeCharacter } from './vocabulary-rules.js';

/** The longest name a saved album may have, in UTF-16 code units (as saved: albumNameAsSaved). */
export const MAX_ALBUM_NAME = 200;

/** What an album without a name is told, by the engine and by the name fields before they send it. */
export const ALBUM_NAME_NEEDED = 'Give the album a name.';

/** Spaces, and the characters that show as nothing (zero-width spaces and joiners, soft hyphens). */
const INVISIBLE = /[\p{White_Space}\p{Default_Ignorable_Code_Point}]/gu;
/** Embeddings, overrides and isolates, which reorder the text after them; the marks (LRM, RLM) only place the characters beside them. */
const DIRECTION_CHANGE = /[\u202A-\u202E\u2066-\u2069]/u;

/** A name as an album keeps it: without the spaces round it, composed (Note [Album names]). */
export function albumNameAsSaved(name: string): string {
  return name.trim().normalize('NFC');
}

/** Why `name`, as saved (albumNameAsSaved), cannot name an album, in words a person can act on; null when it can. */
export function albumNameProblem(name: string): string | null {
  if (!name) return ALBUM_NAME_NEEDED;
  if (!name.replace(INVISIBLE, '')) return 'That name has only invisible characters: give the album a name that shows.';
  if (name.length > MAX_ALBUM_NAME) return `An album's name has at most ${MAX_ALBUM_NAME} characters, and this one has ${name.length}: choose a shorter one.`;
  const unsafe = unsafeCharacter(name);
  if (unsafe) return `An album's name cannot contain a control or invisible character (${unsafe}): remove it.`;
  if (DIRECTION_CHANGE.test(name)) return "An album's name cannot contain an invisible character that changes the direction of the text after it: type the name rather than pasting it.";
  return null;
}
