/**
 * Note [A model replaced under its name]: a library knows a model by its folder's name (Note
 * [Model switch] in library.ts), so another model put in its place under that name, with vectors
 * of the same size (a catalogue model downloaded again at a new revision, a fine-tuned export
 * copied over it), had its text queries ranked against the old model's photo vectors: search and
 * tags quietly worse, nothing said. So the library keeps the fingerprint of what its vectors of
 * that name came from: a SHA-256 of the files the model runs and of its settings that change a
 * vector, and how each file stood. A file that stands as it did is the same without reading it;
 * one that does not is hashed (a second or two for ViT-B/32, only after a copy or download), and
 * a different hash makes the library forget that name's vectors and what it learnt from them
 * (Library.checkModel), for the next index run to embed again: once both towers have loaded, as
 * a copy cut short (a download or copy interrupted) differs too and is no other model.
 *
 * Note [Work without text]: the photo vectors are the image tower's alone, so work that embeds no
 * text (near-duplicates, photos like a photo or an image, `embed-image`) asks only that the image
 * tower's files and settings stand as they did (`imageTowerStandsAsBefore`), and never starts the text tower:
 * a damaged text tower is for a text search or tagging to report. Where the image tower's do not
 * stand, that work waits for the whole comparison like any other, both towers loaded: nothing is
 * forgotten on one tower's word.
 */
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { fileSha256, sameStamp, stampOf, type FileStamp } from '../core/file-stamp.js';
import type { ModelSpec } from './folder.js';

export interface ModelFingerprint {
  sha256: string;
  /** The settings that change a vector, as compared. */
  settings: string;
  /** Each file hashed, by its path in the model's folder, and how it stood. */
  files: Array<FileStamp & { name: string }>;
}

/** The names exporters give the weights of a graph too large for one file (`model.onnx_data`, as Optimum writes them). */
const WEIGHTS_BESIDE = ['_data', '.data'];

/** A tower's graph and the weights kept beside it. */
async function graphFiles(graph: string): Promise<string[]> {
  const present = new Set(await readdir(path.dirname(graph)).catch(() => [] as string[]));
  return [graph, ...WEIGHTS_BESIDE.map((suffix) => `${graph}${suffix}`).filter((file) => present.has(path.basename(file)))];
}

/** The files a model runs: its towers (with their weights kept beside them) and its tokenizer. */
async function modelFiles(spec: ModelSpec): Promise<string[]> {
  return [...(await graphFiles(spec.image.modelPath)), ...(await graphFiles(spec.text.modelPath)), spec.text.tokenizerPath, spec.text.tokenizerConfigPath];
}

/** The settings that change a photo's vector. */
function imageSettingsOf(spec: ModelSpec) {
  const { size, mean, std, interpolation, resizeMode } = spec.image.preprocessing;
  return { dim: spec.dim, size, mean, std, interpolation, resizeMode };
}

/** The settings that change a vector, written out field by field: a setting a later Lumen adds to a spec changes no fingerprint. */
function settingsOf(spec: ModelSpec): string {
  return JSON.stringify({ ...imageSettingsOf(spec), contextLength: spec.text.contextLength, clean: spec.text.clean });
}

/** Whether `files` are the ones `known` lists, in its order, each standing as it did. */
async function filesStandAsBefore(spec: ModelSpec, files: readonly string[], known: ModelFingerprint['files']): Promise<boolean> {
  if (files.length !== known.length) return false;
  for (const [i, file] of files.entries()) {
    const was = known[i];
    if (was?.name !== path.relative(spec.dir, file) || !sameStamp(await stampOf(file), was)) return false;
  }
  return true;
}

/** Whether the model's files and settings stand as they did when `known` was taken: the same model, no file read. */
export async function standsAsBefore(spec: ModelSpec, known: ModelFingerprint): Promise<boolean> {
  return known.settings === settingsOf(spec) && filesStandAsBefore(spec, await modelFiles(spec), known.files);
}

/** Whether the image tower's files and settings stand as they did when `known` was taken, no file read (Note [Work without text]). */
export async function imageTowerStandsAsBefore(spec: ModelSpec, known: ModelFingerprint): Promise<boolean> {
  const settings = settingsRecord(known.settings);
  if (!settings || Object.entries(imageSettingsOf(spec)).some(([key, value]) => JSON.stringify(value) !== JSON.stringify(settings[key]))) return false;
  const graph = path.relative(spec.dir, spec.image.modelPath);
  const towerFiles = new Set([graph, ...WEIGHTS_BESIDE.map((suffix) => `${graph}${suffix}`)]);
  return filesStandAsBefore(spec, await graphFiles(spec.image.modelPath), known.files.filter((file) => towerFiles.has(file.name)));
}

/** The settings a fingerprint took, field by field; null if they cannot be read. */
function settingsRecord(settings: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(settings);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The model's fingerprint now, reading every file. */
export async function fingerprintOf(spec: ModelSpec): Promise<ModelFingerprint> {
  const settings = settingsOf(spec);
  const files: ModelFingerprint['files'] = [];
  const hashes: string[] = [];
  for (const file of await modelFiles(spec)) {
    const stamp = await stampOf(file);
    if (!stamp) throw new UserError('model-missing', `${file} is gone: the model's folder changed while it was read. Install the model again.`);
    files.push({ name: path.relative(spec.dir, file), ...stamp });
    hashes.push(`${path.relative(spec.dir, file)}\0${await fileSha256(file)}`);
  }
  return { sha256: createHash('sha256').update(JSON.stringify([settings, hashes])).digest('hex'), settings, files };
}

/** A fingerprint as the library stored it; null if none (a library from before fingerprints) or not one. */
export function parseFingerprint(text: string | undefined): ModelFingerprint | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as Partial<ModelFingerprint>;
    return typeof value.sha256 === 'string' && typeof value.settings === 'string' && Array.isArray(value.files) ? (value as ModelFingerprint) : null;
  } catch {
    return null;
  }
}
