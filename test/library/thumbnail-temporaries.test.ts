/**
 * Note [Temporaries swept on the first write] in main/library/thumbnails.ts: a thumbnail a killed
 * run was writing is cleared by the next run's writing, never one another process is writing.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { temporaryName } from '../../main/core/temporary-files.js';
import { ThumbnailStore } from '../../main/library/thumbnails.js';
import { tempDir } from '../helpers/fixtures.js';

describe('temporary thumbnails', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  beforeEach(async () => {
    scratch = await tempDir();
  });
  afterEach(() => scratch.cleanup());

  it('left by a killed run are removed as thumbnails are written again, those being written are kept', async () => {
    const store = new ThumbnailStore(scratch.dir);
    const file = (kind: 'thumbs' | 'previews') => store.absolute(store.relativePath(`28${'c8'.repeat(31)}`, kind));
    const left = [file('thumbs'), file('previews')].map((real) => `${real}.999999999-e50a1063.tmp`);
    const beingWritten = temporaryName(file('thumbs'));
    for (const temporary of [...left, beingWritten]) {
      await mkdir(path.dirname(temporary), { recursive: true });
      await writeFile(temporary, 'half a thumbnail');
    }

    await store.write(`ab${'00'.repeat(31)}`, Buffer.from('a thumbnail'));
    await store.write(`ab${'00'.repeat(31)}`, Buffer.from('a preview'), 'previews');
    await vi.waitFor(() => expect(left.filter((temporary) => existsSync(temporary))).toEqual([]), { timeout: 5000 });
    expect(existsSync(beingWritten)).toBe(true);
  });
});
