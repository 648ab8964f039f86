/**
 * Combined queries: `beach + sunset - people`, `2:dog + ./photo.jpg`, `#42 - 0.5:night`.
 *
 * Note [Query algebra]: each term becomes a unit vector (text through the text tower, a photo
 * file through the image tower, `#id` as that library photo's stored embedding); the query is
 * the weighted sum, renormalised. `+` and `-` separate terms only when surrounded by spaces, so
 * "t-shirt" and "black-and-white" stay single terms.
 */
import { UserError } from '../core/errors.js';

export type QueryTerm =
  | { kind: 'text'; text: string; weight: number }
  | { kind: 'file'; path: string; weight: number }
  | { kind: 'photo'; photoId: number; weight: number };

const IMAGE_PATH = /^(\.{1,2}[\\/]|[\\/]|~[\\/]|[A-Za-z]:[\\/])|\.(jpe?g|png|webp|gif|avif|heic|heif|tiff?)$/i;

export function parseQuery(query: string): QueryTerm[] {
  const trimmed = query.trim();
  if (!trimmed) throw new UserError('bad-input', 'Type something to search for.');
  if (/\s[+-]$/.test(trimmed)) throw new UserError('bad-input', `The query "${query}" ends with an operator; add a term after it.`);
  const parts = (trimmed.startsWith('- ') ? ` ${trimmed}` : trimmed).split(/\s+([+-])\s+/);
  const terms: QueryTerm[] = [];
  let sign = 1;
  for (let i = 0; i < parts.length; i++) {
    const part = (parts[i] as string).trim();
    if (i % 2 === 1) {
      sign = part === '-' ? -1 : 1;
      continue;
    }
    if (!part) {
      if (i === 0) continue;
      throw new UserError('bad-input', `The query "${query}" has an operator with nothing after it.`);
    }
    const weighted = /^(\d+(?:\.\d+)?):(.+)$/s.exec(part);
    const weight = sign * (weighted ? Number(weighted[1]) : 1);
    const body = (weighted ? (weighted[2] as string) : part).trim();
    const photo = /^#(\d+)$/.exec(body);
    if (photo) terms.push({ kind: 'photo', photoId: Number(photo[1]), weight });
    else if (IMAGE_PATH.test(body)) terms.push({ kind: 'file', path: body, weight });
    else terms.push({ kind: 'text', text: body, weight });
  }
  if (terms.every((term) => term.weight <= 0)) throw new UserError('bad-input', `The query "${query}" only subtracts; add something to look for.`);
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
