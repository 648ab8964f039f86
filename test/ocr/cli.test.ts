/**
 * `lumen ocr`, `lumen text` and `lumen search '"word"'`: output, exit codes (Note [Streams] in
 * main/cli/index.ts) and Ctrl-C during a run.
 */
import { spawn } from 'node:child_process';
import { rename } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeRegExp } from '../../main/core/escape-regexp.js';
import { cli } from '../helpers/cli-main.js';
import { IMMICH_MODEL, ROOT, tempDir } from '../helpers/fixtures.js';
import { fixturePhotos } from '../helpers/library.js';
import { writeTextLibrary } from './helpers.js';

describe('reading text from the command line', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let folder: string;
  let data: string[];

  beforeAll(async () => {
    scratch = await tempDir();
    folder = path.join(scratch.dir, 'Photos');
    await writeTextLibrary(folder, (await fixturePhotos()).filter((_, i) => i % 4 === 0));
    data = ['--data', path.join(scratch.dir, 'data'), '--provider', 'cpu'];
    expect((await cli('index', folder, ...data, '--model', IMMICH_MODEL)).code).toBe(0);
  });
  afterAll(() => scratch.cleanup());

  it('ocr says photos out of reach once for their folder, with exit status 1, and records nothing for them', async () => {
    const away = path.join(scratch.dir, 'unplugged');
    await rename(folder, away);
    try {
      const result = await cli('ocr', ...data);
      expect(result.code).toBe(1);
      const lines = result.stdout.trim().split('\n');
      expect(lines[0]).toMatch(/^Text in photos: 0 photos read, 0 with text, 0 skipped by the quick look, 0 failed, (\d+) out of reach\.$/);
      const reached = Number(/(\d+) out of reach/.exec(lines[0] as string)?.[1]);
      expect(reached).toBeGreaterThan(1);
      expect(lines).toHaveLength(3);
      expect(lines[1]).toMatch(new RegExp(`^  out of reach: ${reached} photos in ${escapeRegExp(folder)}, such as: Cannot read ${escapeRegExp(folder + path.sep)}[^/]+\\.jpg: it does not exist\\.$`));
      expect(lines[2]).toBe('Photos out of reach were not read: the next `lumen ocr` reads them once they can be reached (a drive plugged in, a share mounted, permission given), and `lumen index` forgets those deleted.');
    } finally {
      await rename(away, folder);
    }
    // Nothing was recorded for them: the next run (below) reads them.
    expect(JSON.parse((await cli('status', ...data, '--json')).stdout).text).toMatchObject({ read: 0, failed: 0 });
  });

  it('text reads a photo not read yet and prints its lines, as JSON too', async () => {
    const json = await cli('text', path.join(folder, 'sign-porto.jpg'), ...data, '--json');
    expect(json.code).toBe(0);
    const { lines } = JSON.parse(json.stdout) as { lines: Array<Record<string, unknown>> };
    expect(lines).toEqual([{ text: 'Porto 1987', confidence: expect.any(Number), box: [expect.any(Number), expect.any(Number), expect.any(Number), expect.any(Number)] }]);
    expect(Object.keys(JSON.parse(json.stdout) as object)).toEqual(['lines']);
    expect((await cli('text', path.join(folder, 'sign-porto.jpg'), ...data)).stdout).toBe('Porto 1987\n');
    expect((await cli('text', path.join(folder, 'scenery.jpg'), ...data)).stdout).toMatch(/^No text found in .*scenery\.jpg\.\n$/);
    // Named by its id, it is said as an id.
    const [scenery] = JSON.parse((await cli('search', 'scenery', ...data, '--model', IMMICH_MODEL, '--all', '--k', '100', '--json')).stdout).results.filter((hit: { name: string }) => hit.name === 'scenery.jpg');
    expect((await cli('text', String(scenery.photoId), ...data)).stdout).toBe(`No text found in #${scenery.photoId}.\n`);
  });

  it('text says a photo moved away since it was indexed, with exit status 1, and what brings the library up to date', async () => {
    const photo = path.join(folder, 'star-lisboa.jpg');
    const away = path.join(scratch.dir, 'away.jpg');
    await rename(photo, away);
    try {
      const result = await cli('text', photo, ...data);
      expect(result).toEqual({ code: 1, stdout: '', stderr: `lumen text: Cannot read ${photo}: it does not exist. It was moved or deleted since it was indexed; a re-scan of its folder brings the library up to date.\n` });
    } finally {
      await rename(away, photo);
    }
  });

  it('ocr reads the library past the gate, then search finds quoted text', async () => {
    const run = await cli('ocr', ...data, '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ withText: 2, failed: [] });
    expect(run.stderr).toMatch(/reading text: \d+ of \d+/);
    const again = await cli('ocr', ...data);
    expect(again.stdout).toBe('Nothing new to read: every photo was read, skipped by the quick look or found unreadable already (`lumen text PHOTO` prints a photo’s text).\n');
    const named = await cli('ocr', path.join(folder, 'star-lisboa.jpg'), '--all', ...data);
    expect([named.code, named.stdout]).toEqual([0, 'Nothing new to read: every photo given was read already (`lumen text PHOTO` prints a photo’s text).\n']);
    // Status says how much of the library has been read, as Settings does.
    const counts = JSON.parse((await cli('status', ...data, '--json')).stdout).text as { read: number; withText: number; skipped: number; failed: number };
    // The two this run found, and the one `text` read before it.
    expect(counts).toMatchObject({ withText: 3, failed: 0 });
    expect((await cli('status', ...data)).stdout).toMatch(new RegExp(`^Text:        ${counts.read} photos read, 3 with text, ${counts.skipped} skipped by the quick look, 0 failed$`, 'm'));

    const found = await cli('search', '"lisboa"', ...data, '--json');
    expect(found.code).toBe(0);
    const names = (JSON.parse(found.stdout) as { results: Array<{ name: string }> }).results.map((hit) => hit.name).sort();
    expect(names).toEqual(['sign-lisboa.jpg', 'star-lisboa.jpg']);
    expect((await cli('search', '"lisboa" - "lisboa"', ...data)).stdout).toBe('No matching photos.\n');
    // A plain query's words found in photos' text lift them: the lines say which, and why they may outrank a higher score.
    const fused = (await cli('search', 'star lisboa', ...data)).stdout.trim().split('\n');
    expect(fused.filter((line) => line.endsWith('  [its text matches]')).map((line) => path.basename(line.replace('  [its text matches]', ''))).sort()).toEqual(['sign-lisboa.jpg', 'star-lisboa.jpg']);
    expect(fused.at(-1)).toMatch(/ Photos whose text matches rank by it too, not by their score alone\.$/);
  });

  it('ocr reads a folder or a photo past the gate with --all', async () => {
    const picked = await cli('ocr', path.join(folder, 'scenery.jpg'), '#1', ...data, '--all', '--json');
    expect(picked.code).toBe(0);
    expect(JSON.parse(picked.stdout)).toMatchObject({ skipped: 0, failed: [] });
  });

  it('says what is wrong, in one line, with exit status 2', async () => {
    const cases = [
      ['text', path.join(scratch.dir, 'elsewhere.jpg')],
      ['text'],
      ['text', '#1', '#2'],
      ['text', '#99999'],
      ['ocr', path.join(scratch.dir, 'elsewhere')],
      ['ocr', '#99999'],
      ['search', '2:"lisboa"'],
      ['ocr', '--data', path.join(scratch.dir, 'empty')],
    ];
    for (const argv of cases) {
      const result = await cli(...argv, ...(argv.includes('--data') ? [] : data));
      expect({ argv, code: result.code }).toEqual({ argv, code: 2 });
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('stops at the next photo on Ctrl-C with exit status 130; the next run reads the rest', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'main', 'cli', 'index.ts'), 'ocr', folder, '--all', ...data, '--json'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    let interrupted = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const code = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!interrupted && /reading text: 0 of/.test(stderr)) interrupted = child.kill('SIGINT');
    });
    expect(await code).toBe(130);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/Stopping at the next checkpoint/);
    // What was read is kept, and said so (Note [Cancelled, and what is kept] in main/cli/common.ts).
    expect(stderr).toMatch(new RegExp(`lumen ocr: Cancelled: \\d+ of \\d+ photos? done and kept; \`lumen ocr ${escapeRegExp(data.join(' '))} --all ${escapeRegExp(folder)}\` goes on from there\\.`));
    const rest = await cli('ocr', folder, '--all', ...data, '--json');
    expect(rest.code).toBe(0);
    expect(JSON.parse(rest.stdout)).toMatchObject({ skipped: 0, failed: [] });
    expect(JSON.parse((await cli('ocr', folder, '--all', ...data, '--json')).stdout)).toEqual({ read: 0, withText: 0, skipped: 0, failed: [] });
  });
});
