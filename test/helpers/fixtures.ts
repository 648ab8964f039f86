/** Paths to the committed fixture model and photos, and temp-folder helpers for tests. */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SessionPlan } from '../../main/models/session.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures');
export const IMMICH_MODEL = path.join(FIXTURES, 'models', 'tiny-clip-immich');
export const HF_MODEL = path.join(FIXTURES, 'models', 'tiny-clip-hf');
/** How the engine starts the Immich fixture's text tower on the CPU (Note [Text tower first]). */
export const IMMICH_TEXT_PLAN: SessionPlan = { modelPath: path.join(IMMICH_MODEL, 'textual', 'model.onnx'), preference: 'cpu', thread: 'interactive' };
export const PHOTOS = path.join(FIXTURES, 'photos');
export const SHAPES = ['circle', 'square', 'triangle', 'star', 'cross'] as const;
export const COLOURS = ['red', 'green', 'blue', 'yellow', 'purple', 'orange', 'white', 'black'] as const;

export interface Reference {
  tokens: Array<{ text: string; ids: number[]; truncated?: number[] }>;
  texts: Array<{ text: string; embedding: number[] }>;
  images: Array<{ path: string; pixels: string; embedding: number[] }>;
}

export async function loadReference(): Promise<Reference> {
  return JSON.parse(await readFile(path.join(FIXTURES, 'models', 'reference.json'), 'utf8')) as Reference;
}

/** A fresh temp folder, removed by the returned cleanup. */
export async function tempDir(prefix = 'lumen-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A writable copy of a fixture model, to damage in a test. */
export async function copyModel(source: string, into: string, name = path.basename(source)): Promise<string> {
  const target = path.join(into, name);
  await cp(source, target, { recursive: true });
  return target;
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += (a[i] as number) * (b[i] as number);
    na += (a[i] as number) ** 2;
    nb += (b[i] as number) ** 2;
  }
  return dot / Math.sqrt(na * nb);
}

export function norm(a: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) ** 2;
  return Math.sqrt(sum);
}
