/**
 * A query as the window quotes it, in its headings, what is said and its title. A query of one
 * quoted phrase alone searches only the text read in photos (Note [Quoted text] in
 * main/search/query.ts).
 */
const QUOTED_PHRASE = /^["“„]([^"“”„]+)["“”]$/u;
const QUOTED_AT_BOTH_ENDS = /^["“„].*["“”]$/su;

/** Whether `query` is one quoted phrase alone: a search of the text read in photos only. */
export function isTextOnly(query: string): boolean {
  return QUOTED_PHRASE.test(query);
}

/**
 * `query` quoted: a quoted phrase alone keeps its own quotes, as curly ones, and a query already
 * quoted at both ends is not quoted again. Past `most` letters it is cut short with an ellipsis,
 * between letters as a reader sees them, so that the cut never halves an emoji or a flag.
 */
export function quoteQuery(query: string, most = Infinity): string {
  const phrase = QUOTED_PHRASE.exec(query)?.[1];
  const words = phrase ?? query;
  const letters = Array.from(new Intl.Segmenter().segment(words), ({ segment }) => segment);
  const shown = letters.length > most ? `${letters.slice(0, most - 1).join('').trimEnd()}…` : words;
  return phrase === undefined && QUOTED_AT_BOTH_ENDS.test(query) ? shown : `“${shown}”`;
}
