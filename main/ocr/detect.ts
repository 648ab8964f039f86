/**
 * Text detection: the PP-OCRv4 detector's probability map, turned into rotated text boxes.
 *
 * Note [DB post-processing]: the detector (a Differentiable Binarization network) outputs, per
 * pixel, the probability of lying inside a *shrunk* text region. Boxes come from thresholding
 * that map, taking 8-connected components, fitting each one's minimum-area rotated rectangle and
 * growing it back by the DB paper's unclip offset `d = area * ratio / perimeter` (for a
 * rectangle, offsetting the polygon and refitting gives the same rectangle). A component is kept
 * when its mean probability reaches `boxThreshold` and it is not a speck. Boxes are rotated, not
 * axis-aligned: photos of signs and pages are rarely level, and a tilted line cropped upright
 * would run diagonally through the recogniser's 48-pixel-high strip.
 */
import sharp from 'sharp';
import { minAreaRect, orientAlongText, type Point, type RotatedRect } from './geometry.js';

/** Interleaved 8-bit RGB pixels of an upright image. */
export interface RawImage {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface DetectionOptions {
  /** Probability above which a pixel is text. */
  threshold?: number;
  /** Mean probability a component needs to count as text. */
  boxThreshold?: number;
  unclipRatio?: number;
  /** Shortest side, in map pixels, of a component before growing it. */
  minSize?: number;
  maxBoxes?: number;
}

export interface DetectedBox {
  rect: RotatedRect;
  /** Mean probability over the component. */
  score: number;
}

const DEFAULTS: Required<DetectionOptions> = { threshold: 0.3, boxThreshold: 0.6, unclipRatio: 1.5, minSize: 3, maxBoxes: 1000 };

/** PaddleOCR's detector normalisation (ImageNet statistics, applied to BGR as it was trained). */
const DET_MEAN = [0.406, 0.456, 0.485];
const DET_STD = [0.225, 0.224, 0.229];

/** Largest multiple of 32 no greater than `side` scaled, and at least 32. */
function multipleOf32(side: number): number {
  return Math.max(32, Math.round(side / 32) * 32);
}

/**
 * The detector's input for `image`: scaled (never up) so its long side is at most `maxSide`,
 * each side rounded to a multiple of 32 as the network's strides need; CHW, BGR, normalised.
 */
export async function detectionInput(image: RawImage, maxSide: number): Promise<{ tensor: Float32Array; width: number; height: number }> {
  const scale = Math.min(1, maxSide / Math.max(image.width, image.height));
  const width = multipleOf32(image.width * scale);
  const height = multipleOf32(image.height * scale);
  const pixels = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(width, height, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer();
  const plane = width * height;
  const tensor = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    const source = 2 - c;
    const scaleC = 1 / (255 * (DET_STD[c] as number));
    const offset = (DET_MEAN[c] as number) / (DET_STD[c] as number);
    for (let i = 0; i < plane; i++) tensor[c * plane + i] = (pixels[i * 3 + source] as number) * scaleC - offset;
  }
  return { tensor, width, height };
}

/**
 * Text boxes in `map` (row-major probabilities, `width` x `height`), in map pixel coordinates
 * where pixel (x, y) covers [x, x+1) x [y, y+1). See Note [DB post-processing].
 */
export function boxesFromProbabilityMap(map: Float32Array, width: number, height: number, options: DetectionOptions = {}): DetectedBox[] {
  const o = { ...DEFAULTS, ...options };
  const labels = new Uint8Array(width * height);
  const stack = new Int32Array(width * height);
  const rowMin = new Int32Array(height).fill(-1);
  const rowMax = new Int32Array(height);
  const boxes: DetectedBox[] = [];
  for (let start = 0; start < map.length; start++) {
    if (labels[start] || (map[start] as number) <= o.threshold) continue;
    labels[start] = 1;
    let top = 0;
    stack[top++] = start;
    let count = 0;
    let sum = 0;
    const rows: number[] = [];
    while (top > 0) {
      const index = stack[--top] as number;
      const x = index % width;
      const y = (index - x) / width;
      count++;
      sum += map[index] as number;
      if (rowMin[y] === -1) {
        rows.push(y);
        rowMin[y] = x;
        rowMax[y] = x;
      } else {
        rowMin[y] = Math.min(rowMin[y] as number, x);
        rowMax[y] = Math.max(rowMax[y] as number, x);
      }
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const next = ny * width + nx;
          if (labels[next] || (map[next] as number) <= o.threshold) continue;
          labels[next] = 1;
          stack[top++] = next;
        }
      }
    }
    const extents: Point[] = [];
    for (const y of rows) {
      const left = rowMin[y] as number;
      const right = (rowMax[y] as number) + 1;
      extents.push({ x: left, y }, { x: right, y }, { x: left, y: y + 1 }, { x: right, y: y + 1 });
      rowMin[y] = -1;
    }
    const score = sum / count;
    if (score < o.boxThreshold) continue;
    const rect = minAreaRect(extents);
    if (Math.min(rect.width, rect.height) < o.minSize) continue;
    const grown = unclip(rect, o.unclipRatio);
    if (Math.min(grown.width, grown.height) < o.minSize + 2) continue;
    boxes.push({ rect: orientAlongText(grown), score });
  }
  return boxes.sort((a, b) => b.rect.width * b.rect.height - a.rect.width * a.rect.height).slice(0, o.maxBoxes);
}

function unclip(rect: RotatedRect, ratio: number): RotatedRect {
  const area = rect.width * rect.height;
  const perimeter = 2 * (rect.width + rect.height);
  const d = perimeter > 0 ? (area * ratio) / perimeter : 0;
  return { ...rect, width: rect.width + 2 * d, height: rect.height + 2 * d };
}

/** A box found on a `mapWidth` x `mapHeight` map, in the coordinates of an image of `width` x `height`. */
export function scaleBox(rect: RotatedRect, mapWidth: number, mapHeight: number, width: number, height: number): RotatedRect {
  const sx = width / mapWidth;
  const sy = height / mapHeight;
  const ux = Math.cos(rect.angle);
  const uy = Math.sin(rect.angle);
  // Anisotropic scaling of a rotated rectangle: scale its axis vectors and re-measure them.
  const along = { x: ux * rect.width * sx, y: uy * rect.width * sy };
  const across = { x: -uy * rect.height * sx, y: ux * rect.height * sy };
  return orientAlongText({
    cx: rect.cx * sx,
    cy: rect.cy * sy,
    width: Math.hypot(along.x, along.y),
    height: Math.hypot(across.x, across.y),
    angle: Math.atan2(along.y, along.x),
  });
}
