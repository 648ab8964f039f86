/** Builds photo folders from the fixture photos, and opens libraries over them, for tests. */
import Database from 'better-sqlite3';
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { engineHandlers, type EngineHandlers } from '../../main/engine/calls.js';
import { Engine } from '../../main/engine/engine.js';
import { Library } from '../../main/library/library.js';
import { ClipModel } from '../../main/models/clip.js';
import { IMMICH_MODEL, PHOTOS, SHAPES, tempDir } from './fixtures.js';

export interface FixturePhoto {
  file: string;
  shape: string;
  colour: string;
}

export async function fixturePhotos(): Promise<FixturePhoto[]> {
  const photos: FixturePhoto[] = [];
  for (const shape of SHAPES) {
    for (const name of (await readdir(path.join(PHOTOS, 'shapes', shape))).sort()) {
      photos.push({ file: path.join(PHOTOS, 'shapes', shape, name), shape, colour: name.split('-')[0] as string });
    }
  }
  return photos;
}

/** Copies photos into `dir` (as `<shape>-<colour>-<i>.jpg`, spread over subfolders) and returns the paths. */
export async function copyPhotos(photos: readonly FixturePhoto[], dir: string, layout: (p: FixturePhoto, i: number) => string = (p) => p.shape): Promise<string[]> {
  const out: string[] = [];
  for (const [i, photo] of photos.entries()) {
    const target = path.join(dir, layout(photo, i), `${photo.shape}-${photo.colour}-${i}.jpg`);
    await mkdir(path.dirname(target), { recursive: true });
    await copyFile(photo.file, target);
    out.push(target);
  }
  return out;
}

/** The fixture model and photos, loaded once for the tests of a file (it registers the hooks); filled in before the first test. */
export function fixtureModelAndPhotos(modelDir = IMMICH_MODEL): { model: ClipModel; photos: FixturePhoto[] } {
  const loaded = {} as { model: ClipModel; photos: FixturePhoto[] };
  beforeAll(async () => {
    loaded.model = await loadFixtureModel(modelDir);
    loaded.photos = await fixturePhotos();
  });
  afterAll(() => loaded.model.dispose());
  return loaded;
}

/** An engine on the fixture model over the first `count` fixture photos, copied into `<dir>/Pictures` and indexed. */
export async function indexedEngine(dir: string, count: number): Promise<Engine> {
  const photos = path.join(dir, 'Pictures');
  await copyPhotos((await fixturePhotos()).slice(0, count), photos);
  const engine = new Engine({ dataDir: path.join(dir, 'data'), model: IMMICH_MODEL });
  await (await engine.addFolders([photos])).indexing.done;
  return engine;
}

/** A tag for each fixture shape, prompted by its name. */
export const SHAPES_VOCABULARY = { templates: ['a photo of a {}.'], tags: SHAPES.map((shape) => ({ name: shape, prompts: [shape] })) };

/** `engine`'s call table, once `vocabulary` is imported through it and the library tagged with it. */
export async function taggedWith(engine: Engine, vocabulary: object): Promise<EngineHandlers> {
  const calls = engineHandlers(engine);
  await calls['vocabulary.import']({ json: JSON.stringify(vocabulary) });
  await engine.tagLibrary().done;
  return calls;
}

/** An engine over every fixture photo, indexed and tagged with SHAPES_VOCABULARY, and its call table, for the tests of a file (it registers the hooks); filled in before the first test. */
export function taggedShapesLibrary(): { engine: Engine; calls: EngineHandlers } {
  const loaded = {} as { engine: Engine; calls: EngineHandlers };
  let scratch: Awaited<ReturnType<typeof tempDir>> | undefined;
  beforeAll(async () => {
    scratch = await tempDir();
    loaded.engine = await indexedEngine(scratch.dir, Infinity);
    loaded.calls = await taggedWith(loaded.engine, SHAPES_VOCABULARY);
  });
  afterAll(async () => {
    await loaded.engine?.dispose();
    await scratch?.cleanup();
  });
  return loaded;
}

export function openLibrary(dataDir: string): Library {
  return Library.open(dataDir);
}

export async function loadFixtureModel(dir: string): Promise<ClipModel> {
  return ClipModel.load(dir, { provider: 'cpu' });
}

/**
 * Rows of a read-only query on a library's database, for tests that check what was stored
 * (the engine itself never hands its connection out).
 */
export function queryLibrary<T = unknown>(dataDir: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(path.join(dataDir, 'library.db'), { readonly: true, fileMustExist: true });
  try {
    const statement = db.prepare(sql);
    return (statement.columns().length === 1 ? statement.pluck().all(...params) : statement.all(...params)) as T[];
  } finally {
    db.close();
  }
}

/** Runs SQL on a library's database from outside the engine (a test damaging or dropping what it stores). */
export function execLibrary(dataDir: string, sql: string): void {
  const db = new Database(path.join(dataDir, 'library.db'), { fileMustExist: true });
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}
