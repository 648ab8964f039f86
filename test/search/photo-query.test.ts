/**
 * A query of a library photo (`#id`, what the viewer's Find similar searches) ranks as `similar`
 * does: the photo itself is the question, not an answer, so it is left out, and the relevance
 * cutoff is measured from the photos most like it rather than from the photo's own perfect score.
 */
import { expect, it } from 'vitest';
import { syntheticSearch } from '../helpers/synthetic-search.js';

const synthetic = syntheticSearch(600, 3);

const ids = (page: { results: Array<{ photoId: number }> }) => page.results.map((hit) => hit.photoId);

it('ranks a query of one photo as Find similar does, the photo itself left out', async () => {
  for (const photoId of [1, 300]) {
    const like = await synthetic.search.similar(photoId, { limit: 100 });
    const query = await synthetic.search.search(`#${photoId}`, { limit: 100 });
    expect(ids(query)).not.toContain(photoId);
    expect(ids(query)).toEqual(ids(like));
    expect(query.total).toBe(like.total);
    expect(query.belowCutoff).toBe(like.belowCutoff);
  }
  // A photo the query turns away from is no question: it stays a result, ranked last.
  const away = await synthetic.search.search('#1 - #2', { limit: 600, showAll: true });
  expect(ids(away)).not.toContain(1);
  expect(ids(away).at(-1)).toBe(2);
});

it('says a photo the query names is not in the library, without advice for the command line', async () => {
  // A path names no photo in a query (nor in the window's search box): the message offers none.
  await expect(synthetic.search.search('#999999', { limit: 10 })).rejects.toMatchObject({ code: 'not-found', message: 'There is no photo #999999 in the library.' });
  await expect(synthetic.search.similar(999_999, { limit: 10 })).rejects.toMatchObject({ code: 'not-found', message: 'There is no photo #999999 in the library.' });
});
