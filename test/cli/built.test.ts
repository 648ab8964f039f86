/**
 * The built CLI (Note [Cold start] in main/cli/index.ts): `npm run build:cli`'s configuration
 * builds a file that runs with plain Node, indexes and searches a library as the sources do, and
 * leaves libvips out of a search until it is needed.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../main/cli/index.js';
import { IMMICH_MODEL, ROOT, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

const run = promisify(execFile);

describe('the built CLI', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let outDir: string;
  let lumen: string;
  beforeAll(async () => {
    scratch = await tempDir();
    // Inside the project, as out/cli is: the bundle loads its dependencies from node_modules.
    await mkdir(path.join(ROOT, 'out'), { recursive: true });
    outDir = await mkdtemp(path.join(ROOT, 'out', 'cli-test-'));
    await build({ configFile: path.join(ROOT, 'cli.vite.config.ts'), build: { outDir, sourcemap: false } });
    lumen = path.join(outDir, 'lumen.cjs');
  }, 120_000);
  afterAll(async () => {
    await rm(outDir, { recursive: true, force: true });
    await scratch.cleanup();
  });

  it('runs with plain Node: indexes, then searches as the sources do', async () => {
    expect((await run(process.execPath, [lumen, '--version'])).stdout).toMatch(/^lumen \d+\.\d+\.\d+/);
    const folder = path.join(scratch.dir, 'Photos');
    await copyPhotos((await fixturePhotos()).slice(0, 20), folder);
    const data = path.join(scratch.dir, 'data');
    await run(process.execPath, [lumen, 'index', folder, '--data', data, '--model', IMMICH_MODEL, '--provider', 'cpu', '--json']);
    const args = ['search', 'a photo of a circle.', '--data', data, '--model', IMMICH_MODEL, '--provider', 'cpu', '--json', '--all'];
    const built = JSON.parse((await run(process.execPath, [lumen, ...args])).stdout) as { results: Array<{ path: string; score: number }> };
    let stdout = '';
    expect(await main(args, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: () => true } })).toBe(0);
    const sources = JSON.parse(stdout) as typeof built;
    expect(built.results).toHaveLength(20);
    expect(built.results.map((hit) => hit.path)).toEqual(sources.results.map((hit) => hit.path));
  });

  it('loads libvips only in the parts that decode photos', async () => {
    const files = await readdir(path.dirname(lumen));
    const entry = await readFile(lumen, 'utf8');
    expect(entry).not.toMatch(/require\("sharp"\)/);
    const withSharp = [];
    for (const file of files.filter((name) => name.endsWith('.cjs') && name !== 'lumen.cjs')) if ((await readFile(path.join(path.dirname(lumen), file), 'utf8')).includes('require("sharp")')) withSharp.push(file.replace(/-[\w-]+\.cjs$/, ''));
    expect(withSharp.sort()).toEqual(['benchmark', 'decode', 'finder', 'indexer', 'ocr', 'preprocess', 'variants']);
  });
});
