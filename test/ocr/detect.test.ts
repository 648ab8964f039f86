import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boxesFromProbabilityMap, scaleBox } from '../../main/ocr/detect.js';
import { bounds, minAreaRect, orientAlongText } from '../../main/ocr/geometry.js';

/** A probability map with `value` inside rotated rectangles (pixel centres tested), 0 elsewhere. */
function mapWith(width: number, height: number, rects: Array<{ cx: number; cy: number; w: number; h: number; degrees: number; value?: number }>): Float32Array {
  const map = new Float32Array(width * height);
  for (const r of rects) {
    const a = (r.degrees * Math.PI) / 180;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const dx = x + 0.5 - r.cx;
        const dy = y + 0.5 - r.cy;
        const u = dx * Math.cos(a) + dy * Math.sin(a);
        const v = -dx * Math.sin(a) + dy * Math.cos(a);
        if (Math.abs(u) <= r.w / 2 && Math.abs(v) <= r.h / 2) map[y * width + x] = r.value ?? 0.9;
      }
    }
  }
  return map;
}

const degrees = (radians: number) => (radians * 180) / Math.PI;

describe('geometry', () => {
  it('fits the minimum-area rectangle of a rotated rectangle’s corners', () => {
    const a = (20 * Math.PI) / 180;
    const corners = [[-50, -10], [50, -10], [50, 10], [-50, 10]].map(([u, v]) => ({ x: 200 + u! * Math.cos(a) - v! * Math.sin(a), y: 100 + u! * Math.sin(a) + v! * Math.cos(a) }));
    const rect = orientAlongText(minAreaRect([...corners, { x: 200, y: 100 }]));
    expect(rect.width).toBeCloseTo(100, 6);
    expect(rect.height).toBeCloseTo(20, 6);
    expect(degrees(rect.angle)).toBeCloseTo(20, 6);
    expect(rect.cx).toBeCloseTo(200, 6);
    expect(rect.cy).toBeCloseTo(100, 6);
  });

  it('describes a rectangle by the side nearest to horizontal, whichever is longer', () => {
    const tall = orientAlongText({ cx: 0, cy: 0, width: 10, height: 80, angle: Math.PI / 2 + 0.1 });
    expect(tall.angle).toBeCloseTo(0.1, 9);
    expect(tall.width).toBe(80);
    expect(tall.height).toBe(10);
    expect(bounds({ cx: 10, cy: 20, width: 8, height: 4, angle: 0 })).toEqual([6, 18, 8, 4]);
  });
});

describe('DB post-processing', () => {
  it('finds a level line, grown back by the unclip offset', () => {
    const map = mapWith(200, 80, [{ cx: 100, cy: 40, w: 120, h: 16, degrees: 0 }]);
    const [box, ...rest] = boxesFromProbabilityMap(map, 200, 80);
    expect(rest).toEqual([]);
    // d = area * 1.5 / perimeter = 120 * 16 * 1.5 / 272
    const d = (120 * 16 * 1.5) / 272;
    expect(box!.rect.width).toBeCloseTo(120 + 2 * d, 6);
    expect(box!.rect.height).toBeCloseTo(16 + 2 * d, 6);
    expect(box!.rect.cx).toBeCloseTo(100, 6);
    expect(box!.rect.cy).toBeCloseTo(40, 6);
    expect(box!.score).toBeCloseTo(0.9, 5);
  });

  it('keeps the tilt of a tilted line', () => {
    fc.assert(
      fc.property(fc.double({ min: -30, max: 30, noNaN: true }), fc.integer({ min: 80, max: 160 }), fc.integer({ min: 12, max: 24 }), (tilt, w, h) => {
        const map = mapWith(240, 160, [{ cx: 120, cy: 80, w, h, degrees: tilt }]);
        const boxes = boxesFromProbabilityMap(map, 240, 160, { unclipRatio: 0 });
        expect(boxes).toHaveLength(1);
        expect(Math.abs(degrees(boxes[0]!.rect.angle) - tilt)).toBeLessThan(2.5);
        expect(Math.abs(boxes[0]!.rect.width - w)).toBeLessThan(3);
        expect(Math.abs(boxes[0]!.rect.height - h)).toBeLessThan(3);
      }),
      { numRuns: 40, seed: 42 },
    );
  });

  it('separates lines, and drops specks and faint components', () => {
    const map = mapWith(300, 200, [
      { cx: 100, cy: 40, w: 150, h: 14, degrees: 0 },
      { cx: 150, cy: 100, w: 200, h: 20, degrees: 3 },
      { cx: 250, cy: 170, w: 2, h: 2, degrees: 0 },
      { cx: 80, cy: 170, w: 60, h: 14, degrees: 0, value: 0.45 },
    ]);
    const boxes = boxesFromProbabilityMap(map, 300, 200);
    expect(boxes.map((box) => Math.round(box.rect.cy))).toEqual([100, 40]);
    expect(boxesFromProbabilityMap(map, 300, 200, { boxThreshold: 0.4 })).toHaveLength(3);
  });

  it('finds nothing in an empty map', () => {
    expect(boxesFromProbabilityMap(new Float32Array(64 * 64), 64, 64)).toEqual([]);
  });

  it('scales boxes from the map to the photo, keeping a tilt under uneven scaling', () => {
    const scaled = scaleBox({ cx: 50, cy: 20, width: 40, height: 10, angle: 0 }, 100, 40, 300, 80);
    expect(scaled).toMatchObject({ cx: 150, cy: 40, width: 120, height: 20 });
    const tilted = scaleBox({ cx: 0, cy: 0, width: 100, height: 10, angle: Math.atan2(1, 10) }, 100, 100, 200, 100);
    expect(degrees(tilted.angle)).toBeCloseTo(degrees(Math.atan2(1, 20)), 6);
  });
});
