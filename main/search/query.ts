/**
 * Combined queries: `beach + sunset - people`, `2:dog + ./photo.jpg`, `#42 - 0.5:night`, and
 * text in photos: `"lisboa"`, `receipt "lisboa"`, `menu - "closed"`.
 *
 * Note [Query algebra]: each term becomes a unit vector (text through the text tower, a photo
 * file through the image tower, `#id` as that library photo's stored embedding); the query is
 * the weighted sum, renormalised. `+` and `-` separate terms only when surrounded by spaces, so
 * "t-shirt" and "black-and-white" stay single terms.
 *
 * Note [Quoted text]: text in double quotes ("…", “…”, „…“) is looked for in the text read in
 * photos (see main/ocr/fusion.ts), not shown to CLIP. A quoted phrase takes the sign of the term
 * it is in: with `+` (or no sign) a photo must contain it, with `-` (also `-"…"`) it must not.
 * What is left of a term outside its quotes is an ordinary term, so `receipt "lisboa"` is
 * "photos that say Lisboa, ranked by how much they look like a receipt". A query of quoted text
 * alone lists the photos that contain it, best text match first. Quotes keep `+` and `-` inside
 * them as text; an unclosed quote runs to the end of the query (a query being typed). A weight
 * (`2:`) belongs to a description or a photo, so a term of quoted text alone cannot have one.
 *
 * Note [Linear parsing]: the query is split at runs of white space (one pass) and an operator is
 * a lone `+` or `-` between them; a pattern that looked for `\s+[+-]\s+` anywhere backtracked
 * over every run of spaces, and 50,000 of them took 40 s. Weights are at most MAX_WEIGHT, so a
 * sum can never overflow.
 *
 * Note [Operators alone]: a query of nothing but lone `+` and `-` ("+", "- +") is refused as having
 * no words, like one that ends with an operator. A leading `+` followed by words is still text
 * ("+ beach"), as it always was; alone, searching CLIP for "+" only ever returned noise.
 *
 * Note [Marks half written]: a term that is one word starting with `#` names a photo (unless, in
 * the CLI, it is a file's name), and a weight alone (`2:`) weighs nothing: "#abc", "#-1" and "2:"
 * are refused, not searched for as text, which answered them with photos of nothing in
 * particular. Being typed ("#", "2:" on the way to "#12", "2:dog") the window keeps the last
 * results (Note [Queries being typed] in the renderer's search.svelte.ts). A `#` within or after
 * words is text: "C#", "#1 dad".
 *
 * Note [No files from the window]: only the CLI's queries may name an image file to read, and
 * only by saying so (`imageFiles`; a caller that does not say reads no file). The app's window
 * sends no paths (Note [No paths from the renderer] in preload/contract.ts) and searches by an
 * image through its bytes (dropped or pasted), so there a term that looks like a path
 * ("/r/cats", "sunset.jpg") is a description like any other, and a renderer can never make the
 * engine read a file, or tell whether one exists.
 */
import { UserError } from '../core/errors.js';

export type QueryTerm =
  | { kind: 'text'; text: string; weight: number }
  | { kind: 'file'; path: string; weight: number }
  | { kind: 'photo'; photoId: number; weight: number }
  /** Text a photo must (weight 1) or must not (weight -1) contain; see Note [Quoted text]. */
  | { kind: 'phrase'; text: string; weight: 1 | -1 };

export type PhraseTerm = Extract<QueryTerm, { kind: 'phrase' }>;

export const MAX_WEIGHT = 100;

const IMAGE_PATH = /^(\.{1,2}[\\/]|[\\/]|~[\\/]|[A-Za-z]:[\\/])|\.(jpe?g|png|webp|gif|avif|heic|heif|tiff?)$/i;
const QUOTED = /["“”„]([^"“”]*)(?:["“”]|$)/gu;
/** Stands for the n-th quoted phrase while the query is split into terms (a private-use character). */
const PLACEHOLDER = /\uE000(\d+)\uE000/gu;
/**
 * Note [Weights only as written]: a weight is digits, perhaps with decimals (`2:`, `0.5:`). A term
 * that starts with another number and a colon (`-1:`, `.5:`, `2.:`, `1e3:`) was searched for
 * whole as words, as if the weight had been read; it is refused instead, saying how to write it.
 * Anything the weight pattern reads (`10:30 meeting`, weight 10) is read as before, and words
 * stay words ("Infinity: war poster").
 */
const WEIGHT_LIKE = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?):(.*)$/s;

/** `query` as a message shows it: in the curly quotes the search heading uses, cut short when long, control characters escaped. */
function quoted(query: string): string {
  const shown = query.length > 80 ? `${query.slice(0, 77)}…` : query;
  // eslint-disable-next-line no-control-regex -- control characters are what is escaped
  return `“${shown.replace(/[\u0000-\u001f]/g, (character) => JSON.stringify(character).slice(1, -1))}”`;
}

/** The query's terms with their signs, as written (Note [Linear parsing]). */
function signedParts(query: string, trimmed: string): Array<{ sign: number; text: string }> {
  const words = trimmed.split(/(\s+)/);
  const parts: Array<{ sign: number; text: string }> = [];
  let sign = 1;
  let text: string | null = null;
  for (let i = 0; i < words.length; i += 2) {
    const word = words[i] as string;
    // A leading "-" subtracts the first term; a leading "+" is just text.
    if ((word === '+' || word === '-') && (i > 0 || (word === '-' && words.length > 1))) {
      if (text === null && i > 0) throw new UserError('bad-input', `The query ${quoted(query)} has an operator with nothing after it.`);
      if (text !== null) parts.push({ sign, text });
      sign = word === '-' ? -1 : 1;
      text = null;
    } else {
      text = text === null ? word : `${text}${words[i - 1] as string}${word}`;
    }
  }
  if (text !== null) parts.push({ sign, text });
  return parts;
}

/** Refuses a term that starts with a weight written some other way than the query reads (Note [Weights only as written]). */
function refuseWeightLike(text: string): void {
  const [, written, rest] = WEIGHT_LIKE.exec(text) ?? [];
  if (written === undefined) return;
  const shown = written.slice(0, 20);
  // What follows is the person's text: quoted (control characters escaped), and never in the examples.
  const body = rest?.replace(PLACEHOLDER, ' ').trim() ?? '';
  if (written.startsWith('-')) throw new UserError('bad-input', `The weight ${shown} in the query is below 0: weights go from 0 to ${MAX_WEIGHT}. To leave ${body ? quoted(body) : 'a term'} out, subtract it, as in “dog - sunset”.`);
  throw new UserError('bad-input', `The weight ${shown} in the query is not one the query reads: write a weight in digits, as in 2:sunset or 0.5:sunset.`);
}

/** What a query may name besides descriptions and library photos (Note [No files from the window]). */
export interface QueryRules {
  /** Whether a term that looks like a path names an image file to read (the CLI) or is a description (the app). */
  imageFiles: boolean;
}

export function parseQuery(query: string, rules: QueryRules = { imageFiles: false }): QueryTerm[] {
  const phrases: string[] = [];
  const masked = query
    .replace(QUOTED, (_, phrase: string) => `\uE000${phrases.push(phrase.replace(/\s+/gu, ' ').trim()) - 1}\uE000`)
    .replace(/(^|\s)-(?=\uE000)/gu, '$1- ');
  const trimmed = masked.trim();
  if (!trimmed) throw new UserError('bad-input', 'Type something to search for.');
  // Operators alone ("+", "- +") are no query: without this a lone "+" was searched for as text (Note [Operators alone]).
  if (trimmed.split(/\s+/).every((word) => word === '+' || word === '-')) throw new UserError('bad-input', `The query ${quoted(query)} has no words to search for; add a term.`);
  if (/\s[+-]$/.test(trimmed)) throw new UserError('bad-input', `The query ${quoted(query)} ends with an operator; add a term after it.`);
  const terms: QueryTerm[] = [];
  for (const { sign, text } of signedParts(query, trimmed)) {
    const weighted = /^(\d+(?:\.\d+)?):(.*)$/s.exec(text);
    if (!weighted) refuseWeightLike(text);
    const size = weighted ? Number(weighted[1]) : 1;
    if (size > MAX_WEIGHT) throw new UserError('bad-input', `The weight ${weighted?.[1]?.slice(0, 20)} in the query is too large: weights go from 0 to ${MAX_WEIGHT}.`);
    const weight = sign * size;
    const body = (weighted ? (weighted[2] as string) : text).trim();
    // Note [Marks half written].
    if (weighted && !body) throw new UserError('bad-input', `The weight ${weighted[1]?.slice(0, 20)}: has nothing after it to weigh; give a description or a photo after it, as in ${weighted[1]?.slice(0, 20)}:beach.`);
    for (const [, index] of body.matchAll(PLACEHOLDER)) {
      const phrase = phrases[Number(index)] as string;
      if (phrase) terms.push({ kind: 'phrase', text: phrase, weight: sign < 0 ? -1 : 1 });
    }
    const rest = body.replace(PLACEHOLDER, ' ').replace(/\s+/gu, ' ').trim();
    if (!rest) {
      if (weighted) throw new UserError('bad-input', `A weight (${weighted[1]?.slice(0, 20)}:) goes with a description or a photo, not with quoted text; remove it.`);
      continue;
    }
    // Not a subtraction: a weight of 0 takes the term out of the sum, which is never what was meant.
    if (weighted && size === 0) throw new UserError('bad-input', `A weight of 0 leaves ${quoted(rest)} out of the search: give it a weight above 0, or leave it out.`);
    const photo = /^#(\d+)$/.exec(rest);
    if (photo) {
      const photoId = Number(photo[1]);
      if (!Number.isSafeInteger(photoId)) throw new UserError('bad-input', `#${photo[1]?.slice(0, 20)}… is not a photo id; give the id of a photo from search results.`);
      terms.push({ kind: 'photo', photoId, weight });
    } else if (rules.imageFiles && IMAGE_PATH.test(rest)) terms.push({ kind: 'file', path: rest, weight });
    // Note [Marks half written].
    else if (/^#\S*$/u.test(rest)) throw new UserError('bad-input', `${quoted(rest)} is not a photo id: # names a photo by its number, as in #12; to search for the word, leave out the #.`);
    else terms.push({ kind: 'text', text: rest, weight });
  }
  if (terms.length === 0) throw new UserError('bad-input', 'Type something to search for.');
  if (terms.every((term) => term.weight <= 0)) throw new UserError('bad-input', `The query ${quoted(query)} only subtracts; add something to look for.`);
  return terms;
}

/** Weighted sum of unit vectors, renormalised. */
export function combineVectors(parts: ReadonlyArray<{ vector: Float32Array; weight: number }>): Float32Array {
  const first = parts[0];
  if (!first) throw new UserError('bad-input', 'Empty query.');
  const sum = new Float32Array(first.vector.length);
  for (const { vector, weight } of parts) for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] as number) + weight * (vector[i] as number);
  let norm = 0;
  for (const value of sum) norm += value * value;
  norm = Math.sqrt(norm);
  if (norm === 0) throw new UserError('bad-input', 'The query’s terms cancel each other out.');
  for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] as number) / norm;
  return sum;
}
