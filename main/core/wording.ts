/** Words put together as a sentence says them. */

/** "a", "a and b", "a, b and c". */
export function listed(words: readonly string[]): string {
  return words.length > 1 ? `${words.slice(0, -1).join(', ')} and ${words.at(-1) as string}` : (words[0] ?? '');
}
