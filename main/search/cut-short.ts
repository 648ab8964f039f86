/** Said by the app and the CLI alike, so it is built here, where both read it. */

/** Where the model stopped reading a long description (Note [Long descriptions said] in search.ts), by its last words read. */
export function cutShortText(read: string): string {
  const words = read.split(/\s+/);
  return `Only the start of a long description counts: the model read it up to “${words.length > 6 ? '…' : ''}${words.slice(-6).join(' ')}”.`;
}
