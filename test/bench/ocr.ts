/**
 * OCR figures on a generated set (see test/helpers/text-photos.ts): character error rate of the
 * lines read, search Recall@1 for a word only one photo shows, what each gate skips and loses,
 * and OCR photos per second on the CPU.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Library } from '../../main/library/library.js';
import { ClipModel } from '../../main/models/clip.js';
import { dot } from '../../main/models/vectors.js';
import { fuseRankings, queryWords } from '../../main/ocr/fusion.js';
import { DetectorGate, type TextGate } from '../../main/ocr/gate.js';
import { OcrModel, type OcrLine } from '../../main/ocr/ocr.js';
import { parseQuery } from '../../main/search/query.js';
import type { OcrTarget } from '../../main/storage/ocr-store.js';
import { generateTextPhotos, type TextPhoto } from '../helpers/text-photos.js';
import { calibrateThreshold, ClipGate } from './clip-gate.js';

type Log = (message: string) => void;

/** Levenshtein distance between two strings, by code point. */
export function editDistance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[y.length] as number;
}

const normalise = (text: string): string => text.replace(/\s+/g, ' ').trim();

/**
 * Character errors of one photo: each rendered line against the line read that is closest to it
 * (a line not read at all counts every character as an error).
 */
export function lineErrors(truth: readonly string[], read: readonly OcrLine[]): { errors: number; chars: number } {
  let errors = 0;
  let chars = 0;
  for (const line of truth.map(normalise)) {
    chars += [...line].length;
    errors += Math.min([...line].length, ...read.map((r) => editDistance(line, normalise(r.text))));
  }
  return { errors, chars };
}

function rate(pairs: ReadonlyArray<{ errors: number; chars: number }>): number | null {
  const chars = pairs.reduce((sum, p) => sum + p.chars, 0);
  return chars ? pairs.reduce((sum, p) => sum + p.errors, 0) / chars : null;
}

interface GateFigures {
  skippedWithoutText: number;
  lostWithText: number;
  msPerPhoto: number;
  /** Image ids the gate turned away. */
  skipped: Set<number>;
}

async function gateFigures(gate: TextGate, photos: ReadonlyArray<{ photo: TextPhoto; target: OcrTarget }>): Promise<GateFigures> {
  const skipped = new Set<number>();
  let skippedNone = 0;
  let none = 0;
  let lost = 0;
  let withText = 0;
  const started = performance.now();
  for (const { photo, target } of photos) {
    const { pass } = await gate.decide(target);
    if (!pass) skipped.add(target.imageId);
    if (photo.lines.length) {
      withText++;
      if (!pass) lost++;
    } else {
      none++;
      if (!pass) skippedNone++;
    }
  }
  return { skippedWithoutText: skippedNone / Math.max(1, none), lostWithText: lost / Math.max(1, withText), msPerPhoto: (performance.now() - started) / photos.length, skipped };
}

/** The CLIP gate of `model`, calibrated on even-numbered photos and measured on odd ones. */
async function clipGateFigures(modelDir: string, library: Library, photos: ReadonlyArray<{ photo: TextPhoto; target: OcrTarget }>, log: Log): Promise<unknown> {
  const model = await ClipModel.load(modelDir, { provider: 'cpu' });
  await library.index(model);
  const embeddingOf = (imageId: number) => library.storage.embeddings.vector(model.id, imageId);
  const probe = await ClipGate.create(model, embeddingOf, 0);
  const calibration = photos.filter((_, i) => i % 2 === 0 && _.photo.lines.length > 0);
  const scores = await Promise.all(calibration.map(async ({ target }) => (await probe.decide(target)).score ?? 0));
  const gate = await ClipGate.create(model, embeddingOf, calibrateThreshold(scores, 0.05));
  const { skipped: _, ...figures } = await gateFigures(gate, photos.filter((_, i) => i % 2 === 1));
  log(`CLIP gate (${model.id}): ${JSON.stringify(figures)}`);
  return { model: model.id, ...figures };
}

export async function ocrFigures(dir: string, clipModels: readonly string[], log: Log): Promise<unknown> {
  const withText = Number(process.env['LUMEN_BENCH_OCR_TEXT'] ?? 120);
  const withoutText = Number(process.env['LUMEN_BENCH_OCR_NONE'] ?? 80);
  const photosDir = path.join(dir, 'photos');
  const dataDir = path.join(dir, 'data');
  await Promise.all([rm(photosDir, { recursive: true, force: true }), rm(dataDir, { recursive: true, force: true })]);
  log(`generating ${withText} photos with text and ${withoutText} without ...`);
  const photos = await generateTextPhotos(photosDir, path.join(dir, 'backgrounds'), { withText, withoutText, seed: 2026 });

  const library = Library.open(dataDir);
  await library.addFolders([photosDir]);
  const clipModel = await ClipModel.load(clipModels[0] as string, { provider: 'cpu' });
  await library.index(clipModel);
  const store = library.storage.ocr;
  const byPath = new Map(store.targetsUnder(photosDir).map((target) => [target.path, target]));
  const labelled = photos.map((photo) => ({ photo, target: byPath.get(photo.file) as OcrTarget }));

  const ocr = await OcrModel.load({ provider: 'cpu' });
  log('reading every photo (no gate) ...');
  const errors: Array<{ photo: TextPhoto; errors: number; chars: number }> = [];
  const started = performance.now();
  const readMs = new Map<number, number>();
  for (const { photo, target } of labelled) {
    const begun = performance.now();
    const { lines } = await ocr.recognize(target.path);
    readMs.set(target.imageId, performance.now() - begun);
    store.saveRead(target.imageId, OcrModel.VERSION, lines, null);
    if (photo.lines.length) errors.push({ photo, ...lineErrors(photo.lines.map((line) => line.text), lines) });
  }
  const seconds = (performance.now() - started) / 1000;
  const size = (e: { photo: TextPhoto }) => e.photo.lines[0]?.size ?? 0;
  const cer = {
    cleanAtLeast24px: rate(errors.filter((e) => size(e) >= 24 && e.photo.background === 'plain')),
    panelAtLeast24px: rate(errors.filter((e) => size(e) >= 24 && e.photo.background === 'panel')),
    wallpaperAtLeast24px: rate(errors.filter((e) => size(e) >= 24 && e.photo.background === 'wallpaper')),
    allAtLeast24px: rate(errors.filter((e) => size(e) >= 24)),
    below24px: rate(errors.filter((e) => size(e) < 24)),
  };
  log(`CER: ${JSON.stringify(cer)}`);
  const worst = [...errors].sort((a, b) => b.errors / b.chars - a.errors / a.chars).slice(0, 5);
  for (const e of worst) log(`  worst: ${path.basename(e.photo.file)} ${e.photo.background} ${size(e)}px ${e.errors}/${e.chars}`);

  const imageIds = labelled.map(({ target }) => target.imageId);
  const embeddings = library.storage.embeddings.vectorsOf(clipModel.id, imageIds);
  /** Photos (with a word of their own, matching `eligible`) whose word finds them first. */
  const found = async (eligible: (photo: TextPhoto) => boolean, fused: boolean) => {
    const keyed = labelled.filter(({ photo }) => photo.keyword && eligible(photo));
    const hits = new Set<number>();
    for (const { photo, target } of keyed) {
      const keyword = photo.keyword as string;
      let top: number | undefined;
      if (fused) {
        const query = await clipModel.embedText(keyword);
        const clip = imageIds.map((imageId) => ({ imageId, score: dot(query, embeddings.get(imageId) as Float32Array) })).sort((a, b) => b.score - a.score);
        const words = queryWords(keyword);
        top = fuseRankings(clip, store.matchWords(words), words.length)[0]?.imageId;
      } else {
        const [phrase] = parseQuery(`"${keyword}"`);
        top = phrase?.kind === 'phrase' ? store.searchPhrase(phrase.text)[0] : undefined;
      }
      if (top === target.imageId) hits.add(target.imageId);
    }
    return { keyed: keyed.length, hits };
  };
  const atLeast24 = (photo: TextPhoto) => (photo.lines[0]?.size ?? 0) >= 24;
  const quoted24 = await found(atLeast24, false);
  const quotedAll = await found(() => true, false);
  const share = ({ keyed, hits }: { keyed: number; hits: Set<number> }, skipped = new Set<number>()) => (keyed ? [...hits].filter((id) => !skipped.has(id)).length / keyed : null);

  log('gates ...');
  const { skipped, ...detectorGate } = await gateFigures(new DetectorGate(ocr), labelled);
  const { skipped: _, ...detector320 } = await gateFigures(new DetectorGate(ocr, 320), labelled);
  log(`detector gate 480: ${JSON.stringify(detectorGate)}; 320: ${JSON.stringify(detector320)}`);
  const recallAt1 = {
    quotedAtLeast24px: share(quoted24),
    fusedAtLeast24px: share(await found(atLeast24, true)),
    quotedAll: share(quotedAll),
    fusedAll: share(await found(() => true, true)),
    quotedAtLeast24pxBehindDetectorGate: share(quoted24, skipped),
    quotedAllBehindDetectorGate: share(quotedAll, skipped),
  };
  log(`Recall@1: ${JSON.stringify(recallAt1)}`);
  const clipGates = [];
  for (const modelDir of clipModels) clipGates.push(await clipGateFigures(modelDir, library, labelled, log));

  await ocr.dispose();
  await library.close();
  return {
    photos: { withText, withoutText },
    cpuPhotosPerSecond: photos.length / seconds,
    // The gate looks at every photo; full OCR runs on those it passes.
    cpuPhotosPerSecondBehindDetectorGate:
      photos.length / ((detectorGate.msPerPhoto * photos.length + [...readMs].filter(([id]) => !skipped.has(id)).reduce((sum, [, ms]) => sum + ms, 0)) / 1000),
    cer,
    recallAt1,
    gates: { detector480: detectorGate, detector320, clip: clipGates },
  };
}
