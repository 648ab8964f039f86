/**
 * Plane geometry for text boxes: convex hulls and minimum-area rotated rectangles.
 */

export interface Point {
  x: number;
  y: number;
}

/**
 * A rotated rectangle: `width` runs along `angle` (radians, in (-pi/4, pi/4] once oriented by
 * `orientAlongText`), `height` across it.
 */
export interface RotatedRect {
  cx: number;
  cy: number;
  width: number;
  height: number;
  angle: number;
}

const cross = (o: Point, a: Point, b: Point): number => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);

/** Convex hull by Andrew's monotone chain, counter-clockwise, without collinear points. */
export function convexHull(points: readonly Point[]): Point[] {
  const sorted = [...points].sort((a, b) => a.x - b.x || a.y - b.y);
  if (sorted.length <= 2) return sorted;
  const lower: Point[] = [];
  for (const p of sorted) {
    while (lower.length >= 2 && cross(lower.at(-2) as Point, lower.at(-1) as Point, p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Point[] = [];
  for (let i = sorted.length - 1; i >= 0; i--) {
    const p = sorted[i] as Point;
    while (upper.length >= 2 && cross(upper.at(-2) as Point, upper.at(-1) as Point, p) <= 0) upper.pop();
    upper.push(p);
  }
  return [...lower.slice(0, -1), ...upper.slice(0, -1)];
}

/**
 * The smallest-area rectangle around `points`: one of its sides lies along an edge of the convex
 * hull, so trying each hull edge's direction finds it.
 */
export function minAreaRect(points: readonly Point[]): RotatedRect {
  const hull = convexHull(points);
  if (hull.length === 0) return { cx: 0, cy: 0, width: 0, height: 0, angle: 0 };
  let best: RotatedRect | null = null;
  let bestArea = Number.POSITIVE_INFINITY;
  const directions = hull.length === 1 ? [0] : hull.map((p, i) => {
    const q = hull[(i + 1) % hull.length] as Point;
    return Math.atan2(q.y - p.y, q.x - p.x);
  });
  for (const angle of directions) {
    const ux = Math.cos(angle);
    const uy = Math.sin(angle);
    let minU = Infinity, maxU = -Infinity, minV = Infinity, maxV = -Infinity;
    for (const p of hull) {
      const u = p.x * ux + p.y * uy;
      const v = -p.x * uy + p.y * ux;
      minU = Math.min(minU, u);
      maxU = Math.max(maxU, u);
      minV = Math.min(minV, v);
      maxV = Math.max(maxV, v);
    }
    const area = (maxU - minU) * (maxV - minV);
    if (area < bestArea - 1e-9) {
      bestArea = area;
      const cu = (minU + maxU) / 2;
      const cv = (minV + maxV) / 2;
      best = { cx: cu * ux - cv * uy, cy: cu * uy + cv * ux, width: maxU - minU, height: maxV - minV, angle };
    }
  }
  return best as RotatedRect;
}

/**
 * The same rectangle described with its angle in (-pi/4, pi/4]: text is read along the side
 * nearest to horizontal, whichever side is longer (a tall box is vertical text, see recognize.ts).
 */
export function orientAlongText(rect: RotatedRect): RotatedRect {
  let { width, height, angle } = rect;
  angle = Math.atan2(Math.sin(angle), Math.cos(angle));
  while (angle > Math.PI / 4) {
    angle -= Math.PI / 2;
    [width, height] = [height, width];
  }
  while (angle <= -Math.PI / 4) {
    angle += Math.PI / 2;
    [width, height] = [height, width];
  }
  return { ...rect, width, height, angle };
}

/** Corners in reading order: top-left, top-right, bottom-right, bottom-left. */
export function corners(rect: RotatedRect): [Point, Point, Point, Point] {
  const ux = Math.cos(rect.angle);
  const uy = Math.sin(rect.angle);
  const hw = rect.width / 2;
  const hh = rect.height / 2;
  const at = (a: number, b: number): Point => ({ x: rect.cx + a * ux - b * uy, y: rect.cy + a * uy + b * ux });
  return [at(-hw, -hh), at(hw, -hh), at(hw, hh), at(-hw, hh)];
}

/** Axis-aligned bounds [x, y, w, h] of a rotated rectangle. */
export function bounds(rect: RotatedRect): [number, number, number, number] {
  const points = corners(rect);
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return [x, y, Math.max(...xs) - x, Math.max(...ys) - y];
}
