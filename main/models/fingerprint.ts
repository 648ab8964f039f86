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

/** The files a model runs: its towers (with their weights kept beside them) and its tokenizer. */
async function modelFiles(spec: ModelSpec): Promise<string[]> {
  const files: string[] = [];
  for (const graph of [spec.image.modelPath, spec.text.modelPath]) {
    const present = new Set(await readdir(path.dirname(graph)).catch(() => [] as string[]));
    files.push(graph, ...WEIGHTS_BESIDE.map((suffix) => `${graph}${suffix}`).filter((file) => present.has(path.basename(file))));
  }
  return [...files, spec.text.tokenizerPath, spec.text.tokenizerConfigPath];
}

/** The settings that change a vector, written out field by field: a setting a later Lumen adds to a spec changes no fingerprint. */
function settingsOf(spec: ModelSpec): string {
  const { size, mean, std, interpolation, resizeMode } = spec.image.preprocessing;
  return JSON.stringify({ dim: spec.dim, size, mean, std, interpolation, resizeMode, contextLength: spec.text.contextLength, clean: spec.text.clean });
}

/** Whether the model's files and settings stand as they did when `known` was taken: the same model, no file read. */
export async function standsAsBefore(spec: ModelSpec, known: ModelFingerprint): Promise<boolean> {
  if (known.settings !== settingsOf(spec)) return false;
  const files = await modelFiles(spec);
  if (files.length !== known.files.length) return false;
  for (const [i, file] of files.entries()) {
    const was = known.files[i];
    if (was?.name !== path.relative(spec.dir, file) || !sameStamp(await stampOf(file), was)) return false;
  }
  return true;
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
