/**
 * A query of a library photo (`#id`, what the viewer's Find similar searches) ranks as `similar`
 * does: the photo itself is the question, not an answer, so it is left out, and the relevance
 * cutoff is measured from the photos most like it rather than from the photo's own perfect score.
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Library } from '../../main/library/library.js';
import type { ClipModel } from '../../main/models/clip.js';
import { PhotoSearch } from '../../main/search/search.js';
import { syntheticLibrary } from '../bench/library.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { loadFixtureModel } from '../helpers/library.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
let model: ClipModel;
let library: Library;
let search: PhotoSearch;

beforeAll(async () => {
  scratch = await tempDir();
  model = await loadFixtureModel(IMMICH_MODEL);
  ({ library } = await syntheticLibrary(path.join(scratch.dir, 'library'), 600, model.dim, model.id, () => {}, 3));
  await (await library.vectorIndex(model.id, model.dim)).ready();
  search = new PhotoSearch(library, model);
}, 60_000);
afterAll(async () => {
  await library.close();
  await model.dispose();
  await scratch.cleanup();
});

const ids = (page: { results: Array<{ photoId: number }> }) => page.results.map((hit) => hit.photoId);

it('ranks a query of one photo as Find similar does, the photo itself left out', async () => {
  for (const photoId of [1, 300]) {
    const like = await search.similar(photoId, { limit: 100 });
    const query = await search.search(`#${photoId}`, { limit: 100 });
    expect(ids(query)).not.toContain(photoId);
    expect(ids(query)).toEqual(ids(like));
    expect(query.total).toBe(like.total);
    expect(query.belowCutoff).toBe(like.belowCutoff);
  }
  // A photo the query turns away from is no question: it stays a result, ranked last.
  const away = await search.search('#1 - #2', { limit: 600, showAll: true });
  expect(ids(away)).not.toContain(1);
  expect(ids(away).at(-1)).toBe(2);
});
