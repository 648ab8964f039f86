/**
 * A page number too far for a search is refused as the --page it was typed as, for `search` and
 * `similar` alike, never in the words of the search's own options.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli-main.js';
import { tempDir } from '../helpers/fixtures.js';

describe('a page too far for a search', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let data: string;

  beforeAll(async () => {
    scratch = await tempDir();
    data = path.join(scratch.dir, 'data');
  });

  afterAll(async () => {
    await scratch?.cleanup();
  });

  it('is refused as --page, with the last page the search reaches', async () => {
    for (const [command, target] of [['search', 'sunset'], ['similar', '34']] as const) {
      for (const [page, k, last] of [['50002', '20', '50001'], ['99999999999999999999', '20', '50001'], ['1002', '1000', '1001']] as const) {
        const answer = await cli(command, target, '--page', page, '--k', k, '--data', data);
        expect(answer.code).toBe(2);
        expect(answer.stderr).toBe(`lumen ${command}: --page ${page} is further than a search goes: with ${k} photos a page (--k), it reaches page ${last}.\n`);
        expect(answer.stderr).not.toMatch(/offset|expected/);
      }
    }
  });
});
