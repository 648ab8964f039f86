/**
 * When a tag is refined from verdicts (Note [Refined tags] in refine.ts), on its own: pure, with
 * no import, so the engine, the command line and the template editor's evaluation share it.
 */

/** Least confirmed and least rejected photos before a tag is refined. */
export const MIN_VERDICTS = 5;
