/**
 * What a search may ask for, as one schema: the CLI checks its flags against it and the app's
 * contract validates the renderer's requests with it, so both accept exactly the same things.
 */
import { z } from 'zod';
import { MAX_PAGE_SIZE } from './page-limit.js';

export { MAX_PAGE_SIZE };
export const DEFAULT_CUTOFF = 0.5;
export const PHOTO_FORMATS = ['jpeg', 'png', 'webp', 'avif', 'gif', 'tiff', 'heic'] as const;
export const SORT_ORDERS = ['relevance', 'newest', 'oldest'] as const;

const time = z.number().int().min(-8.64e15).max(8.64e15);

export const searchFiltersSchema = z
  .object({
    /** Capture date range, ms of clock readings encoded as UTC (Note [Dates as the clock showed] in library/decode.ts; file time when a photo has no capture date). */
    takenAfter: time.optional(),
    takenBefore: time.optional(),
    /** Only photos under this folder (CLI: a path). */
    folder: z.string().min(1).max(4096).optional(),
    /** Only photos under the folder with this key, its subfolders included (the app names folders by key, never by path: core/folder-key.ts). */
    within: z.string().regex(/^folder:[0-9a-f]{16}$/).optional(),
    /** Each word of this is in the camera's make and model, ignoring case (Note [Camera words] in photo-facets.ts). */
    camera: z.string().min(1).max(200).optional(),
    formats: z.array(z.enum(PHOTO_FORMATS)).min(1).max(PHOTO_FORMATS.length).optional(),
    hasLocation: z.boolean().optional(),
    /** Only photos showing this tag (any case): given by the tagger or confirmed, not rejected. */
    tag: z.string().min(1).max(200).optional(),
  })
  .strict()
  .refine((f) => f.takenAfter === undefined || f.takenBefore === undefined || f.takenAfter <= f.takenBefore, {
    message: 'the start date is after the end date',
  });

/** The furthest into a ranking a page may start: a page past it is refused, not searched. */
export const MAX_SEARCH_OFFSET = 1_000_000;

export const searchOptionsSchema = z
  .object({
    /** Results per page. */
    limit: z.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
    offset: z.number().int().min(0).max(MAX_SEARCH_OFFSET).default(0),
    sort: z.enum(SORT_ORDERS).default('relevance'),
    /** Relative relevance cutoff (Note [Relative cutoff] in search.ts). */
    cutoff: z.number().min(0).max(1).default(DEFAULT_CUTOFF),
    /** The plain ranking, without the cutoff. */
    showAll: z.boolean().default(false),
    /**
     * Count every result above the cutoff (`total`, `belowCutoff`). Without it, a page ranked by
     * relevance comes back as soon as it is known, and `total` may be a lower bound (Note [Page
     * before count] in search.ts).
     */
    count: z.boolean().default(true),
    filters: searchFiltersSchema.default({}),
  })
  .strict();

export type SearchFilters = z.infer<typeof searchFiltersSchema>;
export type SearchSort = (typeof SORT_ORDERS)[number];
export type PhotoFormat = (typeof PHOTO_FORMATS)[number];
/** Search options as callers write them (every field optional). */
export type SearchOptionsInput = z.input<typeof searchOptionsSchema>;
export type SearchOptions = z.output<typeof searchOptionsSchema>;

/** A file type as people write it (`jpg`, `JPEG`, `tif`), as the schema names it. */
export function normaliseFormatName(name: string): string {
  const lower = name.trim().toLowerCase();
  return lower === 'jpg' ? 'jpeg' : lower === 'tif' ? 'tiff' : lower === 'heif' ? 'heic' : lower;
}
