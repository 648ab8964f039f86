/**
 * Boxes read one by one, put together as a person reads them.
 *
 * Note [Lines from boxes]: the detector separates words whose gap looks wide to it (large type,
 * letter-spaced signs), so one printed line can come back as several boxes: "RELLOSO" and
 * "ticket". Boxes on the same row (each one's centre within half a line height of the other's
 * axis), of similar height and tilt, whose facing edges are closer than `MERGE_GAP` line
 * heights, are joined into one line with a space. Rows are ordered top to bottom, boxes left to
 * right along the row's own tilt.
 */
import type { RotatedRect } from './geometry.js';

export interface ReadLine {
  text: string;
  confidence: number;
  rect: RotatedRect;
}

const MERGE_GAP = 0.8;
const MAX_HEIGHT_RATIO = 1.5;
const MAX_TILT_DIFFERENCE = (5 * Math.PI) / 180;

/** Position of `rect`'s centre along (u) and across (v) `frame`'s axis, from `frame`'s centre. */
function inFrame(frame: RotatedRect, x: number, y: number): { u: number; v: number } {
  const dx = x - frame.cx;
  const dy = y - frame.cy;
  const cos = Math.cos(frame.angle);
  const sin = Math.sin(frame.angle);
  return { u: dx * cos + dy * sin, v: -dx * sin + dy * cos };
}

function sameRow(a: RotatedRect, b: RotatedRect): boolean {
  return Math.abs(inFrame(a, b.cx, b.cy).v) < Math.min(a.height, b.height) / 2;
}

function joinable(a: RotatedRect, b: RotatedRect): boolean {
  if (a.height > a.width || b.height > b.width) return false;
  if (Math.max(a.height, b.height) > MAX_HEIGHT_RATIO * Math.min(a.height, b.height)) return false;
  if (Math.abs(a.angle - b.angle) > MAX_TILT_DIFFERENCE) return false;
  const gap = inFrame(a, b.cx, b.cy).u - a.width / 2 - b.width / 2;
  return gap < MERGE_GAP * Math.min(a.height, b.height);
}

/** The rectangle along `a`'s axis that covers both `a` and `b`. */
function cover(a: RotatedRect, b: RotatedRect): RotatedRect {
  const centre = inFrame(a, b.cx, b.cy);
  const u0 = Math.min(-a.width / 2, centre.u - b.width / 2);
  const u1 = Math.max(a.width / 2, centre.u + b.width / 2);
  const v0 = Math.min(-a.height / 2, centre.v - b.height / 2);
  const v1 = Math.max(a.height / 2, centre.v + b.height / 2);
  const cu = (u0 + u1) / 2;
  const cv = (v0 + v1) / 2;
  const cos = Math.cos(a.angle);
  const sin = Math.sin(a.angle);
  return { cx: a.cx + cu * cos - cv * sin, cy: a.cy + cu * sin + cv * cos, width: u1 - u0, height: v1 - v0, angle: a.angle };
}

/** See Note [Lines from boxes]. */
export function assembleLines(lines: readonly ReadLine[]): ReadLine[] {
  const rows: ReadLine[][] = [];
  for (const line of [...lines].sort((a, b) => a.rect.cy - b.rect.cy)) {
    const row = rows.find((candidate) => sameRow((candidate[0] as ReadLine).rect, line.rect));
    if (row) row.push(line);
    else rows.push([line]);
  }
  return rows.flatMap((row) => {
    const anchor = (row[0] as ReadLine).rect;
    const sorted = row.sort((a, b) => inFrame(anchor, a.rect.cx, a.rect.cy).u - inFrame(anchor, b.rect.cx, b.rect.cy).u);
    const joined: ReadLine[] = [];
    for (const line of sorted) {
      const last = joined.at(-1);
      if (last && joinable(last.rect, line.rect)) {
        const chars = [...last.text].length + [...line.text].length;
        joined[joined.length - 1] = {
          text: `${last.text} ${line.text}`,
          confidence: (last.confidence * [...last.text].length + line.confidence * [...line.text].length) / chars,
          rect: cover(last.rect, line.rect),
        };
      } else {
        joined.push(line);
      }
    }
    return joined;
  });
}
