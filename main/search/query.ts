/**
 * Combined queries: `beach + sunset - people`, `2:dog + ./photo.jpg`, `#42 - 0.5:night`.
 *
 * Note [Query algebra]: each term becomes a unit vector (text through the text tower, a photo
 * file through the image tower, `#id` as that library photo's stored embedding); the query is
 * the weighted sum, renormalised. `+` and `-` separate terms only when surrounded by spaces, so
 * "t-shirt" and "black-and-white" stay single terms.
 *
 * Note [Linear parsing]: the query is split at runs of white space (one pass) and an operator is
 * a lone `+` or `-` between them; a pattern that looked for `\s+[+-]\s+` anywhere backtracked
 * over every run of spaces, and 50,000 of them took 40 s. Weights are at most MAX_WEIGHT, so a
 * sum can never overflow.
 */
import { UserError } from '../core/errors.js';

export type QueryTerm =
  | { kind: 'text'; text: string; weight: number }
  | { kind: 'file'; path: string; weight: number }
  | { kind: 'photo'; photoId: number; weight: number };

export const MAX_WEIGHT = 100;

const IMAGE_PATH = /^(\.{1,2}[\\/]|[\\/]|~[\\/]|[A-Za-z]:[\\/])|\.(jpe?g|png|webp|gif|avif|heic|heif|tiff?)$/i;

/** The query as an error message quotes it: a long one shortened. */
function quoted(query: string): string {
  return JSON.stringify(query.length > 80 ? `${query.slice(0, 77)}…` : query);
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

export function parseQuery(query: string): QueryTerm[] {
  const trimmed = query.trim();
  if (!trimmed) throw new UserError('bad-input', 'Type something to search for.');
  if (/\s[+-]$/.test(trimmed)) throw new UserError('bad-input', `The query ${quoted(query)} ends with an operator; add a term after it.`);
  const terms: QueryTerm[] = [];
  for (const { sign, text } of signedParts(query, trimmed)) {
    const weighted = /^(\d+(?:\.\d+)?):(.+)$/s.exec(text);
    const size = weighted ? Number(weighted[1]) : 1;
    if (size > MAX_WEIGHT) throw new UserError('bad-input', `The weight ${weighted?.[1]?.slice(0, 20)} in the query is too large: weights go from 0 to ${MAX_WEIGHT}.`);
    const weight = sign * size;
    const body = (weighted ? (weighted[2] as string) : text).trim();
    const photo = /^#(\d+)$/.exec(body);
    if (photo) {
      const photoId = Number(photo[1]);
      if (!Number.isSafeInteger(photoId)) throw new UserError('bad-input', `#${photo[1]?.slice(0, 20)}… is not a photo id; give the id of a photo from search results.`);
      terms.push({ kind: 'photo', photoId, weight });
    } else if (IMAGE_PATH.test(body)) terms.push({ kind: 'file', path: body, weight });
    else terms.push({ kind: 'text', text: body, weight });
  }
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
