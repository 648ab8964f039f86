/**
 * The CLI as a new user meets it: the same exit status for the same kind of mistake everywhere,
 * wording, paging, suggestions, Ctrl-C, and a quiet stderr with --json.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../main/cli/index.js';
import { copyModel, IMMICH_MODEL, ROOT, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

/** The CLI in its own process (own process group, so a hung run can be killed whole). */
function run(argv: string[], onStderr: (text: string, kill: (signal: NodeJS.Signals) => void) => void = () => {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // Node itself with tsx's loader (not the tsx wrapper, which would pass a Ctrl-C on a second time).
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'main', 'cli', 'index.ts'), ...argv], { cwd: ROOT, detached: true });
  let stdout = '';
  let stderr = '';
  const kill = (signal: NodeJS.Signals) => process.kill(-(child.pid as number), signal);
  const timer = setTimeout(() => kill('SIGKILL'), 60_000);
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk;
    onStderr(stderr, kill);
  });
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

describe('the command line, tried as a new user would', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let data: string;
  let folder: string;
  const model = ['--model', IMMICH_MODEL, '--provider', 'cpu'];

  beforeAll(async () => {
    scratch = await tempDir();
    data = path.join(scratch.dir, 'data');
    folder = path.join(scratch.dir, 'Photos');
    await copyPhotos((await fixturePhotos()).slice(0, 30), folder, () => '');
    const first = await cli('index', folder, '--data', data, ...model);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Indexed with tiny-clip-immich: 30 photos embedded, 0 unchanged, 0 copies, 0 moved, 0 removed, 0 failed in /);
  });
  afterAll(() => scratch.cleanup());

  it('exits with 2 for a photo, folder or model that does not exist, whatever the command', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['similar', '99999', '--data', data], /no photo #99999/],
      [['similar', path.join(scratch.dir, 'nope.jpg'), '--data', data], /nope\.jpg does not exist/],
      [['search', `a circle + ${path.join(scratch.dir, 'nope.jpg')}`, '--data', data], /nope\.jpg does not exist/],
      [['tags', '#99999', '--data', data], /no photo #99999/],
      [['index', path.join(scratch.dir, 'no-such-folder'), '--data', data, ...model], /The folder .*no-such-folder does not exist/],
      [['search', 'a circle', '--data', data, '--model', 'no-such-model'], /No model folder or catalogue model named "no-such-model"/],
      [['index', '--data', data, '--model', path.join(scratch.dir, 'nope')], /No model folder or catalogue model named/],
      [['status', '--data', data, '--model', path.join(scratch.dir, 'nope')], /No model folder/],
      [['search', 'a circle', '--data', data, '--k', '0'], /--k takes a whole number from 1 to 1000, not "0"/],
      [['search', 'a circle', '--data', data, '--page', '0'], /--page takes a whole number 1 or more/],
      [['search', 'a circle', '--data', data, '--type', 'bmp'], /--type takes jpeg, png/],
    ];
    for (const [argv, message] of cases) {
      const result = await cli(...argv);
      expect({ argv, code: result.code, stderr: result.stderr }).toEqual({ argv, code: 2, stderr: expect.stringMatching(message) });
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('numbers a later page from where the first ended, says how many matched and what the cutoff hid', async () => {
    const first = await cli('search', 'a photo of a circle.', '--data', data, '--all', '--k', '4');
    expect(first.stdout).toMatch(/^ {3}1\. /);
    expect(first.stdout).toMatch(/30 photos match; showing 1-4 \(page 1 of 8\)\.$/m);
    const second = await cli('search', 'a photo of a circle.', '--data', data, '--all', '--k', '4', '--page', '2');
    expect(second.stdout.split('\n')[0]).toMatch(/^ {3}5\. /);
    const past = await cli('search', 'a photo of a circle.', '--data', data, '--all', '--k', '4', '--page', '9');
    expect(past).toMatchObject({ code: 0, stdout: 'Page 9 is past the end: 30 photos match, on 8 pages.\n' });
    const cut = await cli('search', 'a photo of a circle.', '--data', data);
    expect(cut.stdout).toMatch(/\d+ photos? match(es)?; showing .* \(\d+ more photos? below the relevance cutoff: --all shows them\)\.$/m);
  });

  it('reports a moved photo as moved only, in singular where it is one', async () => {
    const [name] = (await import('node:fs')).readdirSync(folder);
    await mkdir(path.join(folder, 'sub'), { recursive: true });
    await rename(path.join(folder, name as string), path.join(folder, 'sub', name as string));
    const result = await cli('index', '--data', data, ...model);
    expect(result.stdout).toMatch(/: 0 photos embedded, 29 unchanged, 0 copies, 1 moved, 0 removed, 0 failed in /);
  });

  it('does not leave a folder added when indexing it fails on a broken model', async () => {
    const broken = await copyModel(IMMICH_MODEL, scratch.dir, 'wrong-dim');
    const config = path.join(broken, 'config.json');
    const parsed = JSON.parse(await readFile(config, 'utf8')) as { embed_dim: number };
    await writeFile(config, JSON.stringify({ ...parsed, embed_dim: parsed.embed_dim + 1 }));
    const other = path.join(scratch.dir, 'Other');
    await copyPhotos((await fixturePhotos()).slice(60, 62), other);
    const failed = await cli('index', other, '--data', data, '--model', broken, '--provider', 'cpu');
    expect(failed.code).toBe(1);
    const status = JSON.parse((await cli('status', '--data', data, '--json', ...model)).stdout);
    expect(status.library.folders.map((f: { path: string }) => f.path)).toEqual([folder]);
  });

  it('suggests the nearest command or option, and prints its version', async () => {
    expect((await cli('serch', 'x')).stderr).toMatch(/unknown command "serch"\. Did you mean `search`\?/);
    const option = await cli('search', 'x', '--sortt', 'newest', '--data', data);
    expect(option).toMatchObject({ code: 2, stderr: expect.stringMatching(/Unknown option '--sortt'\. Did you mean --sort\? See/) });
    const version = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')).version as string;
    expect(await cli('--version')).toMatchObject({ code: 0, stdout: `lumen ${version}\n` });
  });

  it('stops at the first Ctrl-C with what is done kept, and keeps stderr quiet with --json', async () => {
    const more = path.join(scratch.dir, 'More');
    await copyPhotos((await fixturePhotos()).slice(30), more);
    let sent = false;
    const interrupted = await run(['index', more, '--data', data, ...model, '--batch', '1'], (stderr, kill) => {
      if (!sent && /indexing: /.test(stderr)) {
        sent = true;
        kill('SIGINT');
      }
    });
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toMatch(/Stopping at the next checkpoint; what is done is kept/);
    expect(interrupted.stderr).toMatch(/lumen index: Cancelled\./);
    const status = await run(['status', '--data', data, '--json', ...model]);
    expect(status).toMatchObject({ code: 0, stderr: '' });
    const before = JSON.parse(status.stdout).library.photos as number;
    const resumed = JSON.parse((await cli('index', '--data', data, '--json', ...model)).stdout);
    // 30 photos from the first run and the 50 of the interrupted one: each embedded exactly once.
    expect(before + resumed.embedded).toBe(80);
    expect(resumed.unchanged).toBe(before);
  });
});
