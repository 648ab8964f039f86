/**
 * A folder of everything a photo folder should not hold (test/helpers/hostile.ts): the run
 * completes, every photo in it is indexed, everything else is reported with a reason, and
 * memory stays bounded.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Library } from '../../main/library/library.js';
import type { ClipModel } from '../../main/models/clip.js';
import { decodeMemory } from '../../main/models/preprocess.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { makeHostileCorpus, type HostileCorpus } from '../helpers/hostile.js';
import { fixturePhotos, loadFixtureModel, openLibrary, queryLibrary } from '../helpers/library.js';

describe('a hostile folder', () => {
  let model: ClipModel;
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let library: Library;
  let corpus: HostileCorpus;
  let folder: string;

  beforeAll(async () => {
    model = await loadFixtureModel(IMMICH_MODEL);
    scratch = await tempDir();
    folder = path.join(scratch.dir, 'Photos');
    await mkdir(folder);
    corpus = await makeHostileCorpus(folder, await fixturePhotos());
    for (const note of corpus.notes) console.log(`hostile corpus: ${note}`);
    library = openLibrary(path.join(scratch.dir, 'data'));
  });
  afterAll(async () => {
    await corpus.close();
    await library.close();
    await model.dispose();
    await scratch.cleanup();
  });

  it('indexes every photo in it and reports everything else with a reason, in bounded memory', { timeout: 120_000 }, async () => {
    decodeMemory.resetPeak();
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    let rewritten = false;
    const summary = await library.index(model, {
      folders: (await library.addFolders([folder])).folders,
      onProgress: (progress) => {
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
        if (progress.phase === 'indexing' && !rewritten) {
          rewritten = true;
          corpus.duringRun();
        }
      },
    });
    expect(rewritten).toBe(true);

    const indexed = new Set(queryLibrary<string>(library.dataDir, 'SELECT path FROM files'));
    const failed = new Map(summary.failed.map((failure) => [failure.path, failure]));
    for (const entry of corpus.entries) {
      if (entry.expect === 'indexed') {
        expect(indexed.has(entry.path), `${entry.what} (${entry.path}) is indexed: ${failed.get(entry.path)?.message ?? 'not reported either'}`).toBe(true);
      } else if (entry.expect === 'forgotten') {
        expect([indexed.has(entry.path), failed.get(entry.path)?.message], `${entry.what} (${entry.path}) is neither indexed nor reported`).toEqual([false, undefined]);
      } else {
        const failure = failed.get(entry.path);
        expect(failure, `${entry.what} (${entry.path}) is reported`).toBeDefined();
        expect(entry.expect, `${entry.what}: ${failure?.message}`).toContain(failure?.reason);
        expect(failure?.message.length).toBeGreaterThan(10);
      }
    }
    // Nothing else was indexed or reported.
    const expected = new Set(corpus.entries.map((entry) => entry.path));
    expect([...indexed].filter((file) => !expected.has(file))).toEqual([]);
    expect(summary.failed.filter((failure) => !expected.has(failure.path))).toEqual([]);
    expect(indexed.size).toBe(corpus.entries.filter((entry) => entry.expect === 'indexed').length);

    // Decodes stayed within the shared budget (one alone may exceed it, none did here), and the
    // process stayed small: about 100 MiB of growth here, where reading /dev/zero never ends.
    expect(decodeMemory.peak).toBeLessThanOrEqual(decodeMemory.capacity);
    expect(peakRss - rssBefore).toBeLessThan(512 * 2 ** 20);
  });

  it('has nothing to redo on the next run', { timeout: 60_000 }, async () => {
    const summary = await library.index(model);
    expect(summary.embedded).toBe(0);
    expect(summary.removed).toBe(0);
  });
});
