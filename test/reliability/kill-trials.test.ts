/**
 * SIGKILL at random moments during indexing, tagging and XMP export (Note [Crash safety] in
 * main/storage/database.ts, Note [Resume] in main/library/indexer.ts, Note [Stale temporary
 * files] in main/tags/xmp.ts). After every kill the database passes integrity_check and holds
 * whole batches only; the next run finishes the work with every photo once and every tag as an
 * uninterrupted run decides it; every sidecar on disk is well-formed XML, a person's own sidecar
 * keeps what it had, and no temporary file outlives the next export; no original changes.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wellFormedError } from '../../main/tags/xml-check.js';
import { runCli, startCli } from '../helpers/cli-process.js';
import { expectSoundLibrary, hashFiles } from '../helpers/concurrency.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { generatePhotos, seeded } from '../helpers/generated-photos.js';
import { copyPhotos, fixturePhotos, queryLibrary } from '../helpers/library.js';
import { report } from '../helpers/report.js';

const INDEX_TRIALS = 8;
const TAG_TRIALS = 7;
const EXPORT_TRIALS = 7;
const model = ['--model', IMMICH_MODEL, '--provider', 'cpu'];

interface Kill {
  job: string;
  /** The process was still running when killed (not already done). */
  midRun: boolean;
  /** How far the work had got, as the database or the folder showed it, of how much. */
  done: number;
  of: number;
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  for (const start = Date.now(); !(await condition()) && Date.now() - start < timeoutMs; ) await sleep(20);
}

/** Sidecars of the photos in `folder`, by photo file name. */
async function sidecars(folder: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const name of await readdir(folder)) if (name.endsWith('.xmp')) found.set(name, await readFile(path.join(folder, name), 'utf8'));
  return found;
}

/** A count read from a library that may not exist yet, or be mid-write. */
function countIn(data: string, sql: string): number {
  try {
    return queryLibrary<number>(data, sql)[0] ?? 0;
  } catch {
    return 0;
  }
}

function expectSoundDatabase(data: string): void {
  expect(queryLibrary<string>(data, 'PRAGMA integrity_check')).toEqual(['ok']);
  // Images, files and embeddings are written in one transaction per batch: never one without the others.
  expect(queryLibrary<number>(data, 'SELECT COUNT(*) FROM images WHERE id NOT IN (SELECT image_id FROM embeddings) OR id NOT IN (SELECT image_id FROM files)')).toEqual([0]);
}

describe('killed at random moments', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let folder: string;
  let originals: Map<string, string>;
  const random = seeded(20_261_130);
  const kills: Kill[] = [];

  /**
   * Starts `argv` and kills it at a random moment: once `progress()` (how much of `total` is
   * done, read from outside) reaches a random point and up to `lateMs` later, or, with
   * `withinMs`, at a random time between 40 % and 105 % of that (a run's measured length: for
   * work that commits too rarely to be watched). The kill is recorded with how far it got.
   */
  async function killDuring(job: string, argv: string[], progress: () => number | Promise<number>, total: number, when: { withinMs?: number; lateMs?: number } = {}): Promise<Kill> {
    const target = Math.floor(random() * total);
    const child = startCli(argv);
    let exited = false;
    void child.done.then(() => (exited = true));
    if (when.withinMs === undefined) {
      await until(async () => exited || (await progress()) >= target);
      await sleep(Math.floor(random() * (when.lateMs ?? 400)));
    } else {
      await sleep(Math.floor(when.withinMs * (0.4 + 0.65 * random())));
    }
    child.kill('SIGKILL');
    const run = await child.done;
    const kill = { job, midRun: run.signal === 'SIGKILL', done: await progress(), of: total };
    kills.push(kill);
    return kill;
  }

  /** How long `argv` takes, start to end, run whole. */
  async function timed(argv: string[]): Promise<number> {
    const started = Date.now();
    expect(await runCli(argv)).toMatchObject({ code: 0 });
    return Date.now() - started;
  }

  beforeAll(async () => {
    scratch = await tempDir('lumen-kill-');
    folder = path.join(scratch.dir, 'Photos');
    // 320 distinct photos: each fixture photo at four JPEG qualities, in one folder (sidecars side by side).
    const photos = await fixturePhotos();
    await copyPhotos(photos, folder, () => '');
    for (const quality of [60, 75, 90]) {
      for (const [i, photo] of photos.entries()) await sharp(photo.file).jpeg({ quality }).toFile(path.join(folder, `q${quality}-${i}.jpg`));
    }
    originals = await hashFiles((await readdir(folder)).map((name) => path.join(folder, name)));
  });
  afterAll(async () => {
    const kinds = ['index', 'tag', 'export'].map((job) => {
      const of = kills.filter((kill) => kill.job === job);
      return `${job}: ${of.length} kills, ${of.filter((kill) => kill.midRun).length} mid-run, at ${of.map((kill) => `${kill.done}/${kill.of}`).join(' ')}`;
    });
    await report('kill-trials', { trials: kills.length, midRun: kills.filter((kill) => kill.midRun).length, survived: kills.length, kills }, [`${kills.length} trials survived (${kinds.join('; ')})`]);
    await scratch.cleanup();
  });

  it(`indexing: ${INDEX_TRIALS} kills, each followed by a run that finishes with every photo once`, async () => {
    const count = originals.size;
    for (let trial = 0; trial < INDEX_TRIALS; trial++) {
      const data = path.join(scratch.dir, `index-${trial}`);
      await killDuring('index', ['index', folder, '--data', data, ...model, '--batch', '4'], () => countIn(data, 'SELECT COUNT(*) FROM embeddings'), count);
      if (existsSync(path.join(data, 'library.db'))) expectSoundDatabase(data);
      expect(await runCli(['index', folder, '--data', data, ...model])).toMatchObject({ code: 0 });
      expectSoundLibrary(data, count);
    }
  });

  describe('on a library indexed once', () => {
    let data: string;
    let generated: string;
    /** What an uninterrupted run leaves with each vocabulary, how many rows it writes, how long it takes. */
    const reference = new Map<string, { tags: string[]; touched: number; ms: number }>();
    const vocabularies = new Map<string, string>();
    const verdicts = () => queryLibrary<string>(data, "SELECT image_id || ' ' || tag || ' ' || rejected FROM image_tags WHERE source = 'person' ORDER BY 1");
    const autoTags = () => queryLibrary<string>(data, "SELECT image_id || ' ' || tag || ' ' || printf('%.5f', score) FROM image_tags WHERE source = 'auto' ORDER BY 1");
    const touchedSince = (since: number) => countIn(data, `SELECT COUNT(*) FROM image_tags WHERE source = 'auto' AND updated_at >= ${since}`);
    const importVocabulary = async (name: string) => expect(await runCli(['vocabulary', '--import', vocabularies.get(name) as string, '--data', data])).toMatchObject({ code: 0 });

    beforeAll(async () => {
      data = path.join(scratch.dir, 'tagged');
      // More photos than the tagger decides in one transaction (2048), so a kill can fall between two.
      generated = path.join(scratch.dir, 'Generated');
      await generatePhotos(generated, 1800);
      expect(await runCli(['index', folder, generated, '--data', data, ...model])).toMatchObject({ code: 0 });
      const shapes = ['circle', 'square', 'triangle', 'star', 'cross'];
      const colours = ['red', 'green', 'blue', 'yellow', 'purple', 'orange', 'white', 'black'];
      for (const [name, template] of [['photos', 'a photo of a {}.'], ['drawings', 'a drawing of a {}.']] as const) {
        const tags = colours.flatMap((colour) => shapes.map((shape) => ({ name: `${colour} ${shape}`, prompts: [`${colour} ${shape}`, `a ${colour} ${shape} shape`], threshold: 0.05 })));
        const file = path.join(scratch.dir, `${name}.json`);
        await writeFile(file, JSON.stringify({ templates: [template], tags }));
        vocabularies.set(name, file);
      }
      await importVocabulary('photos');
      expect(await runCli(['tags', '--confirm', 'red circle', '1', '2', '--data', data])).toMatchObject({ code: 0 });
      expect(await runCli(['tags', '--reject', 'blue star', '3', '--data', data])).toMatchObject({ code: 0 });
      for (const name of ['photos', 'drawings', 'photos']) {
        await importVocabulary(name);
        const since = Date.now();
        const ms = await timed(['tag', '--data', data]);
        reference.set(name, { tags: autoTags(), touched: touchedSince(since), ms });
      }
      expect(reference.get('drawings')?.tags).not.toEqual(reference.get('photos')?.tags);
    });

    it(`tagging: ${TAG_TRIALS} kills, each followed by a run that ends where an uninterrupted one does`, async () => {
      const before = verdicts();
      for (let trial = 0; trial < TAG_TRIALS; trial++) {
        // Switching vocabularies gives every run work: every photo decided again, rows added, changed and removed.
        const name = trial % 2 === 0 ? 'drawings' : 'photos';
        const expected = reference.get(name) as { tags: string[]; touched: number; ms: number };
        await importVocabulary(name);
        const since = Date.now();
        // Half the kills by time (most land before the first commit), half just after a commit
        // is seen (between the two transactions, or after both).
        await killDuring('tag', ['tag', '--data', data], () => touchedSince(since), expected.touched, trial % 2 === 0 ? { withinMs: expected.ms } : { lateMs: 0 });
        expectSoundDatabase(data);
        expect(verdicts()).toEqual(before);
        expect(await runCli(['tag', '--data', data])).toMatchObject({ code: 0 });
        expect(autoTags()).toEqual(expected.tags);
      }
    });

    it(`XMP export: ${EXPORT_TRIALS} kills; sidecars always well-formed, a person's own kept, no temporary file left`, async () => {
      const folders = [folder, ...(await readdir(generated)).map((name) => path.join(generated, name))];
      const own = (await readdir(folder)).filter((name) => name.endsWith('.jpg')).slice(0, 8);
      const ownSidecar = '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="4"/></rdf:RDF></x:xmpmeta>\n';
      const all = async () => new Map((await Promise.all(folders.map(async (dir) => [...(await sidecars(dir))].map(([name, text]) => [path.join(dir, name), text] as const)))).flat());
      const reset = async () => {
        for (const dir of folders) for (const name of await readdir(dir)) if (name.endsWith('.xmp') || name.endsWith('.tmp')) await rm(path.join(dir, name));
        for (const name of own) await writeFile(path.join(folder, `${name}.xmp`), ownSidecar);
      };
      await reset();
      const exportArgs = ['tags', '--export-xmp', '--data', data];
      expect(await runCli(exportArgs)).toMatchObject({ code: 0 });
      const expected = await all();
      expect(expected.size).toBeGreaterThan(100);
      for (let trial = 0; trial < EXPORT_TRIALS; trial++) {
        await reset();
        await killDuring('export', exportArgs, async () => (await all()).size - own.length, expected.size - own.length);
        for (const [file, text] of await all()) expect({ file, problem: wellFormedError(text) }).toEqual({ file, problem: null });
        expect(await runCli(exportArgs)).toMatchObject({ code: 0 });
        for (const dir of folders) expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
        expect(await all()).toEqual(expected);
        for (const name of own) expect(expected.get(path.join(folder, `${name}.xmp`))).toContain('xmp:Rating="4"');
      }
    });
  });

  it('never changed an original', async () => {
    expect(await hashFiles([...originals.keys()])).toEqual(originals);
  });
});
