/**
 * What Lumen indexes and what it passes over, in words: one source for the engine, the CLI and
 * the window. The window imports it too (main/app/renderer-build.ts lists it), so it imports
 * nothing, neither Node nor zod.
 */

/** The formats Lumen indexes, as people name them. */
export const FORMAT_NAMES = { jpeg: 'JPEG', png: 'PNG', gif: 'GIF', webp: 'WebP', avif: 'AVIF', heic: 'HEIC', tiff: 'TIFF' } as const;

/**
 * A format Lumen indexes, told by a file's first bytes (sniffFormat in formats.ts). It is made
 * from the names above, so a format cannot be indexed without the window and the CLI naming it.
 */
export type ImageFormat = keyof typeof FORMAT_NAMES;

/** Kinds of files people keep beside their photos that Lumen does not index (Note [Nothing skipped silently] in scan.ts). */
export type PassedOverKind = 'raw' | 'video';

/** How many files of each kind Lumen does not index a job passed over. */
export type PassedOver = Record<PassedOverKind, number>;

/** The count of a job that has passed over nothing yet. */
export function nonePassedOver(): PassedOver {
  return { raw: 0, video: 0 };
}

const NOUNS: Record<PassedOverKind, { one: string; many: string }> = { raw: { one: 'RAW file', many: 'RAW files' }, video: { one: 'video', many: 'videos' } };

const formatNames: string[] = Object.values(FORMAT_NAMES);

/** "JPEG, PNG, … and TIFF". */
export const INDEXED_FORMATS_TEXT = `${formatNames.slice(0, -1).join(', ')} and ${formatNames.at(-1)}`;

/**
 * What an index job passed over, said once as it ends (Note [Nothing skipped silently] in
 * scan.ts): "1,204 RAW files and 37 videos were not indexed: Lumen indexes JPEG, …". Null when
 * it passed over nothing. `formatCount` writes a number as the caller writes its other figures.
 */
export function passedOverText(passedOver: PassedOver, formatCount: (n: number) => string): string | null {
  const parts = (Object.keys(NOUNS) as PassedOverKind[])
    .filter((kind) => passedOver[kind] > 0)
    .map((kind) => `${formatCount(passedOver[kind])} ${passedOver[kind] === 1 ? NOUNS[kind].one : NOUNS[kind].many}`);
  if (parts.length === 0) return null;
  const onlyOne = Object.values(passedOver).reduce((sum, n) => sum + n, 0) === 1;
  return `${parts.join(' and ')} ${onlyOne ? 'was' : 'were'} not indexed: Lumen indexes ${INDEXED_FORMATS_TEXT}.`;
}
