/**
 * A search over a synthetic library for the tests of one file: `photos` clustered embeddings in
 * `themes` themes (test/bench/library.ts), the vector index built, so that every search ranks
 * through the graph or exactly by its own rule, not by when the build ends.
 */
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { Library } from '../../main/library/library.js';
import type { ClipModel } from '../../main/models/clip.js';
import { PhotoSearch } from '../../main/search/search.js';
import { syntheticLibrary } from '../bench/library.js';
import { IMMICH_MODEL, tempDir } from './fixtures.js';
import { loadFixtureModel } from './library.js';

export function syntheticSearch(photos: number, themes: number): { readonly search: PhotoSearch; readonly library: Library } {
  let scratch: Awaited<ReturnType<typeof tempDir>>;
  let model: ClipModel;
  let library: Library;
  let search: PhotoSearch;
  beforeAll(async () => {
    scratch = await tempDir();
    model = await loadFixtureModel(IMMICH_MODEL);
    ({ library } = await syntheticLibrary(path.join(scratch.dir, 'library'), photos, model.dim, model.id, () => {}, themes));
    await (await library.vectorIndex(model.id, model.dim)).ready();
    search = new PhotoSearch(library, model);
  }, 60_000);
  afterAll(async () => {
    await library.close();
    await model.dispose();
    await scratch.cleanup();
  });
  return {
    get search() {
      return search;
    },
    get library() {
      return library;
    },
  };
}
