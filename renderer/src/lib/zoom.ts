/**
 * Note [Viewer zoom]: the viewer's photo is scaled about the stage's centre and moved by a
 * translation, both in screen pixels; scale 1 fits the whole photo in the stage. A zoom keeps
 * the point under the pointer (or the stage's centre, from the keyboard) where it is, and the
 * photo never moves further than its edges allow, so it cannot be lost off screen. Past the
 * preview's own pixels the original is shown, where the browser can draw its format.
 *
 * Note [Fitted, never enlarged]: "fit" shrinks a photo larger than the stage until it fits, but
 * never enlarges a smaller one past its own pixels: a 400 px screenshot is drawn 400 px wide at
 * 100%, sharp and centred, not blown up soft to fill a large screen. Zooming in still enlarges
 * it. Its own size is the original's width once known; the preview is no measure of it, having
 * at most PREVIEW_SIDE pixels (main/library/thumbnails.ts), fewer than a large photo's.
 *
 * Note [Zoom reaches the pixels]: zoom stops at MAX_ZOOM times the fit, or at twice the pixels
 * there are to show where that is further: counted from the fit alone, a 12,000 px panorama
 * fitted in a laptop's window stopped near 60%, its detail out of reach. Those are the original's
 * pixels where the browser draws its format, else the preview's: a HEIC or TIFF is only ever seen
 * through its preview, which zoom took to twice the original's pixels, blown up soft.
 */

export interface ZoomView {
  scale: number;
  /** The photo's shift from the stage's centre, in screen pixels. */
  x: number;
  y: number;
}

/** The stage, and the photo fitted in it (`object-fit: contain`), in screen pixels. */
export interface ZoomBounds {
  width: number;
  height: number;
  pictureWidth: number;
  pictureHeight: number;
  /** The largest scale (Note [Zoom reaches the pixels]). */
  maxScale: number;
}

export const FITTED: ZoomView = { scale: 1, x: 0, y: 0 };
/** The largest scale, unless the photo's own pixels lie further (Note [Zoom reaches the pixels]). */
export const MAX_ZOOM = 8;
/** One press of a zoom key or button. */
export const ZOOM_STEP = 1.5;

/**
 * The size of a `naturalWidth` x `naturalHeight` picture (the preview) fitted in a `width` x
 * `height` stage, and never drawn wider than `ownWidth`, its original's width in pixels (Note
 * [Fitted, never enlarged]); zoomed in as far as MAX_ZOOM, or twice `shownWidth` where further:
 * the width of the sharpest picture of it the viewer shows, the original's where its format is
 * drawn, else the preview's (Note [Zoom reaches the pixels]).
 */
export function fittedBounds(width: number, height: number, naturalWidth: number, naturalHeight: number, ownWidth: number | null = null, shownWidth = naturalWidth): ZoomBounds {
  const ownFit = ownWidth && ownWidth > 0 ? ownWidth / naturalWidth : Infinity;
  const fit = naturalWidth > 0 && naturalHeight > 0 ? Math.min(width / naturalWidth, height / naturalHeight, ownFit) : 0;
  const pictureWidth = naturalWidth * fit;
  const shownPixels = pictureWidth > 0 ? shownWidth / pictureWidth : 0;
  return { width, height, pictureWidth, pictureHeight: naturalHeight * fit, maxScale: Math.max(MAX_ZOOM, 2 * shownPixels) };
}

/** The shift `value` kept within `limit` either way (and never -0). */
function within(value: number, limit: number): number {
  return Math.min(limit, Math.max(-limit, value)) + 0;
}

/** `view` with its scale between fitted and the largest and its shift within the photo's edges. */
export function clampView(view: ZoomView, bounds: ZoomBounds): ZoomView {
  const scale = Math.min(bounds.maxScale, Math.max(1, view.scale));
  return {
    scale,
    x: within(view.x, Math.max(0, (scale * bounds.pictureWidth - bounds.width) / 2)),
    y: within(view.y, Math.max(0, (scale * bounds.pictureHeight - bounds.height) / 2)),
  };
}

/** `view` zoomed to `scale`, the point `at` (from the stage's centre) staying where it is. */
export function zoomTo(view: ZoomView, scale: number, at: { x: number; y: number }, bounds: ZoomBounds): ZoomView {
  const target = Math.min(bounds.maxScale, Math.max(1, scale));
  const ratio = target / view.scale;
  return clampView({ scale: target, x: at.x - ratio * (at.x - view.x), y: at.y - ratio * (at.y - view.y) }, bounds);
}

/** `view` moved by `dx`, `dy` screen pixels, as far as the photo's edges allow. */
export function panBy(view: ZoomView, dx: number, dy: number, bounds: ZoomBounds): ZoomView {
  return clampView({ ...view, x: view.x + dx, y: view.y + dy }, bounds);
}

/** The scale at which one pixel of a photo `width` pixels wide is one screen pixel (at least twice the fit). */
export function actualSize(bounds: ZoomBounds, width: number): number {
  return bounds.pictureWidth > 0 ? Math.min(bounds.maxScale, Math.max(2, width / bounds.pictureWidth)) : 2;
}
