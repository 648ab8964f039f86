/**
 * The rules of a saved album's name, on their own: pure, with no Node import, so the engine
 * (albums.ts), the contract's schema and the name fields in the window share one limit.
 */

/** The longest name a saved album may have, in UTF-16 code units (what `maxlength` counts). */
export const MAX_ALBUM_NAME = 200;

/** What an album without a name is told, by the engine and by the name fields before they send it. */
export const ALBUM_NAME_NEEDED = 'Give the album a name.';
