/**
 * Labelled sets for near-duplicate grouping: originals with their edited copies and bursts (which
 * belong together), and distractors that do not: two far-apart views of one scene, a second shot
 * of a scene with its objects moved, other photos. Two sources of pictures: coloured-shape scenes
 * (the fixture model's world) and the Debian wallpapers installed on this machine (real images,
 * some in series of one design in other colours).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NEAR_DUPLICATE_EDITS, applyEdits, sceneViews, workingCopy } from '../../main/duplicates/variants.js';
import sharp from 'sharp';
import { placeObjects, randomScene, renderScene, seeded, type Colour, type Scene, type Shape } from './scenes.js';

export type ItemKind = 'original' | 'edit' | 'burst' | 'view' | 'reshoot' | 'single';

export interface LabelledItem {
  path: string;
  /** Items with the same `group` are near-duplicates of each other; null: of nothing. */
  group: string | null;
  kind: ItemKind;
  /** The edit's name, for recall per edit. */
  edit?: string;
  /** Items that must stay apart although they show the same scene or design share this. */
  scene?: string;
}

/** The Debian wallpapers: one file per wallpaper (its largest), in a stable order. */
export function wallpapers(): string[] {
  const out: string[] = [];
  for (const group of ['abstract', 'desktop', 'nature']) {
    const dir = `/usr/share/backgrounds/mate/${group}`;
    if (existsSync(dir)) for (const name of readdirSync(dir).sort()) if (!/^Elephants_/.test(name)) out.push(path.join(dir, name));
  }
  const root = '/usr/share/wallpapers';
  for (const name of existsSync(root) ? readdirSync(root).sort() : []) {
    const dir = path.join(root, name, 'contents', 'images');
    if (!existsSync(dir)) continue;
    const largest = readdirSync(dir)
      .map((file) => path.join(dir, file))
      .sort((a, b) => statSync(b).size - statSync(a).size)[0];
    if (largest) out.push(largest);
  }
  return out;
}

/** Wallpapers of one design in other colours ("Ubuntu-Mate-Cold" and "-Warm"): the series name. */
function seriesOf(file: string): string | undefined {
  const name = path.basename(file);
  return /^Ubuntu-Mate-/.test(name) ? 'Ubuntu-Mate' : /Stripes/.test(name) ? 'Stripes' : undefined;
}

async function save(dir: string, name: string, bytes: Buffer): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, bytes);
  return file;
}

async function editsOf(dir: string, id: string, base: Buffer, group: string): Promise<LabelledItem[]> {
  const items: LabelledItem[] = [{ path: await save(dir, `${id}-original.jpg`, base), group, kind: 'original' }];
  for (const [i, variant] of NEAR_DUPLICATE_EDITS.entries()) {
    items.push({ path: await save(dir, `${id}-edit-${i}.jpg`, await applyEdits(base, variant.edits)), group, kind: 'edit', edit: variant.name });
  }
  return items;
}

async function viewsOf(dir: string, id: string, base: Buffer, scene: string): Promise<LabelledItem[]> {
  const [left, right] = (await sceneViews(base))[0] as [Buffer, Buffer];
  return [
    { path: await save(dir, `${id}-left.jpg`, left), group: null, kind: 'view', scene },
    { path: await save(dir, `${id}-right.jpg`, right), group: null, kind: 'view', scene },
  ];
}

/** A burst frame: every object nudged a little, as between two frames a fraction of a second apart. */
function burstFrame(scene: Scene, next: () => number): Scene {
  return {
    ...scene,
    objects: scene.objects.map((o) => ({ ...o, cx: o.cx + (next() - 0.5) * 0.03, cy: o.cy + (next() - 0.5) * 0.03, degrees: o.degrees + (next() - 0.5) * 6 })),
  };
}

/**
 * `scenes` coloured-shape scenes into `dir`: every third gives an original, its edits and two
 * burst frames; every third two far-apart views; every third two shots with the objects placed
 * anew (a reshoot).
 */
export async function writeShapeSet(dir: string, scenes: number, seed = 7): Promise<LabelledItem[]> {
  await mkdir(dir, { recursive: true });
  const next = seeded(seed);
  const items: LabelledItem[] = [];
  for (let i = 0; i < scenes; i++) {
    const scene = randomScene(next);
    const id = `shape-${i}`;
    const base = await workingCopy(await renderScene(scene));
    if (i % 3 === 0) {
      items.push(...(await editsOf(dir, id, base, id)));
      for (let b = 0; b < 2; b++) items.push({ path: await save(dir, `${id}-burst-${b}.jpg`, await renderScene(burstFrame(scene, next))), group: id, kind: 'burst' });
    } else if (i % 3 === 1) {
      items.push(...(await viewsOf(dir, id, base, id)));
    } else {
      const reshoot = { ...scene, objects: placeObjects(next, scene.objects) };
      items.push({ path: await save(dir, `${id}-shot-a.jpg`, base), group: null, kind: 'reshoot', scene: id });
      items.push({ path: await save(dir, `${id}-shot-b.jpg`, await renderScene(reshoot)), group: null, kind: 'reshoot', scene: id });
    }
  }
  return items;
}

/**
 * The wallpapers into `dir`: two in three give an original and its edits, one in three two
 * far-apart views; wallpapers of one series are other photos of one design (`scene`).
 */
export async function writeWallpaperSet(dir: string, limit = Number.POSITIVE_INFINITY): Promise<LabelledItem[]> {
  await mkdir(dir, { recursive: true });
  const items: LabelledItem[] = [];
  for (const [i, file] of wallpapers().slice(0, limit).entries()) {
    const id = `wall-${i}`;
    const base = await workingCopy(file);
    const series = seriesOf(file);
    const made = i % 3 === 2 ? await viewsOf(dir, id, base, id) : await editsOf(dir, id, base, id);
    items.push(...made.map((item) => (series && item.kind !== 'view' ? { ...item, scene: series } : item)));
  }
  return items;
}

/** One shape per original of `writeCopies`, each alone in its scene. */
export const COPY_KINDS: ReadonlyArray<{ shape: Shape; colour: Colour }> = [
  { shape: 'circle', colour: 'red' },
  { shape: 'star', colour: 'blue' },
  { shape: 'square', colour: 'green' },
  { shape: 'triangle', colour: 'yellow' },
  { shape: 'cross', colour: 'white' },
];

/**
 * A small library of known copies in `dir`: for each kind an original (`SHAPE-original.jpg`, 800
 * px wide at JPEG quality 95), and beside the first `withCopies` a messenger's re-save
 * (`-resaved.jpg`, quality 50) and a half-size copy (`-half.jpg`): the groups they must form,
 * paths sorted, come back with the originals.
 */
export async function writeCopies(dir: string, withCopies = 3, kinds = COPY_KINDS): Promise<{ originals: string[]; groups: string[][] }> {
  await mkdir(dir, { recursive: true });
  const next = seeded(5);
  const originals: string[] = [];
  const groups: string[][] = [];
  for (const [i, kind] of kinds.entries()) {
    const original = await sharp(await renderScene(randomScene(next, [kind]))).resize(800).jpeg({ quality: 95 }).toBuffer();
    const file = (name: string) => path.join(dir, `${kind.shape}-${name}.jpg`);
    originals.push(await save(dir, path.basename(file('original')), original));
    if (i >= withCopies) continue;
    await writeFile(file('resaved'), await applyEdits(original, [{ kind: 'reencode', quality: 50 }]));
    await writeFile(file('half'), await applyEdits(original, [{ kind: 'resize', scale: 0.5 }]));
    groups.push([file('original'), file('resaved'), file('half')].sort());
  }
  return { originals, groups };
}

export interface GroupingScore {
  precision: number;
  recall: number;
  /** Per edit name (and 'burst'): the share of copies grouped with their original. */
  recallByEdit: Record<string, number>;
  /** Pairs of one scene that must stay apart (views, reshoots, series) but were grouped, of all such pairs. */
  sceneMerged: number;
  predictedPairs: number;
  truePairs: number;
}

/** Pairwise precision and recall of `groups` (lists of paths) against the labels. */
export function scoreGrouping(items: readonly LabelledItem[], groups: ReadonlyArray<readonly string[]>): GroupingScore {
  const predicted = new Map<string, number>();
  groups.forEach((group, g) => group.forEach((file) => predicted.set(file, g)));
  let truePairs = 0;
  let predictedPairs = 0;
  let hits = 0;
  let scenePairs = 0;
  let sceneMerged = 0;
  const byEdit = new Map<string, [number, number]>();
  for (let a = 0; a < items.length; a++) {
    for (let b = a + 1; b < items.length; b++) {
      const x = items[a] as LabelledItem;
      const y = items[b] as LabelledItem;
      const same = x.group !== null && x.group === y.group;
      const together = predicted.has(x.path) && predicted.get(x.path) === predicted.get(y.path);
      if (same) truePairs++;
      if (together) predictedPairs++;
      if (same && together) hits++;
      if (!same && x.scene !== undefined && x.scene === y.scene) {
        scenePairs++;
        if (together) sceneMerged++;
      }
      const original = x.kind === 'original' ? x : y.kind === 'original' ? y : null;
      const copy = original === x ? y : x;
      if (same && original && (copy.kind === 'edit' || copy.kind === 'burst')) {
        const name = copy.edit ?? 'burst';
        const entry = byEdit.get(name) ?? [0, 0];
        entry[1]++;
        if (together) entry[0]++;
        byEdit.set(name, entry);
      }
    }
  }
  return {
    precision: predictedPairs ? hits / predictedPairs : 1,
    recall: truePairs ? hits / truePairs : 1,
    recallByEdit: Object.fromEntries([...byEdit].map(([name, [found, total]]) => [name, found / total])),
    sceneMerged: scenePairs ? sceneMerged / scenePairs : 0,
    predictedPairs,
    truePairs,
  };
}
