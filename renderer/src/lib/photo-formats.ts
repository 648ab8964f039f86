/**
 * The kinds of files Lumen indexes, as the window names them. They are the formats
 * main/library/formats.ts recognises (ImageFormat); the renderer cannot import that module (it is
 * no renderer source), so test/renderer/lib.test.ts keeps the two in step.
 */
export const INDEXED_FORMATS = { jpeg: 'JPEG', png: 'PNG', gif: 'GIF', webp: 'WebP', avif: 'AVIF', heic: 'HEIC', tiff: 'TIFF' } as const;

const names: string[] = Object.values(INDEXED_FORMATS);

/** What Lumen indexes and what it leaves out: the walk skips videos and camera RAW files unread (NOT_PHOTOS in formats.ts). */
export const INDEXED_KINDS_TEXT = `Lumen indexes photos in ${names.slice(0, -1).join(', ')} and ${names.at(-1)}; it leaves out videos, and camera RAW files for now.`;
