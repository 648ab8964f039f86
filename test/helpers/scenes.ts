/**
 * Coloured-shape scenes drawn as SVG by sharp: the fixture model's own world (it was trained on
 * such pictures), in any number, for labelled sets in tests and benchmarks. Seeded, so a set is
 * the same on every run.
 */
import sharp from 'sharp';
import { COLOURS, SHAPES } from './fixtures.js';

export type Shape = (typeof SHAPES)[number];
export type Colour = (typeof COLOURS)[number];

const RGB: Record<string, string> = {
  red: '#dc2323',
  green: '#23a537',
  blue: '#2346e1',
  yellow: '#f5d71e',
  purple: '#8c37b9',
  orange: '#fa8714',
  white: '#f5f5f5',
  black: '#141414',
  grey: '#808080',
  pink: '#f5a0c3',
  brown: '#7d502d',
  teal: '#198787',
};
export const BACKGROUNDS = ['grey', 'pink', 'brown', 'teal', ...COLOURS] as const;

export interface SceneObject {
  shape: Shape;
  colour: Colour;
  /** Centre and radius as fractions of the shorter side. */
  cx: number;
  cy: number;
  r: number;
  degrees: number;
}

export interface Scene {
  width: number;
  height: number;
  background: string;
  texture: 'plain' | 'striped' | 'dotted';
  objects: SceneObject[];
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)] as T;
}

/** `count` objects that do not overlap, placed at random. */
export function placeObjects(next: () => number, kinds: ReadonlyArray<{ shape: Shape; colour: Colour }>): SceneObject[] {
  const objects: SceneObject[] = [];
  const big = kinds.length === 1;
  for (const kind of kinds) {
    let object: SceneObject | null = null;
    for (let attempt = 0; attempt < 200 && !object; attempt++) {
      const r = big ? 0.17 + next() * 0.13 : 0.1 + next() * 0.06;
      const margin = r * 1.2 + 0.02;
      const candidate = { ...kind, cx: margin + next() * (1 - 2 * margin), cy: margin + next() * (1 - 2 * margin), r, degrees: next() * 360 };
      if (objects.every((o) => Math.hypot(o.cx - candidate.cx, o.cy - candidate.cy) > (o.r + r) * 1.25)) object = candidate;
    }
    if (object) objects.push(object);
  }
  return objects;
}

/** A random scene: one to three objects on a plain or textured background of another colour. */
export function randomScene(next: () => number, kinds?: ReadonlyArray<{ shape: Shape; colour: Colour }>): Scene {
  const count = kinds?.length ?? (next() < 0.45 ? 1 : 2 + Math.floor(next() * 2));
  const chosen = kinds ?? Array.from({ length: count }, () => ({ shape: pick(next, SHAPES), colour: pick(next, COLOURS) }));
  const used = new Set(chosen.map((kind) => kind.colour as string));
  const width = 240 + Math.floor(next() * 160);
  return {
    width,
    height: Math.round(width * (0.65 + next() * 0.35)),
    background: pick(next, BACKGROUNDS.filter((c) => !used.has(c))),
    texture: pick(next, ['plain', 'plain', 'striped', 'dotted'] as const),
    objects: placeObjects(next, chosen),
  };
}

function points(object: SceneObject, x: number, y: number, r: number): string {
  const star = (k: number) => (k % 2 === 0 ? 1.15 : 0.5);
  const outline: Record<Exclude<Shape, 'circle'>, Array<[number, number]>> = {
    square: [0, 1, 2, 3].map((k) => [1.2 * Math.cos(Math.PI / 4 + (k * Math.PI) / 2), 1.2 * Math.sin(Math.PI / 4 + (k * Math.PI) / 2)]),
    triangle: [0, 1, 2].map((k) => [1.15 * Math.cos(-Math.PI / 2 + (k * 2 * Math.PI) / 3), 1.15 * Math.sin(-Math.PI / 2 + (k * 2 * Math.PI) / 3)]),
    star: Array.from({ length: 10 }, (_, k) => [star(k) * Math.cos(-Math.PI / 2 + (k * Math.PI) / 5), star(k) * Math.sin(-Math.PI / 2 + (k * Math.PI) / 5)]),
    cross: [[0.34, 1.05], [0.34, 0.34], [1.05, 0.34], [1.05, -0.34], [0.34, -0.34], [0.34, -1.05], [-0.34, -1.05], [-0.34, -0.34], [-1.05, -0.34], [-1.05, 0.34], [-0.34, 0.34], [-0.34, 1.05]],
  };
  const angle = (object.degrees * Math.PI) / 180;
  return (outline[object.shape as Exclude<Shape, 'circle'>] ?? [])
    .map(([px, py]) => `${(x + r * (px * Math.cos(angle) - py * Math.sin(angle))).toFixed(1)},${(y + r * (px * Math.sin(angle) + py * Math.cos(angle))).toFixed(1)}`)
    .join(' ');
}

/** The scene as a JPEG. */
export async function renderScene(scene: Scene): Promise<Buffer> {
  const { width, height } = scene;
  const side = Math.min(width, height);
  const ox = (width - side) / 2;
  const oy = (height - side) / 2;
  const pattern =
    scene.texture === 'striped'
      ? '<pattern id="t" width="16" height="16" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="8" height="16" fill="#000" fill-opacity="0.25"/></pattern>'
      : '<pattern id="t" width="16" height="16" patternUnits="userSpaceOnUse"><circle cx="8" cy="8" r="4" fill="#fff" fill-opacity="0.35"/></pattern>';
  const shapes = scene.objects.map((object) => {
    const x = ox + object.cx * side;
    const y = oy + object.cy * side;
    const r = object.r * side;
    const fill = RGB[object.colour];
    return object.shape === 'circle' ? `<circle cx="${x}" cy="${y}" r="${r}" fill="${fill}"/>` : `<polygon points="${points(object, x, y, r)}" fill="${fill}"/>`;
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs>${pattern}</defs>
    <rect width="100%" height="100%" fill="${RGB[scene.background]}"/>${scene.texture === 'plain' ? '' : '<rect width="100%" height="100%" fill="url(#t)"/>'}
    ${shapes.join('')}</svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 92 }).toBuffer();
}
