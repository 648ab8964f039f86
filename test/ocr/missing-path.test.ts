/**
 * `lumen ocr` given a path that is not there says it does not exist, as `search` and `text` say
 * it, not that it is outside the library; refused for what it was given, it makes no data folder.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli-main.js';
import { tempDir } from '../helpers/fixtures.js';

describe('lumen ocr with a path that is not there', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    scratch = await tempDir();
  });
  afterAll(() => scratch.cleanup());

  it('says it does not exist, with exit status 2, and makes no data folder', async () => {
    const data = path.join(scratch.dir, 'data');
    const missing = path.join(scratch.dir, 'nonexist');
    expect(await cli('ocr', scratch.dir, missing, '--data', data)).toEqual({
      code: 2,
      stdout: '',
      stderr: `lumen ocr: ${missing} does not exist. Give a folder or photo of the library (a path or #id).\n`,
    });
    expect(existsSync(data)).toBe(false);
  });
});
