/**
 * Near-duplicate benchmarks: grouping quality (pairwise precision and recall, recall per edit,
 * scenes wrongly merged) on labelled sets indexed by real models, at several thresholds on the
 * calibrated scale and at fixed raw cosines for comparison; and the time to group a library of
 * 100k synthetic photos with planted near-duplicates.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CALIBRATION_PHOTOS, cosineCut } from '../../main/duplicates/calibration.js';
import type { NeighbourTable } from '../../main/duplicates/grouping.js';
import { DuplicateFinder } from '../../main/duplicates/finder.js';
import { Library } from '../../main/library/library.js';
import { ClipModel } from '../../main/models/clip.js';
import type { IndexedFile } from '../../main/storage/library-store.js';
import { scoreGrouping, writeShapeSet, writeWallpaperSet, type LabelledItem } from '../helpers/duplicate-sets.js';
import { clusteredVectors } from './library.js';

type Log = (message: string) => void;

const THRESHOLDS = [0, 0.25, 0.5, 0.75, 1];
const RAW_CUTS = [0.9, 0.95, 0.98];
const percent = (x: number) => `${(100 * x).toFixed(1)} %`;

/** Groups of paths at a raw cosine cut. */
function groupsAt(finder: DuplicateFinder, library: Library, table: NeighbourTable, cut: number): string[][] {
  const store = library.storage.duplicates;
  return finder.group(table, cut).map((group) => store.files(group.imageIds).map((row) => row.path));
}

export async function groupingQuality(modelDirs: readonly string[], root: string, log: Log) {
  const dataRoot = path.resolve(root);
  const sets: Record<string, LabelledItem[]> = {
    shapes: await writeShapeSet(path.join(dataRoot, 'sets', 'shapes'), 60),
    wallpapers: await writeWallpaperSet(path.join(dataRoot, 'sets', 'wallpapers')),
  };
  const results = [];
  for (const modelDir of modelDirs) {
    const model = await ClipModel.load(modelDir, { provider: 'cpu' });
    for (const [name, items] of Object.entries(sets)) {
      const dataDir = path.join(dataRoot, `data-${model.id}-${name}`);
      await rm(dataDir, { recursive: true, force: true });
      const library = Library.open(dataDir);
      try {
        let start = performance.now();
        await library.index(model, { folders: (await library.addFolders([path.join(dataRoot, 'sets', name)])).folders });
        const indexSeconds = (performance.now() - start) / 1000;
        const finder = new DuplicateFinder(library, model);
        start = performance.now();
        const calibration = await finder.calibration();
        const calibrationSeconds = (performance.now() - start) / 1000;
        log(`\n${model.id} on ${name} (${items.length} photos, indexed in ${indexSeconds.toFixed(0)} s): calibration edit ${calibration.edit.toFixed(3)}, scene ${calibration.scene.toFixed(3)} (${calibrationSeconds.toFixed(1)} s)`);
        const table = await finder.neighbours();
        const calibrated = [];
        for (const threshold of THRESHOLDS) {
          const score = scoreGrouping(items, groupsAt(finder, library, table, cosineCut(calibration, threshold)));
          calibrated.push({ threshold, ...score });
          log(`  T ${threshold.toFixed(2)}: precision ${percent(score.precision)}, recall ${percent(score.recall)}, scenes merged ${percent(score.sceneMerged)}; by edit ${Object.entries(score.recallByEdit).map(([edit, r]) => `${edit} ${percent(r)}`).join(', ')}`);
        }
        const raw = [];
        for (const cut of RAW_CUTS) {
          const score = scoreGrouping(items, groupsAt(finder, library, table, cut));
          raw.push({ cosine: cut, precision: score.precision, recall: score.recall, sceneMerged: score.sceneMerged });
          log(`  raw cosine ${cut}: precision ${percent(score.precision)}, recall ${percent(score.recall)}, scenes merged ${percent(score.sceneMerged)}`);
        }
        results.push({ model: model.id, set: name, photos: items.length, calibration, calibrationSeconds, calibrated, raw });
      } finally {
        await library.close();
      }
    }
    await model.dispose();
  }
  return results;
}

/**
 * Grouping `count` synthetic 512-d images: clustered vectors (like a library's themes) of which
 * one in ten is a near-copy (cosine 0.90 to 0.99) of another image, in bursts of two to four.
 * Measures what `duplicates` does before choosing copies: reading the vectors from SQLite, the
 * batch search and the linking. The HNSW index is built (and saved) beforehand, as in a library.
 */
export async function groupingTime(modelDir: string, dataRoot: string, count: number, log: Log) {
  const model = await ClipModel.load(modelDir, { provider: 'cpu' });
  const dim = model.dim;
  await rm(dataRoot, { recursive: true, force: true });
  const library = Library.open(path.join(dataRoot, 'data'));
  try {
    const vectors = clusteredVectors(count, dim, 21);
    let seed = 99;
    const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
    const planted: number[][] = [];
    for (let base = 0; base + 4 < count; base += 40) {
      const group = [base];
      const copies = 1 + Math.floor(next() * 3);
      for (let c = 1; c <= copies; c++) {
        const sigma = 0.14 + next() * 0.34;
        let norm = 0;
        for (let i = 0; i < dim; i++) {
          const value = (vectors[base * dim + i] as number) + (sigma * Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next())) / Math.sqrt(dim);
          vectors[(base + c) * dim + i] = value;
          norm += value * value;
        }
        for (let i = 0; i < dim; i++) vectors[(base + c) * dim + i] = (vectors[(base + c) * dim + i] as number) / Math.sqrt(norm);
        group.push(base + c);
      }
      planted.push(group);
    }
    const { folders: [folder] } = await library.addFolders([dataRoot]);
    for (let start = 0; start < count; start += 5000) {
      const batch: IndexedFile[] = [];
      for (let i = start; i < Math.min(count, start + 5000); i++) {
        batch.push({
          path: path.join(dataRoot, `IMG_${i}.jpg`),
          folderId: folder!.id,
          size: 1000,
          mtimeMs: 0,
          ctimeMs: 0,
          image: { created: { contentHash: `synthetic-${i}`, format: 'jpeg', width: 4000, height: 3000, takenAt: null, cameraMake: null, cameraModel: null, lens: null, latitude: null, longitude: null, orientation: 1, thumbnail: null } },
          vector: vectors.subarray(i * dim, (i + 1) * dim),
        });
      }
      library.storage.library.writeBatch(model.id, batch, []);
    }
    let start = performance.now();
    const index = await library.vectorIndex(model.id, dim);
    await index.ready();
    await index.save();
    log(`HNSW index of ${count} built in ${((performance.now() - start) / 1000).toFixed(0)} s`);
    // A calibration like the fixture model's on shapes, so no model runs here.
    library.storage.duplicates.saveCalibration({ model: model.id, edit: 0.97, scene: 0.75, photos: CALIBRATION_PHOTOS, embedded: null });
    const finder = new DuplicateFinder(library, model);
    const cpu = process.cpuUsage();
    start = performance.now();
    const result = await finder.groupImages({ threshold: 0.5 });
    const seconds = (performance.now() - start) / 1000;
    const used = process.cpuUsage(cpu);
    const groupOf = new Map<number, number>();
    result.groups.forEach((group, g) => group.imageIds.forEach((id) => groupOf.set(id, g)));
    // Image ids are 1-based row numbers here.
    const whole = planted.filter((group) => group.every((row) => groupOf.get(row + 1) !== undefined && groupOf.get(row + 1) === groupOf.get((group[0] as number) + 1))).length;
    const plantedRows = new Set(planted.flat().map((row) => row + 1));
    const stray = result.groups.flatMap((group) => group.imageIds).filter((id) => !plantedRows.has(id)).length;
    const report = { photos: count, dim, seconds, cpuSeconds: (used.user + used.system) / 1e6, groups: result.groups.length, plantedGroups: planted.length, plantedGroupsWhole: whole / planted.length, strayImagesGrouped: stray };
    log(`grouping ${count} photos: ${seconds.toFixed(2)} s (${report.cpuSeconds.toFixed(1)} s CPU); ${report.groups} groups; planted groups found whole ${percent(report.plantedGroupsWhole)}; ${stray} unplanted images grouped`);
    return report;
  } finally {
    await library.close();
    await model.dispose();
  }
}
