import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ImageFormat } from '../../main/library/formats.js';
import { FORMAT_NAMES } from '../../main/library/photo-kinds.js';
import type { PHOTO_FORMATS } from '../../main/search/options.js';
import { catchUpDelay } from '../../renderer/src/lib/catch-up.js';
import { actualSize, clampView, fittedBounds, FITTED, MAX_ZOOM, panBy, zoomTo } from '../../renderer/src/lib/zoom.js';
import { counted, folderLabels, formatAgo, formatBytes, formatEta, formatPercent, formatRate, percentOf } from '../../renderer/src/lib/format.js';
import { inPlace } from '../../renderer/src/lib/in-place.js';
import { otherIndexingText } from '../../renderer/src/lib/other-writer.js';
import { isTextOnly, quoteQuery } from '../../renderer/src/lib/query-quote.js';
import { INDEXED_KINDS_TEXT, notIndexedText } from '../../renderer/src/lib/photo-formats.js';
import { isChoiceAvailable, providerLabel } from '../../renderer/src/lib/providers.js';
import { appendPage, nextPage } from '../../renderer/src/lib/result-pages.js';
import { EMPTY_FILTERS, FORMATS, filteredByTag, formatName } from '../../renderer/src/lib/search-params.js';
import { SHORTCUTS, comboLabel, matches, shortcutFor, type KeyLike } from '../../renderer/src/lib/shortcuts.js';

function key(k: string, mods: Partial<KeyLike> = {}): KeyLike {
  return { key: k, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods };
}

describe('shortcuts', () => {
  it('Mod is Ctrl on Linux/Windows and Cmd on macOS', () => {
    expect(shortcutFor(key(',', { ctrlKey: true }), { isMac: false, inField: false })).toBe('open-settings');
    expect(shortcutFor(key(',', { metaKey: true }), { isMac: true, inField: false })).toBe('open-settings');
    expect(shortcutFor(key(',', { metaKey: true }), { isMac: false, inField: false })).toBeNull();
    expect(shortcutFor(key(','), { isMac: false, inField: false })).toBeNull();
    expect(shortcutFor(key(',', { ctrlKey: true, altKey: true }), { isMac: false, inField: false })).toBeNull();
  });

  it('Escape closes panels, also from a text field', () => {
    expect(shortcutFor(key('Escape'), { isMac: false, inField: true })).toBe('close-panel');
    expect(shortcutFor(key('Escape', { shiftKey: true }), { isMac: false, inField: false })).toBeNull();
  });

  it('plain keys do nothing while typing', () => {
    expect(shortcutFor(key('?', { shiftKey: true }), { isMac: false, inField: false })).toBe('show-shortcuts');
    expect(shortcutFor(key('?', { shiftKey: true }), { isMac: false, inField: true })).toBeNull();
  });

  it('letters match either case', () => {
    expect(matches('Mod+F', key('f', { ctrlKey: true }), false)).toBe(true);
  });

  it('every combo means one action, and every action has a label', () => {
    const combos = SHORTCUTS.map((s) => s.combo.toLowerCase());
    expect(new Set(combos).size).toBe(combos.length);
    expect(SHORTCUTS.every((s) => s.description.length > 0)).toBe(true);
    expect(comboLabel('Mod+,', false)).toBe('Ctrl+,');
    expect(comboLabel('Mod+,', true)).toBe('⌘,');
    expect(comboLabel('Escape', false)).toBe('Esc');
    expect(comboLabel('Mod+F', false)).toBe('Ctrl+F');
  });
});

describe('formatting', () => {
  it('sizes in decimal units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(605_000_000)).toBe('605 MB');
    expect(formatBytes(151_250_000)).toBe('151 MB');
    expect(formatBytes(1_470_000_000)).toBe('1.47 GB');
    expect(formatBytes(12_500_000)).toBe('12.5 MB');
    expect(formatBytes(Number.NaN)).toBe('—');
  });

  it('rates, times left and percentages', () => {
    expect(formatRate(12_500_000)).toBe('12.5 MB/s');
    expect(formatRate(0)).toBe('—');
    expect(formatEta(null)).toBe('estimating time left…');
    expect(formatEta(0.2)).toBe('about 1 s left');
    expect(formatEta(36)).toBe('about 36 s left');
    expect(formatEta(150)).toBe('about 3 min left');
    expect(formatEta(3 * 3600 + 20 * 60)).toBe('about 3 h 20 min left');
    expect(percentOf(151, 605)).toBe(24);
    expect(percentOf(5, 0)).toBe(0);
    expect(percentOf(700, 605)).toBe(100);
  });

  it('how long ago, in round figures', () => {
    const now = Date.UTC(2026, 11, 5, 11, 0);
    expect(formatAgo(now - 20_000, now)).toBe('just now');
    expect(formatAgo(now + 5_000, now)).toBe('just now');
    expect(formatAgo(now - 60_000, now)).toBe('1 minute ago');
    expect(formatAgo(now - 12 * 60_000 - 59_000, now)).toBe('12 minutes ago');
    expect(formatAgo(now - 3 * 3_600_000, now)).toBe('3 hours ago');
    expect(formatAgo(now - 49 * 3_600_000, now)).toBe('2 days ago');
  });

  it("writes shares as the person's locale writes a percentage (Note [Percentages in the person's locale])", () => {
    // The tests run in English, which writes "33%", not the "33 %" these once were.
    expect(new Intl.NumberFormat().resolvedOptions().locale).toBe('en-US');
    expect(formatPercent(0.333)).toBe('33%');
    expect(formatPercent(2.3)).toBe('230%');
    expect(formatPercent(0.776, 1)).toBe('77.6%');
    expect(formatPercent(1, 1)).toBe('100.0%');
    expect(formatPercent(12.345)).toBe('1,235%');
  });

  it('counts with their noun in the matching form', () => {
    expect(counted(1, 'photo')).toBe('1 photo');
    expect(counted(0, 'photo')).toBe('0 photos');
    expect(counted(12_345, 'photo')).toBe(`${new Intl.NumberFormat().format(12_345)} photos`);
    expect(counted(1, 'photo matches', 'photos match')).toBe('1 photo matches');
    expect(counted(2, 'photo matches', 'photos match')).toBe('2 photos match');
  });

  it('folders by their last part, or as many parts as tell them apart', () => {
    expect(folderLabels(['/home/ana/Pictures', '/media/disk/Holidays'])).toEqual(['Pictures', 'Holidays']);
    expect(folderLabels(['/home/ana/Photos', '/home/bo/Photos', '/media/Camera'])).toEqual(['ana/Photos', 'bo/Photos', 'Camera']);
    expect(folderLabels(['/a/2023/Trip', '/b/2023/Trip', 'C:\\Users\\ana\\Trip'])).toEqual(['a/2023/Trip', 'b/2023/Trip', 'ana/Trip']);
    // One folder inside another of the same name keeps its whole path where no tail tells them apart.
    expect(folderLabels(['/x/Photos', '/y/x/Photos'])).toEqual(['/x/Photos', 'y/x/Photos']);
  });

  it('zooms within fit and MAX_ZOOM, about a point, never moving the photo past its edges', () => {
    // A 4:3 photo (its preview 1600 x 1200) in a 1000 x 500 stage is drawn 666.7 x 500, with bands either side.
    const bounds = fittedBounds(1000, 500, 1600, 1200);
    expect(bounds.pictureWidth).toBeCloseTo(666.67, 1);
    expect(bounds.pictureHeight).toBe(500);
    const fit = { scale: 1, x: 0, y: 0 };
    expect(zoomTo(fit, 0.5, { x: 0, y: 0 }, bounds)).toEqual(fit);
    expect(zoomTo(fit, 100, { x: 0, y: 0 }, bounds).scale).toBe(MAX_ZOOM);
    // Twice, about a point 100 px right of centre and 50 below: that point stays under the pointer.
    const twice = zoomTo(fit, 2, { x: 100, y: 50 }, bounds);
    expect(twice).toEqual({ scale: 2, x: -100, y: -50 });
    // Twice as wide is 1333 px: 166.7 px either way to its edges; 1.2 times is narrower than the stage: none.
    expect(panBy(twice, -1000, 0, bounds).x).toBeCloseTo(-166.67, 1);
    expect(panBy(twice, 0, 1000, bounds).y).toBe(250);
    expect(clampView({ scale: 1.2, x: 80, y: 0 }, bounds).x).toBe(0);
    // Its own size: one pixel of the photo a pixel of the screen, at least twice the fit.
    expect(actualSize(bounds, 4000)).toBeCloseTo(6, 5);
    expect(actualSize(bounds, 800)).toBe(2);
  });

  it('fits a photo smaller than the stage at its own size, never enlarged, and still zooms it in (Note [Fitted, never enlarged])', () => {
    // A 400 x 225 screenshot in a 1200 x 700 stage: drawn 400 x 225, at 100%, not 1200 x 675.
    const small = fittedBounds(1200, 700, 400, 225, 400);
    expect([small.pictureWidth, small.pictureHeight]).toEqual([400, 225]);
    expect(zoomTo(FITTED, 3, { x: 0, y: 0 }, small).scale).toBe(3);
    expect(actualSize(small, 400)).toBe(2);
    // Its own size is the original's: a 1000 px preview of a 3000 px photo still fills the stage.
    expect(fittedBounds(1200, 700, 1000, 500, 3000).pictureWidth).toBe(1200);
    // Until the original's width is known, the preview is fitted as before.
    expect(fittedBounds(1200, 700, 400, 225).pictureWidth).toBe(1200);
  });

  it('zooms a photo far larger than the stage to its own pixels and past them (Note [Zoom reaches the pixels])', () => {
    // A 12,000 x 600 JPEG panorama (its preview 1600 x 80) in a 1280 x 700 stage: fitted 1280 px wide, its original shown zoomed in.
    const panorama = fittedBounds(1280, 700, 1600, 80, 12_000, 12_000);
    expect(panorama.pictureWidth).toBe(1280);
    expect(actualSize(panorama, 12_000)).toBeCloseTo(12_000 / 1280, 5);
    expect(zoomTo(FITTED, 1000, { x: 0, y: 0 }, panorama).scale).toBeCloseTo((2 * 12_000) / 1280, 5);
    // A photo near the stage's size keeps MAX_ZOOM.
    expect(zoomTo(FITTED, 1000, { x: 0, y: 0 }, fittedBounds(1280, 700, 1600, 900, 1600, 1600)).scale).toBe(MAX_ZOOM);
  });

  it('zooms a photo whose original the browser cannot draw (HEIC, TIFF) only as far as its preview’s pixels allow (Note [Zoom reaches the pixels])', () => {
    // The same panorama as a HEIC: its preview is all there is to see, and MAX_ZOOM is already past twice its pixels.
    const panorama = fittedBounds(1280, 700, 1600, 80, 12_000);
    expect(panorama.pictureWidth).toBe(1280);
    expect(zoomTo(FITTED, 1000, { x: 0, y: 0 }, panorama).scale).toBe(MAX_ZOOM);
    // A 6000 x 4500 HEIC (its preview 1600 x 1200) in a 300 x 200 stage, fitted 266.7 px wide: twice the preview's pixels, not the original's.
    const small = fittedBounds(300, 200, 1600, 1200, 6000);
    expect(zoomTo(FITTED, 1000, { x: 0, y: 0 }, small).scale).toBeCloseTo((2 * 1600) / small.pictureWidth, 5);
    // Its own size is still the original's, as far as the zoom goes.
    expect(actualSize(small, 6000)).toBe(small.maxScale);
  });

  it('provider names', () => {
    expect(providerLabel('cpu')).toBe('CPU');
    expect(providerLabel('something-new')).toBe('something-new');
    expect(isChoiceAvailable('auto', ['cpu'])).toBe(true);
    expect(isChoiceAvailable('gpu', ['cpu'])).toBe(false);
    expect(isChoiceAvailable('gpu', ['cpu', 'webgpu'])).toBe(true);
    expect(isChoiceAvailable('cuda', ['cpu'])).toBe(false);
  });
});

describe('a tag filter', () => {
  it('names the tag whatever the case or Unicode form it was written in (Note [One name, one tag])', () => {
    expect(filteredByTag({ ...EMPTY_FILTERS, tag: ' cafe\u0301 ' }, 'Caf\u00e9')).toBe(true);
    expect(filteredByTag({ ...EMPTY_FILTERS, tag: 'cafe' }, 'caf\u00e9')).toBe(false);
    expect(filteredByTag(EMPTY_FILTERS, '')).toBe(false);
  });
});

describe('a query as the window quotes it', () => {
  it('quotes words once, a quoted phrase alone with curly quotes, and cuts a long one between letters as read', () => {
    expect(quoteQuery('sunset')).toBe('“sunset”');
    expect(quoteQuery('"lisboa"')).toBe('“lisboa”');
    expect(isTextOnly('"lisboa"')).toBe(true);
    expect(quoteQuery('"lisboa" "porto"')).toBe('"lisboa" "porto"');
    expect(isTextOnly('"lisboa" "porto"')).toBe(false);
    expect(quoteQuery('a b c d', 4)).toBe('“a b…”');
    // A flag is two code points and a family five: neither is cut in half.
    expect(quoteQuery('🇵🇹🇵🇹🇵🇹', 2)).toBe('“🇵🇹…”');
    expect(quoteQuery('👨‍👩‍👧👨‍👩‍👧x', 2)).toBe('“👨‍👩‍👧…”');
  });
});

describe('the grid catching up with indexing (Note [Grid catches up at its own pace])', () => {
  it('waits in proportion to the last reload, counted from its end, and never less than the least', () => {
    // A small library reloads in a few milliseconds: the least wait.
    expect(catchUpDelay(20, 0, 1500)).toBe(1500);
    // 100k photos, half a second a reload: ten seconds apart, less the time gone since.
    expect(catchUpDelay(500, 0, 1500)).toBe(10_000);
    expect(catchUpDelay(500, 4000, 1500)).toBe(6000);
    expect(catchUpDelay(500, 60_000, 1500)).toBe(1500);
  });
});

describe('result pages (Note [Pages may overlap])', () => {
  const photos = (...ids: number[]) => ids.map((id) => ({ id, name: `IMG_${id}.jpg` }));

  it('asks for the next page from before the end of the last, to catch a photo that rose into it', () => {
    expect(nextPage(100, 200)).toEqual({ offset: 0, limit: 300 });
    expect(nextPage(300, 200)).toEqual({ offset: 200, limit: 300 });
    expect(nextPage(40, 200)).toEqual({ offset: 0, limit: 240 });
  });

  it('adds the photos of the next page not shown yet, in its order', () => {
    // Re-scored deeper, photo 4 rose into the span shown, pushing 3 down: asked from the start, it is caught.
    const shown = photos(1, 2, 3);
    expect(appendPage(shown, photos(1, 4, 2, 3, 5, 6)).map((photo) => photo.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(appendPage(shown, photos(2, 3))).toEqual(shown);
    expect(appendPage([], photos(7, 8)).map((photo) => photo.id)).toEqual([7, 8]);
  });
});

describe('another program indexing the library (Note [Another program indexing])', () => {
  const writer = (holder: string) => ({ pid: 20896, holder, doing: 'indexing', since: 0 });

  it('names it in words, without the backticks a terminal shows', () => {
    expect(otherIndexingText(writer('`lumen index`'))).toBe('Lumen’s command line (lumen index, process 20896) is indexing this library');
    expect(otherIndexingText(writer('the app'))).toBe('Lumen (the app, process 20896) is indexing this library');
  });
});

describe('the formats the window says Lumen indexes', () => {
  it('are those the indexer recognises, each named once', () => {
    // The indexer's formats are made from their names (main/library/photo-kinds.ts): a format cannot be added unnamed.
    expectTypeOf<keyof typeof FORMAT_NAMES>().toEqualTypeOf<ImageFormat>();
    // The search's type filter offers each, by the same names.
    expectTypeOf<(typeof PHOTO_FORMATS)[number]>().toEqualTypeOf<ImageFormat>();
    expect(FORMATS.map(formatName)).toEqual(Object.values(FORMAT_NAMES));
    const names = Object.values(FORMAT_NAMES);
    expect(new Set(names).size).toBe(names.length);
    expect(INDEXED_KINDS_TEXT).toBe('Lumen indexes photos in JPEG, PNG, GIF, WebP, AVIF, HEIC and TIFF; it leaves out videos, and camera RAW files for now.');
  });

  it('says what an index job passed over, per kind, and what Lumen indexes instead (Note [Nothing skipped silently])', () => {
    expect(notIndexedText({ raw: 1204, video: 37 })).toBe('1,204 RAW files and 37 videos were not indexed: Lumen indexes JPEG, PNG, GIF, WebP, AVIF, HEIC and TIFF.');
    expect(notIndexedText({ raw: 0, video: 1 })).toBe('1 video was not indexed: Lumen indexes JPEG, PNG, GIF, WebP, AVIF, HEIC and TIFF.');
    expect(notIndexedText({ raw: 1, video: 1 })).toMatch(/^1 RAW file and 1 video were not indexed/);
    expect(notIndexedText({ raw: 0, video: 0 })).toBeNull();
  });
});

describe("a tag's page after a verdict (Note [Verdicts keep the page's order])", () => {
  /** A timeline of `ids`, each photo's other columns derived from its id, so a mix-up shows. */
  const timeline = (ids: number[]) => ({ ids, ratios: ids.map((id) => id / 10), takenAt: ids.map((id) => id * 1000), names: ids.map((id) => `${id}.jpg`), folderIds: ids.map((id) => id % 3), versions: ids.map((id) => id + 100) });

  it('keeps the places of the photos still there, whatever order the engine now lists them in', () => {
    // 3 was confirmed: the engine lists confirmed photos first.
    expect(inPlace(timeline([1, 2, 3, 4]), timeline([3, 1, 2, 4]))).toEqual(timeline([1, 2, 3, 4]));
  });

  it('drops a photo that left and puts one that joined before the photo that follows it in the engine\'s order', () => {
    // 2 was rejected, 5 had its rejection withdrawn.
    expect(inPlace(timeline([1, 2, 3, 4]), timeline([1, 3, 5, 4]))).toEqual(timeline([1, 3, 5, 4]));
    expect(inPlace(timeline([4, 3, 1]), timeline([1, 5, 3, 4]))).toEqual(timeline([4, 5, 3, 1]));
  });

  it('puts photos that joined after every photo still there at the end', () => {
    expect(inPlace(timeline([2, 1]), timeline([1, 2, 7, 8]))).toEqual(timeline([2, 1, 7, 8]));
    expect(inPlace(timeline([]), timeline([7, 8]))).toEqual(timeline([7, 8]));
  });
});
