import { describe, expect, it } from 'vitest';
import type { RotatedRect } from '../../main/ocr/geometry.js';
import { assembleLines, type ReadLine } from '../../main/ocr/lines.js';

const rect = (cx: number, cy: number, width: number, height = 40, degrees = 0): RotatedRect => ({ cx, cy, width, height, angle: (degrees * Math.PI) / 180 });
const line = (text: string, r: RotatedRect, confidence = 0.9): ReadLine => ({ text, confidence, rect: r });

describe('assembling lines', () => {
  it('orders rows top to bottom and boxes left to right', () => {
    const lines = assembleLines([line('second', rect(100, 200, 120)), line('right', rect(500, 50, 100)), line('left', rect(100, 52, 100))]);
    expect(lines.map((l) => l.text)).toEqual(['left', 'right', 'second']);
  });

  it('joins words the detector split apart, keeping the tilt and weighting confidence by characters', () => {
    // Two words on a line tilted by 5 degrees, 20 px apart along it.
    const a = (5 * Math.PI) / 180;
    const along = (u: number) => ({ x: 300 + u * Math.cos(a), y: 200 + u * Math.sin(a) });
    const first = along(-110);
    const second = along(80);
    const [joined, ...rest] = assembleLines([line('ticket', rect(second.x, second.y, 140, 40, 5), 0.6), line('RELLOSO', rect(first.x, first.y, 200, 40, 5), 1)]);
    expect(rest).toEqual([]);
    expect(joined!.text).toBe('RELLOSO ticket');
    expect(joined!.confidence).toBeCloseTo((7 * 1 + 6 * 0.6) / 13, 9);
    expect(joined!.rect.width).toBeCloseTo(360, 6);
    expect(joined!.rect.height).toBeCloseTo(40, 6);
    expect(joined!.rect.angle).toBeCloseTo(a, 9);
  });

  it('keeps apart what is far apart, of another size, or another tilt', () => {
    const texts = (lines: ReadLine[]) => assembleLines(lines).map((l) => l.text);
    expect(texts([line('Total', rect(100, 100, 100)), line('42.50', rect(400, 100, 100))])).toEqual(['Total', '42.50']);
    expect(texts([line('TITLE', rect(100, 100, 100, 70)), line('small', rect(170, 105, 20, 30))])).toEqual(['TITLE', 'small']);
    expect(texts([line('a', rect(100, 100, 100, 40, 0)), line('b', rect(210, 100, 100, 40, 10))])).toEqual(['a', 'b']);
  });
});
