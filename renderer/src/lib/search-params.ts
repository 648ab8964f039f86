/**
 * What the library screen shows, kept in the URL (`#/library?q=beach&sort=newest&photo=42`), so
 * a reload, the back button or a copied link returns to the same search and photo. Every value
 * read from the URL is checked; anything unknown falls back to the default.
 */
import { FORMAT_NAMES as INDEXED_FORMAT_NAMES } from '../../../main/library/photo-kinds.js';
import { dateBound } from '../../../main/search/date-bounds.js';
import type { PhotoFormat, SearchOptionsInput, SearchSort } from '../../../main/search/options.js';
import { tagNameKey } from '../../../main/tags/vocabulary-rules.js';

export type Sort = SearchSort;

// Written as records so that the compiler checks them against the engine's schema, whole.
const SORT_NAMES: Record<Sort, string> = { relevance: 'Relevance', newest: 'Newest first', oldest: 'Oldest first' };
// Named where the indexer's formats are (main/library/photo-kinds.ts), checked against the filter's.
const FORMAT_NAMES = INDEXED_FORMAT_NAMES satisfies Record<PhotoFormat, string>;
export const SORTS = Object.keys(SORT_NAMES) as Sort[];
export const FORMATS = Object.keys(FORMAT_NAMES) as PhotoFormat[];
export const sortName = (sort: Sort): string => SORT_NAMES[sort];
export const formatName = (format: PhotoFormat): string => FORMAT_NAMES[format];

export interface SearchFilterState {
  /** `YYYY-MM-DD`, or '' for no bound. */
  from: string;
  to: string;
  /** A folder's key (`photos.folders`): its photos and its subfolders'; '' for every folder. */
  folder: string;
  camera: string;
  formats: PhotoFormat[];
  located: boolean;
  /** A tag the photos show (given by the tagger or confirmed), or '' for any. */
  tag: string;
}

export interface SearchState {
  query: string;
  /**
   * The results answer a photo dropped or pasted, known by this number (its bytes are kept by the
   * search, not here): the mark makes that search a step Back undoes and Back returns to; without
   * the photo (after a reload) it is dropped.
   */
  image: number | null;
  /** The `#id` query was asked for by name (Find similar), not typed: the box shows the photo's name. */
  like: boolean;
  sort: Sort;
  showAll: boolean;
  filters: SearchFilterState;
  /** The photo open in the viewer. */
  photo: number | null;
}

export const EMPTY_FILTERS: SearchFilterState = { from: '', to: '', folder: '', camera: '', formats: [], located: false, tag: '' };

export function emptySearch(): SearchState {
  return { query: '', image: null, like: false, sort: 'relevance', showAll: false, filters: { ...EMPTY_FILTERS, formats: [] }, photo: null };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const FOLDER_KEY = /^folder:[0-9a-f]{16}$/;

function positiveInt(value: string | null): number | null {
  return value !== null && /^[1-9]\d{0,14}$/.test(value) ? Number(value) : null;
}

/** The days the two date fields show: the filters' own, or, while refused, the days typed (`withDate`). */
export interface DateFields {
  from: string;
  to: string;
}

/**
 * Note [Dates the wrong way round]: a day typed in a date field that puts the start after the end
 * is refused, as the fields' pickers refuse it (each field's min or max is the other's day): it
 * stays in its field, marked and said as wrong, and the photos keep their range. Moving the other
 * end to it changed a field the person never touched. Refused, the day typed applies, with the
 * other field's, once either is changed to put them in order (a range moved earlier end first).
 * An address the wrong way round is read as the range between its days (parseSearch).
 *
 * `withDate` sets `end` to `day` in the date fields showing `fields`: the filters with the range
 * the fields show when it is in order, or `filters` unchanged and the fields `refused`. A year
 * being typed is no day yet: the field reports each digit ("2" as the year 2, then 20, 202), so
 * it is null until the year is whole.
 */
export function withDate(filters: SearchFilterState, fields: DateFields, end: 'from' | 'to', day: string): { filters: SearchFilterState; refused: DateFields | null } | null {
  if (day !== '' && day < '1000') return null;
  const shown = { ...fields, [end]: day };
  if (shown.from !== '' && shown.to !== '' && shown.from > shown.to) return { filters, refused: shown };
  return { filters: { ...filters, ...shown }, refused: null };
}

export function parseSearch(query: string): SearchState {
  const params = new URLSearchParams(query);
  const sort = params.get('sort');
  const day = (name: string) => {
    const value = params.get(name) ?? '';
    return DATE.test(value) && dateBound(value, false) !== null ? value : '';
  };
  let [from, to] = [day('from'), day('to')];
  // An address with the dates the wrong way round means the range between them.
  if (from && to && from > to) [from, to] = [to, from];
  return {
    query: (params.get('q') ?? '').slice(0, 2000),
    image: positiveInt(params.get('image')),
    like: params.get('like') === '1',
    sort: SORTS.find((known) => known === sort) ?? 'relevance',
    showAll: params.get('all') === '1',
    filters: {
      from,
      to,
      // Kept as written, a key or not: a folder the library lacks is said and dropped, not ignored (Note [Filters naming what is not there] in FiltersBar.svelte).
      folder: (params.get('folder') ?? '').slice(0, 200),
      camera: (params.get('camera') ?? '').slice(0, 200),
      formats: (params.get('type') ?? '').split(',').filter((format): format is PhotoFormat => (FORMATS as readonly string[]).includes(format)),
      located: params.get('located') === '1',
      // Not `tag`: the Tags screen's own parameter names the tag it shows.
      tag: (params.get('tagged') ?? '').slice(0, 200),
    },
    photo: positiveInt(params.get('photo')),
  };
}

/** The query string of a state (defaults left out). */
export function searchParams(state: SearchState): string {
  const params = new URLSearchParams();
  const set = (key: string, value: string | false | null) => value && params.set(key, value);
  set('q', state.query.trim() || null);
  set('image', state.image === null ? null : String(state.image));
  set('like', state.like && '1');
  set('sort', state.sort !== 'relevance' && state.sort);
  set('all', state.showAll && '1');
  set('from', state.filters.from || null);
  set('to', state.filters.to || null);
  set('folder', state.filters.folder || null);
  set('camera', state.filters.camera.trim() || null);
  set('type', state.filters.formats.join(',') || null);
  set('located', state.filters.located && '1');
  set('tagged', state.filters.tag.trim() || null);
  set('photo', state.photo === null ? null : String(state.photo));
  return params.toString();
}

export function hasFilters(filters: SearchFilterState): boolean {
  return Boolean(filters.from || filters.to || filters.folder || filters.camera.trim() || filters.formats.length || filters.located || filters.tag.trim());
}

/** Whether `filters` keep only the photos that show a tag: a tagging run changes which pass. */
export function tagFiltered(filters: SearchFilterState): boolean {
  return filters.tag.trim() !== '';
}

/** Whether the photos shown are filtered by `tag`: a verdict on it changes which pass. Tag names are one tag in any case, as the engine matches them. */
export function filteredByTag(filters: SearchFilterState, tag: string): boolean {
  const filtered = filters.tag.trim();
  return filtered !== '' && tagNameKey(filtered) === tagNameKey(tag);
}

/** The engine's search options for this state (dates as days on the photos' clock, whole days included). */
export function searchOptions(state: SearchState, limit: number, offset = 0): SearchOptionsInput {
  const { filters } = state;
  const [takenAfter, takenBefore] = [filters.from && dateBound(filters.from, false), filters.to && dateBound(filters.to, true)];
  return {
    limit,
    offset,
    sort: state.sort,
    showAll: state.showAll,
    filters: {
      ...(typeof takenAfter === 'number' ? { takenAfter } : {}),
      ...(typeof takenBefore === 'number' ? { takenBefore } : {}),
      ...(FOLDER_KEY.test(filters.folder) ? { within: filters.folder } : {}),
      ...(filters.camera.trim() ? { camera: filters.camera.trim() } : {}),
      ...(filters.formats.length ? { formats: filters.formats } : {}),
      ...(filters.located ? { hasLocation: true } : {}),
      ...(filters.tag.trim() ? { tag: filters.tag.trim() } : {}),
    },
  };
}

/** The photo open in the viewer over any screen, from that screen's query string (`photo=ID`). */
export function photoParam(query: string): number | null {
  return positiveInt(new URLSearchParams(query).get('photo'));
}

/** A screen's query string with `photoId` open in the viewer (none with null), its other parameters kept. */
export function withPhoto(query: string, photoId: number | null): string {
  const params = new URLSearchParams(query);
  if (photoId === null) params.delete('photo');
  else params.set('photo', String(photoId));
  return params.toString();
}
