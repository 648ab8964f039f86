/** The grid's layout and the library screen's URL state, as plain functions. */
import { describe, expect, it } from 'vitest';
import { inDateOrder, justify, monthSections, verticalNeighbour, visibleRows } from '../../renderer/src/lib/justify.js';
import { emptySearch, parseSearch, searchOptions, searchParams, withDate } from '../../renderer/src/lib/search-params.js';

describe('the justified layout', () => {
  const base = { width: 1000, targetHeight: 200, gap: 4, headingHeight: 40 };

  it('fills each full row exactly, keeps aspect ratios, and leaves a short last row at the target height', () => {
    const ratios = [1.5, 1, 0.75, 1.5, 1.5, 1, 2, 1];
    const layout = justify({ ...base, ratios, sectionStarts: [] });
    for (const row of layout.rows.slice(0, -1)) {
      const last = row.tiles.at(-1)!;
      expect(last.left + last.width).toBeCloseTo(1000, 5);
      for (const tile of row.tiles.slice(0, -1)) expect(tile.width / row.height).toBeCloseTo(ratios[tile.index]!, 5);
    }
    expect(layout.rows.at(-1)!.height).toBe(200);
    expect(layout.rows.flatMap((row) => row.tiles.map((tile) => tile.index))).toEqual(ratios.map((_, i) => i));
    expect(Array.from(layout.rowOf)).toEqual(layout.rows.flatMap((row, r) => row.tiles.map(() => r)));
  });

  it('starts each section on a new row under its heading', () => {
    const layout = justify({ ...base, ratios: Array(10).fill(1), sectionStarts: [0, 3, 7] });
    expect(layout.headings.map((heading) => heading.first)).toEqual([0, 3, 7]);
    for (const heading of layout.headings) {
      const row = layout.rows.find((candidate) => candidate.tiles[0]?.index === heading.first)!;
      expect(row.top).toBe(heading.top + 40);
    }
  });

  it('finds the rows in view by binary search, and the photo above or below', () => {
    const layout = justify({ ...base, ratios: Array(100_000).fill(1.5), sectionStarts: [] });
    const { first, last } = visibleRows(layout.rows, 50_000, 51_000);
    expect(layout.rows[first]!.top + layout.rows[first]!.height).toBeGreaterThanOrEqual(50_000);
    expect(layout.rows[first - 1]!.top + layout.rows[first - 1]!.height).toBeLessThan(50_000);
    expect(layout.rows[last]!.top).toBeLessThanOrEqual(51_000);
    expect(layout.rows[last + 1]!.top).toBeGreaterThan(51_000);
    const below = verticalNeighbour(layout, 1, 1);
    expect(layout.rowOf[below]).toBe(1);
    expect(verticalNeighbour(layout, below, -1)).toBe(1);
    expect(verticalNeighbour(layout, 0, -1)).toBe(0);
  });

  it('tells a list in date order, either way, from one that is not', () => {
    const [june, may, april] = [Date.UTC(2024, 5, 1), Date.UTC(2024, 4, 1), Date.UTC(2024, 3, 1)];
    expect(inDateOrder([june, june, may, april], false)).toBe(true);
    expect(inDateOrder([april, may, may, june], true)).toBe(true);
    expect(inDateOrder([june, april, may], false)).toBe(false);
    expect(inDateOrder([june, may], true)).toBe(false);
    expect(inDateOrder([], false)).toBe(true);
  });

  it('groups a newest-first list into months', () => {
    // Photo dates are clock readings stored as UTC (Note [Dates as the clock showed]): grouped in UTC.
    const days = [Date.UTC(2024, 5, 20), Date.UTC(2024, 5, 2), Date.UTC(2024, 4, 30, 23, 59), Date.UTC(2023, 11, 1)];
    expect(monthSections(days, 'en-GB')).toEqual({ starts: [0, 2, 3], labels: ['June 2024', 'May 2024', 'December 2023'] });
  });
});

describe('the search state in the URL', () => {
  it('round-trips every field and leaves defaults out', () => {
    const state = { query: 'beach + sunset', image: 1764770000123, like: true, sort: 'newest' as const, showAll: true, filters: { from: '2024-01-01', to: '2024-12-31', folder: 'folder:0123456789abcdef', camera: 'fuji', formats: ['jpeg' as const, 'png' as const], located: true, tag: 'beach' }, photo: 42 };
    expect(parseSearch(searchParams(state))).toEqual(state);
    expect(searchParams(emptySearch())).toBe('');
    // The tag filter has its own parameter: the Tags screen's `tag` names the tag it shows, and filters nothing.
    expect(searchParams(state)).toContain('tagged=beach');
    expect(parseSearch('tag=beach').filters.tag).toBe('');
    expect(searchOptions(state, 50).filters).toMatchObject({ tag: 'beach', within: 'folder:0123456789abcdef', camera: 'fuji', hasLocation: true });
  });

  it('ignores what it does not know instead of failing', () => {
    // A folder that is no folder's key is kept, for the filters to say it is not the library's and drop it (Note [Filters naming what is not there]), and never asked for.
    const state = parseSearch('sort=random&from=yesterday&folder=%2Fhome%2Fada&type=bmp,png&photo=0&q=cat');
    expect(state).toEqual({ ...emptySearch(), query: 'cat', filters: { ...emptySearch().filters, folder: '/home/ada', formats: ['png'] } });
    expect(searchOptions(state, 50).filters).toEqual({ formats: ['png'] });
  });

  it('keeps the date range in order: a day typed past the other end is refused until the range is (Note [Dates the wrong way round]), an address the wrong way round is read the right way', () => {
    const filters = { ...emptySearch().filters, from: '2020-01-01', to: '2020-12-31' };
    const fields = { from: filters.from, to: filters.to };
    expect(withDate(filters, fields, 'to', '2010-01-01')).toEqual({ filters, refused: { from: '2020-01-01', to: '2010-01-01' } });
    expect(withDate(filters, fields, 'from', '2021-05-05')).toEqual({ filters, refused: { from: '2021-05-05', to: '2020-12-31' } });
    // The other end moved before the day refused: both apply.
    expect(withDate(filters, { from: '2020-01-01', to: '2010-01-01' }, 'from', '2009-06-01')).toEqual({ filters: { ...filters, from: '2009-06-01', to: '2010-01-01' }, refused: null });
    expect(withDate(filters, fields, 'from', '2020-06-01')?.filters).toMatchObject({ from: '2020-06-01', to: '2020-12-31' });
    expect(withDate(filters, fields, 'to', '')?.filters).toMatchObject({ from: '2020-01-01', to: '' });
    expect(withDate({ ...filters, to: '' }, { ...fields, to: '' }, 'from', '2030-01-01')?.filters).toMatchObject({ from: '2030-01-01', to: '' });
    // A year typed digit by digit (2, 20, 202, 2024) is a day only once whole.
    for (const typing of ['0002-12-31', '0020-12-31', '0202-12-31']) expect(withDate(filters, fields, 'to', typing)).toBeNull();
    expect(withDate(filters, fields, 'to', '2024-12-31')?.filters).toMatchObject({ from: '2020-01-01', to: '2024-12-31' });
    expect(parseSearch('from=2020-01-01&to=2010-01-01').filters).toMatchObject({ from: '2010-01-01', to: '2020-01-01' });
    const { takenAfter, takenBefore } = searchOptions(parseSearch('from=2020-01-01&to=2010-01-01'), 50).filters as { takenAfter: number; takenBefore: number };
    expect(takenAfter).toBeLessThan(takenBefore);
  });

  it('asks the engine for whole days on the photos’ clock (Note [Dates as the clock showed])', () => {
    const state = { ...emptySearch(), filters: { ...emptySearch().filters, from: '2024-06-01', to: '2024-06-01' } };
    const { takenAfter, takenBefore } = searchOptions(state, 50).filters as { takenAfter: number; takenBefore: number };
    expect(takenAfter).toBe(Date.UTC(2024, 5, 1));
    expect(takenBefore - takenAfter).toBe(24 * 3600 * 1000 - 1);
    // A date field takes years below 100 too: not 1950.
    const early = searchOptions({ ...state, filters: { ...state.filters, from: '0050-03-01', to: '0050-03-01' } }, 50).filters as { takenAfter: number; takenBefore: number };
    expect(new Date(early.takenAfter).getUTCFullYear()).toBe(50);
    expect(early.takenBefore - early.takenAfter).toBe(24 * 3600 * 1000 - 1);
  });
});
