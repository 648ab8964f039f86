/**
 * `lumen refine --on TAG` speaks of that tag as `--off TAG` does, where the switch changes nothing
 * of how it is scored, rather than print the listing of every tag and tag the library again.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Storage } from '../../main/storage/storage.js';
import { cli } from '../helpers/cli-main.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

const MODEL = ['--model', IMMICH_MODEL, '--provider', 'cpu'];
const NEEDS_VERDICTS = 'refining needs at least 5 confirmed and 5 rejected photos (there are 0 and 0)';

describe('switching a tag without a refinement on or off', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let data: string;
  const offTag = (tag: string) => {
    const storage = Storage.open(data);
    try {
      return storage.refinements.isOff(tag);
    } finally {
      storage.close();
    }
  };

  beforeAll(async () => {
    scratch = await tempDir();
    data = path.join(scratch.dir, 'data');
    const folder = path.join(scratch.dir, 'Photos');
    await copyPhotos((await fixturePhotos()).slice(0, 3), folder);
    expect((await cli('index', folder, '--data', data, ...MODEL)).code).toBe(0);
  });
  afterAll(() => scratch.cleanup());

  it('says that --on TAG finds no refinement to use, of that tag, however it is spelled', async () => {
    for (const spelled of ['dog', 'DOG']) {
      const on = await cli('refine', '--data', data, ...MODEL, '--on', spelled);
      expect(on).toMatchObject({ code: 0, stderr: '', stdout: `"dog" has no refinement to switch on, so it is scored zero-shot: ${NEEDS_VERDICTS}. It will use a refinement once it has one that shows a gain.\n` });
    }
    const off = await cli('refine', '--data', data, ...MODEL, '--off', 'dog');
    expect(off.stdout).toBe(`"dog" has no refinement to switch off, so it is scored zero-shot already: ${NEEDS_VERDICTS}. Nothing changed.\n`);
  });

  it('allows the refinement of a tag switched off before it lost it again, as --on asks', async () => {
    const storage = Storage.open(data);
    storage.refinements.setOff('dog', true);
    storage.close();
    expect((await cli('refine', '--data', data, ...MODEL, '--on', 'dog')).stdout).toMatch(/^"dog" has no refinement to switch on/);
    expect(offTag('dog')).toBe(false);
  });

  it('still refuses a tag the vocabulary does not have', async () => {
    const unknown = await cli('refine', '--data', data, ...MODEL, '--on', 'hexagon');
    expect(unknown.stderr).toMatch(/There is no tag "hexagon" in the vocabulary/);
  });
});
