/**
 * Which copy of a near-duplicate group to keep, and why, in words a person reads in the list.
 *
 * Note [Which copy to keep]: the criteria go in the order people weigh them: the most pixels (a
 * resized copy loses detail for good), then the sharpest (of a burst, the frame without shake),
 * then the most metadata (date, camera, lens, place: a copy sent through a messenger loses
 * them), then a copy with an XMP sidecar (the ratings, tags and edits other apps keep for it: a
 * sidecar describes its own photo alone and goes to the trash with it, Note [Sidecars go along] in
 * trash.ts), then the largest file (a re-save at lower quality is smaller), then the file the
 * library also reaches through links (moving it would break them, Note [One file, many paths] in
 * same-file.ts), then the original's name: a copy's name adds to it ("IMG (1).jpg", "IMG copy.jpg",
 * "Copy of IMG.jpg") and a backup nests deeper, so the shortest name, then the shortest path,
 * then the earliest path so the choice is stable. Near-equal values tie and the
 * next criterion decides: pixel counts within 2 %, sharpness within 10 % (the measure itself
 * varies that much between two decodes of alike frames). Sharpness is the variance of the
 * Laplacian of a greyscale decode at a fixed size (1024 px on the long side, where a few pixels
 * of shake in a 12-MP frame still show), so copies
 * of different sizes are measured alike, after a Gaussian blur of 1 px: without it the ringing
 * of a low-quality re-save reads as detail (measured: a quality-50 re-save of a flat drawing
 * scored 64 % sharper than its original; with it, within 5 %, while a shake of 2 px still scores
 * 20 to 60 % lower). It is only measured when the largest copies tie, and stored per image,
 * since decoding a photo costs tens of milliseconds.
 */
import path from 'node:path';
import sharp from 'sharp';
import { listed } from '../core/wording.js';
import { DECODE_OPTIONS } from '../models/preprocess.js';

export const SHARPNESS_SIDE = 1024;
const PIXEL_TIE = 0.02;
const SHARPNESS_TIE = 0.1;

export interface KeepCandidate {
  path: string;
  width: number;
  height: number;
  fileSize: number;
  takenAt: number | null;
  camera: string | null;
  lens: string | null;
  hasLocation: boolean;
  /** Other paths of the library to this very file (Note [One file, many paths]). */
  links?: readonly string[];
  /** The names of its XMP sidecars (Note [Sidecars go along] in trash.ts). */
  sidecars?: readonly string[];
}

export interface KeepChoice {
  keep: string;
  reason: string;
}

/** The variance of the 4-neighbour Laplacian of `file` decoded to grey at SHARPNESS_SIDE (Note [Which copy to keep]). */
export async function measureSharpness(file: string): Promise<number> {
  const { data, info } = await sharp(file, DECODE_OPTIONS)
    .rotate()
    .resize(SHARPNESS_SIDE, SHARPNESS_SIDE, { fit: 'inside', withoutEnlargement: true })
    .blur(1)
    .greyscale()
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  const { width, height, channels } = info;
  let sum = 0;
  let squares = 0;
  let count = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const at = (y * width + x) * channels;
      const value =
        (data[at - channels] as number) + (data[at + channels] as number) + (data[at - width * channels] as number) + (data[at + width * channels] as number) - 4 * (data[at] as number);
      sum += value;
      squares += value * value;
      count++;
    }
  }
  return count ? squares / count - (sum / count) ** 2 : 0;
}

function metadataOf(candidate: KeepCandidate): string[] {
  const fields: string[] = [];
  if (candidate.takenAt !== null) fields.push('date');
  if (candidate.camera) fields.push('camera');
  if (candidate.lens) fields.push('lens');
  if (candidate.hasLocation) fields.push('place');
  return fields;
}

function megabytes(bytes: number): string {
  return bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1000))} kB`;
}

interface Criterion {
  /** Word for "alike in this" ("the same size"). */
  alike: string;
  value: (c: KeepCandidate) => number;
  tie: number;
  phrase: (c: KeepCandidate) => string;
  /** Whether copies alike in it are said to be (default yes): copies that have no links are not "alike in links". */
  worthSaying?: (best: number) => boolean;
}

function linksOf(candidate: KeepCandidate): string {
  const links = candidate.links?.length ?? 0;
  return links === 1 ? 'a link' : `${links} links`;
}

function sidecarPhrase(candidate: KeepCandidate): string {
  const names = candidate.sidecars ?? [];
  return `with ${names.length === 1 ? 'an XMP sidecar' : `${names.length} XMP sidecars`} (${names.join(', ')}), where apps keep its rating and tags`;
}

/** Copies alike in everything else: the one named as an original is named most briefly (Note [Which copy to keep]). */
const NAME_ORDER: ReadonlyArray<{ length: (c: KeepCandidate) => number; said: string }> = [
  { length: (c) => path.basename(c.path).length, said: 'kept the one with the shortest name' },
  { length: (c) => c.path.length, said: 'kept the one with the shortest path' },
];

/** The order of copies alike in everything else, and how the first is told from the others. */
function byName(contenders: readonly KeepCandidate[]): { ordered: KeepCandidate[]; said: string } {
  const ordered = [...contenders].sort((a, b) => NAME_ORDER.reduce((order, { length }) => order || length(a) - length(b), 0) || a.path.localeCompare(b.path));
  const [first, second] = ordered as [KeepCandidate, KeepCandidate | undefined];
  return { ordered, said: (second && NAME_ORDER.find(({ length }) => length(first) < length(second))?.said) ?? 'kept the first by path' };
}

/**
 * The copy to keep (Note [Which copy to keep]). `sharpness` is asked only for copies that tie on
 * pixels; it resolves to null for a file that cannot be decoded, which then counts as least sharp.
 */
export async function chooseKeep(candidates: readonly KeepCandidate[], sharpness: (candidate: KeepCandidate) => Promise<number | null>): Promise<KeepChoice> {
  if (candidates.length === 0) throw new Error('chooseKeep needs at least one candidate.');
  const measured = new Map<string, number>();
  const criteria: Criterion[] = [
    { alike: 'size', value: (c) => c.width * c.height, tie: PIXEL_TIE, phrase: (c) => `largest (${c.width} × ${c.height})` },
    { alike: 'sharpness', value: (c) => measured.get(c.path) ?? -1, tie: SHARPNESS_TIE, phrase: () => 'sharpest' },
    { alike: 'metadata', value: (c) => metadataOf(c).length, tie: 0, phrase: (c) => `with the most metadata (${metadataOf(c).join(', ')})` },
    // Copies that all have sidecars are not said to be alike in them: each sidecar holds its own.
    { alike: 'XMP sidecars', value: (c) => Math.min(1, c.sidecars?.length ?? 0), tie: 0, phrase: sidecarPhrase, worthSaying: () => false },
    { alike: 'file size', value: (c) => c.fileSize, tie: 0, phrase: (c) => `largest file (${megabytes(c.fileSize)})` },
    { alike: 'links', value: (c) => c.links?.length ?? 0, tie: 0, phrase: (c) => `reached through ${linksOf(c)} too, which moving it would break`, worthSaying: (best) => best > 0 },
  ];
  // In path order, so that sharpness is measured in an order that does not depend on the caller's.
  let contenders = [...candidates].sort((a, b) => a.path.localeCompare(b.path));
  const decisive: Criterion[] = [];
  // What every copy has alike, and what the best copies left after a criterion decided have alike.
  const alike: string[] = [];
  const alikeAmongBest: string[] = [];
  for (const criterion of criteria) {
    if (contenders.length === 1) break;
    if (criterion === criteria[1]) for (const candidate of contenders) measured.set(candidate.path, (await sharpness(candidate)) ?? -1);
    const values = contenders.map(criterion.value);
    const best = Math.max(...values);
    const close = contenders.filter((_, i) => (values[i] as number) >= best - Math.abs(best) * criterion.tie);
    if (close.length < contenders.length) decisive.push(criterion);
    else if (criterion.worthSaying?.(best) ?? true) (decisive.length ? alikeAmongBest : alike).push(criterion.alike);
    contenders = close;
  }
  if (candidates.length === 1) return { keep: (candidates[0] as KeepCandidate).path, reason: 'the only copy' };
  const { ordered, said } = byName(contenders);
  const keep = ordered[0] as KeepCandidate;
  if (decisive.length === 0) return { keep: keep.path, reason: `all copies have the same ${listed(alike)}; ${said}` };
  const phrases = decisive.map((criterion) => criterion.phrase(keep));
  const others = contenders.length - 1;
  // A copy as good in every way (a byte-identical one) is said to be, and how the one kept was told from it.
  const tied = others ? `; ${others === 1 ? '1 other copy is' : `${others} other copies are`} as good${alikeAmongBest.length ? `, with the same ${listed(alikeAmongBest)}` : ''}: ${said}` : '';
  return { keep: keep.path, reason: `${listed(phrases)}${alike.length ? `; the same ${listed(alike)} as the others` : ''}${tied}` };
}

