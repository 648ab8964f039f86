/** Vector maths shared by embedding, search and tagging. */

/** Scales `vector` to unit length in place and returns it; a zero vector stays zero. */
export function l2Normalize(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const value of vector) sum += value * value;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] as number) / norm;
  return vector;
}

/**
 * Note [Validate model output]: a model with impossible settings (a zero `image_std`) or damaged
 * weights yields NaN, infinite or all-zero vectors. Stored, they make every search come back
 * empty while the library looks ready, so every output is checked before anything uses it.
 */
export function isUsableEmbedding(vector: Float32Array): boolean {
  let sum = 0;
  for (const value of vector) sum += value * value;
  return Number.isFinite(sum) && sum > 0;
}

export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}
