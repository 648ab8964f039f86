import { describe, expect, it } from 'vitest';
import { REC_HEIGHT, alphabetFromKeys, ctcGreedyDecode, readingRect, sampleStrip, stripWidth } from '../../main/ocr/recognize.js';

const alphabet = alphabetFromKeys('h\ne\nl\no\n東\n京\n');
const SPACE = alphabet.length - 1;

/** Per-step probabilities: each step puts `p` on its class and spreads the rest over blank, or sets the space class. */
function steps(classes: Array<number | { c: number; p?: number; space?: number }>): Float32Array {
  const n = alphabet.length;
  const probs = new Float32Array(classes.length * n);
  classes.forEach((step, t) => {
    const { c, p = 0.9, space = 0 } = typeof step === 'number' ? { c: step } : step;
    probs[t * n + c] = p;
    if (c !== 0) probs[t * n] = 1 - p;
    else probs[t * n] = 1 - space;
    if (c === 0) probs[t * n + SPACE] = space;
  });
  return probs;
}

describe('CTC greedy decoding', () => {
  it('reads blank, then one class per character line, then a space', () => {
    expect(alphabet).toEqual(['', 'h', 'e', 'l', 'o', '東', '京', ' ']);
    expect(alphabetFromKeys('a\r\nb')).toEqual(['', 'a', 'b', ' ']);
  });

  it('merges repeats and needs a blank between doubled letters', () => {
    const probs = steps([0, 1, 1, 2, 0, 3, 3, 0, 3, 4, 4, 0]);
    expect(ctcGreedyDecode(probs, 0, 12, alphabet.length, alphabet).text).toBe('hello');
  });

  it('reports the mean probability of the characters kept, 0 for none', () => {
    const probs = steps([{ c: 1, p: 0.8 }, 0, { c: 2, p: 0.6 }]);
    expect(ctcGreedyDecode(probs, 0, 3, alphabet.length, alphabet).confidence).toBeCloseTo(0.7, 6);
    expect(ctcGreedyDecode(steps([0, 0]), 0, 2, alphabet.length, alphabet)).toEqual({ text: '', confidence: 0 });
  });

  it('decodes one item of a batch by its offset', () => {
    const first = steps([1, 0]);
    const second = steps([4, 0]);
    const batch = new Float32Array([...first, ...second]);
    expect(ctcGreedyDecode(batch, first.length, 2, alphabet.length, alphabet).text).toBe('o');
  });

  it('puts back a space where the gap’s space probability rises, but not between CJK characters', () => {
    const gap = (space: number) => steps([1, 0, { c: 0, space }, 0, 4]);
    expect(ctcGreedyDecode(gap(0.05), 0, 5, alphabet.length, alphabet).text).toBe('h o');
    expect(ctcGreedyDecode(gap(0.002), 0, 5, alphabet.length, alphabet).text).toBe('ho');
    expect(ctcGreedyDecode(steps([5, { c: 0, space: 0.2 }, 6]), 0, 3, alphabet.length, alphabet).text).toBe('東京');
    expect(ctcGreedyDecode(steps([1, SPACE, { c: 0, space: 0.2 }, 4]), 0, 4, alphabet.length, alphabet).text).toBe('h o');
  });
});

describe('strips', () => {
  it('reads a tall box top to bottom', () => {
    const column = readingRect({ cx: 10, cy: 50, width: 20, height: 90, angle: 0 });
    expect(column).toMatchObject({ width: 90, height: 20 });
    expect(column.angle).toBeCloseTo(Math.PI / 2, 9);
    expect(stripWidth({ cx: 0, cy: 0, width: 200, height: 24, angle: 0 })).toBe(400);
    expect(stripWidth({ cx: 0, cy: 0, width: 5, height: 24, angle: 0 })).toBe(231);
    expect(stripWidth({ cx: 0, cy: 0, width: 4000, height: 10, angle: 0 })).toBe(REC_HEIGHT * 50);
  });

  it('samples a rotated box along its own axes', () => {
    // An image whose left half is black and right half white; a box rotated by 180 degrees reads it mirrored.
    const width = 64;
    const height = 32;
    const data = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) for (let x = width / 2; x < width; x++) data.fill(255, (y * width + x) * 3, (y * width + x) * 3 + 3);
    const image = { data, width, height };
    const read = (angle: number) => {
      const tensor = new Float32Array(3 * REC_HEIGHT * 96);
      sampleStrip(image, { cx: 32, cy: 16, width: 48, height: 24, angle }, tensor, 0, 96, 96);
      return [tensor[REC_HEIGHT * 48], tensor[REC_HEIGHT * 48 + 95]];
    };
    expect(read(0)).toEqual([-1, 1]);
    const [left, right] = read(Math.PI);
    expect(left).toBeCloseTo(1, 6);
    expect(right).toBeCloseTo(-1, 6);
  });
});
