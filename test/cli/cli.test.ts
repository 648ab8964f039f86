import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeRegExp } from '../../main/core/escape-regexp.js';
import { cli } from '../helpers/cli-main.js';
import { HF_MODEL, IMMICH_MODEL, PHOTOS, ROOT, norm, tempDir } from '../helpers/fixtures.js';

describe('command-line interface', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let photos: string[];
  beforeAll(async () => {
    scratch = await tempDir();
    const circles = path.join(PHOTOS, 'shapes', 'circle');
    photos = (await readdir(circles)).slice(0, 2).map((name) => path.join(circles, name));
  });
  afterAll(() => scratch.cleanup());

  it('embed-text prints one unit vector per text, in order', async () => {
    const { code, stdout } = await cli('embed-text', '--model', IMMICH_MODEL, '--provider', 'cpu', '--json', 'a photo of a star.', 'a photo of a circle.');
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ model: 'tiny-clip-immich', dim: expect.any(Number) });
    expect(result.vectors).toHaveLength(2);
    for (const vector of result.vectors) {
      expect(vector).toHaveLength(result.dim);
      expect(norm(vector)).toBeCloseTo(1, 5);
    }
    expect(result.vectors[0]).not.toEqual(result.vectors[1]);
  });

  it('embed-image prints one unit vector per photo', async () => {
    const { code, stdout } = await cli('embed-image', '--model', HF_MODEL, '--provider', 'cpu', '--json', ...photos);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.vectors).toHaveLength(photos.length);
    expect(norm(result.vectors[0])).toBeCloseTo(1, 5);
  });

  it('fails with one actionable line for bad input', async () => {
    const unknown = await cli('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);

    const missingModel = await cli('embed-text', '--model', path.join(scratch.dir, 'nope'), '--data', scratch.dir, 'hi');
    expect(missingModel.code).toBe(2);
    expect(missingModel.stderr.trim().split('\n')).toHaveLength(1);
    // Advice names a command as it is typed, `lumen` first.
    expect(missingModel.stderr).toMatch(/No model folder or catalogue model named ".*nope"\. See `lumen models list`\.\n$/);

    const noModelInstalled = await cli('embed-text', '--data', scratch.dir, 'hi');
    expect(noModelInstalled.stderr).toMatch(/No model is installed\. Run `lumen models download /);
    expect((await cli('status', '--data', scratch.dir)).stdout).toMatch(/^Model: +none: No model is installed\. Run `lumen models download /m);

    const notAnImage = path.join(scratch.dir, 'notes.jpg');
    await writeFile(notAnImage, 'text');
    const bad = await cli('embed-image', '--model', IMMICH_MODEL, '--provider', 'cpu', '--json', notAnImage);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/notes\.jpg is not an image\./);

    const extra = await cli('status', 'foo');
    expect(extra.code).toBe(2);
    expect(extra.stderr).toBe('lumen status: takes no arguments, only options; "foo" is not one. See `lumen status --help`.\n');

    const badOption = await cli('status', '--frob');
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toMatch(/Unknown option '--frob'/);

    // Words and values that start with "-" are read as options: the message says how to write them.
    const dashedQuery = await cli('search', '--data', scratch.dir, '- people');
    expect(dashedQuery.code).toBe(2);
    expect(dashedQuery.stderr).toMatch(/^lumen search: "- people" starts with "-", so it was read as an option: put -- before it, after every option \(lumen search \[options\] -- "- people"\)\./);
    // An option after -- would be searched for as words, on the default library: refused.
    const optionAfter = await cli('search', '--', '- people', '--data', scratch.dir, '--json');
    expect([optionAfter.code, optionAfter.stdout]).toEqual([2, '']);
    expect(optionAfter.stderr).toBe('lumen search: --data comes after --, which makes it words of the argument, not an option: put every option before -- (lumen search [options] -- QUERY).\n');
    const negative = await cli('search', '--data', scratch.dir, '--cutoff', '-1', 'dog');
    expect(negative.stderr).toMatch(/^lumen search: --cutoff -1 reads "-1" as an option: write --cutoff=-1\./);
    expect((await cli('search', '--data', scratch.dir, '--', '- people')).stderr).toMatch(/There is no library/);
    expect((await cli('search', '--frob', '- people')).stderr).toMatch(/^lumen search: Unknown option '--frob'/);
    // A date must look like one: Date.parse alone takes "0" for the year 2000.
    for (const date of ['0', 'yesterday', '2023-13-01']) expect((await cli('search', '--data', scratch.dir, '--after', date, 'dog')).stderr).toBe(`lumen search: --after takes a date like 2023-06-30, not "${date}".\n`);
    // Both ends given the wrong way round, in the person's own words (before the library is looked for).
    expect((await cli('search', '--data', scratch.dir, '--after', '2024', '--before', '2020-01-01', 'dog')).stderr).toBe('lumen search: --after 2024 is later than --before 2020-01-01: no photo can be both.\n');
    expect((await cli('models', 'list', 'extra', '--data', scratch.dir)).stderr).toBe('lumen models: `models list` takes no argument; "extra" is not one.\n');
    // An option missing its value, followed by another option.
    const noValue = await cli('tags', '--confirm', '--data', scratch.dir);
    expect([noValue.code, noValue.stderr]).toEqual([2, 'lumen tags: --confirm needs a value: --confirm TAG. See `lumen tags --help`.\n']);

    const badProvider = await cli('status', '--model', IMMICH_MODEL, '--provider', 'quantum');
    expect(badProvider.code).toBe(2);
    expect(badProvider.stderr).toMatch(/Unknown provider "quantum"/);
  });

  it('describes every command with --help', async () => {
    for (const command of ['embed-text', 'embed-image', 'models', 'status', 'bench-embed', 'folders']) {
      const { code, stdout } = await cli(command, '--help');
      expect(code).toBe(0);
      expect(stdout).toContain(`Usage: lumen ${command}`);
      expect(stdout).toContain('--json');
    }
    expect((await cli('--help')).stdout).toContain('Commands:');
  });

  it('status reports the model, its dimension and the provider in use', async () => {
    const { code, stdout } = await cli('status', '--model', HF_MODEL, '--json');
    expect(code).toBe(0);
    const status = JSON.parse(stdout);
    expect(status.model).toMatchObject({ id: 'tiny-clip-hf', layout: 'hf', dim: expect.any(Number) });
    expect(status.library).toBeNull();
    expect(status.availableProviders).toContain('cpu');
    // auto ends on a provider that really started (the CPU where no GPU adapter exists).
    expect(status.availableProviders).toContain(status.model.providers.image);
    expect(status.availableProviders).toContain(status.model.providers.text);
  });

  it('models import and list work against a data folder', async () => {
    const imported = await cli('models', 'import', IMMICH_MODEL, '--data', scratch.dir, '--json');
    expect(imported.code).toBe(0);
    const listed = JSON.parse((await cli('models', 'list', '--data', scratch.dir, '--json')).stdout);
    expect(listed.installed.map((m: { id: string }) => m.id)).toEqual(['tiny-clip-immich']);
    expect(listed.catalogue.length).toBeGreaterThanOrEqual(3);
    const byId = await cli('embed-text', '--data', scratch.dir, '--model', 'tiny-clip-immich', '--provider', 'cpu', '--json', 'x');
    expect(byId.code).toBe(0);
  });

  it('says once, at the end of an index run, how many RAW files and videos it passed over, as no failures (Note [Nothing skipped silently])', async () => {
    const data = path.join(scratch.dir, 'passed-over');
    const folder = path.join(scratch.dir, 'with-raw');
    await mkdir(folder, { recursive: true });
    for (const photo of photos) await copyFile(photo, path.join(folder, path.basename(photo)));
    for (const name of ['IMG_0001.CR2', 'IMG_0002.nef', 'IMG_0003.arw', 'trip.MP4', 'notes.txt', 'IMG_0004.thm']) await writeFile(path.join(folder, name), 'not indexed');
    const run = await cli('index', '--data', data, '--model', IMMICH_MODEL, '--provider', 'cpu', folder);
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^Indexed with tiny-clip-immich: 2 photos embedded, 0 unchanged, 0 copies, 0 moved, 0 removed, 0 failed in /),
      '3 RAW files and 1 video were not indexed: Lumen indexes JPEG, PNG, GIF, WebP, AVIF, HEIC and TIFF.',
    ]);
    const again = await cli('index', '--data', data, '--model', IMMICH_MODEL, '--provider', 'cpu', '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ unchanged: 2, failed: [], passedOver: { raw: 3, video: 1 } });
  });

  it('lists the library\'s folders and takes one out, leaving its files alone', async () => {
    const data = path.join(scratch.dir, 'folders');
    const folder = path.join(scratch.dir, 'two-circles');
    await mkdir(folder, { recursive: true });
    for (const photo of photos) await copyFile(photo, path.join(folder, path.basename(photo)));
    expect((await cli('index', '--data', data, '--model', IMMICH_MODEL, '--provider', 'cpu', folder)).code).toBe(0);
    const listed = await cli('folders', '--data', data);
    expect(listed.stdout.trim()).toBe(folder);

    const unknown = await cli('folders', '--data', data, '--remove', path.join(scratch.dir, 'elsewhere'));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/elsewhere is not a folder of the library; its folders are .*two-circles\./);

    // Named through a link, it is the same folder.
    await symlink(folder, path.join(scratch.dir, 'circles-link'));
    const removed = await cli('folders', '--data', data, '--remove', path.join(scratch.dir, 'circles-link'), '--json');
    expect(removed.code).toBe(0);
    expect(JSON.parse(removed.stdout).removed.path).toBe(folder);
    expect(JSON.parse((await cli('folders', '--data', data, '--json')).stdout)).toEqual([]);
    expect(JSON.parse((await cli('status', '--data', data, '--model', IMMICH_MODEL, '--json')).stdout).library.photos).toBe(0);
    expect(await readdir(folder)).toHaveLength(photos.length);
  });

  it('says why a search found nothing when a filter names a tag or folder the library does not have', async () => {
    const data = path.join(scratch.dir, 'filters');
    const folder = path.join(scratch.dir, 'filter-circles');
    await mkdir(folder, { recursive: true });
    for (const photo of photos) await copyFile(photo, path.join(folder, path.basename(photo)));
    const model = ['--data', data, '--model', IMMICH_MODEL, '--provider', 'cpu'];
    expect((await cli('index', ...model, folder)).code).toBe(0);
    const search = (...options: string[]) => cli('search', ...model, 'a circle', '--all', ...options);

    expect((await search('--tag', 'beach')).stdout).toBe('No photo has the tag "beach": no photo has any tag yet (`lumen tag` tags them).\n');
    expect((await cli('tags', ...model, '--confirm', 'beach', path.join(folder, path.basename(photos[0] as string)))).code).toBe(0);
    const typo = await search('--tag', 'baech');
    expect([typo.code, typo.stdout]).toEqual([0, 'No photo has the tag "baech". Did you mean "beach"? Tags in the library: beach (`lumen tags` lists them).\n']);
    expect((await search('--tag', 'BEACH')).stdout).toMatch(/1 photo matches/);

    const elsewhere = path.join(scratch.dir, 'elsewhere');
    expect((await search('--folder', elsewhere)).stdout).toBe(`No photos under ${elsewhere}: it is not in the library, whose folders are ${folder}.\n`);
    // With --json the same reason comes with the page, whose own fields stay as they are.
    for (const [filter, value, reason] of [
      ['--folder', elsewhere, `No photos under ${elsewhere}: it is not in the library, whose folders are ${folder}.`],
      ['--tag', 'baech', 'No photo has the tag "baech". Did you mean "beach"? Tags in the library: beach (`lumen tags` lists them).'],
    ] as const) {
      const page = JSON.parse((await search(filter, value, '--json')).stdout);
      expect(page).toMatchObject({ results: [], total: 0, reason });
    }
    expect(JSON.parse((await search('--folder', scratch.dir, '--json')).stdout)).not.toHaveProperty('reason');
    // A folder inside the library's, or one holding it, is no mistake: nothing is said beyond the results.
    expect((await search('--folder', scratch.dir)).stdout).toMatch(/2 photos match/);
    expect((await search('--folder', path.join(folder, 'nothing-here'))).stdout).toBe('No matching photos.\n');
    // The library's folder named through a link is the same folder.
    await symlink(folder, path.join(scratch.dir, 'filter-circles-link'));
    expect((await search('--folder', path.join(scratch.dir, 'filter-circles-link'))).stdout).toMatch(/2 photos match/);
  });

  it('says where the model stopped reading a description longer than it reads (Note [Long descriptions said])', async () => {
    const data = path.join(scratch.dir, 'long-descriptions');
    const folder = path.join(scratch.dir, 'long-circles');
    await mkdir(folder, { recursive: true });
    for (const photo of photos) await copyFile(photo, path.join(folder, path.basename(photo)));
    const model = ['--data', data, '--model', IMMICH_MODEL, '--provider', 'cpu'];
    expect((await cli('index', ...model, folder)).code).toBe(0);
    const long = 'a red circle on a white background next to a blue square and a green star at noon';
    const searched = await cli('search', ...model, long, '--all');
    expect(searched.code).toBe(0);
    expect(searched.stdout.trim().split('\n').at(-1)).toBe('Only the start of a long description counts: the model read it up to “…a white background next to a”.');
    expect(JSON.parse((await cli('search', ...model, long, '--json')).stdout).cutShort).toEqual(['a red circle on a white background next to a']);
    expect((await cli('search', ...model, 'a red circle', '--all')).stdout).not.toMatch(/long description/);
  });

  it('takes an empty database file, as a first run stopped by a full disk leaves, for no library yet', async () => {
    const data = path.join(scratch.dir, 'left-empty');
    await mkdir(data, { recursive: true });
    await writeFile(path.join(data, 'library.db'), '');
    const searched = await cli('search', '--data', data, '--model', IMMICH_MODEL, '--provider', 'cpu', 'dog');
    expect(searched.code).toBe(2);
    expect(searched.stderr).toMatch(/There is no library in .* yet\. Add a folder of photos first/);
    expect(searched.stderr.trim().split('\n')).toHaveLength(1);
  });

  // Where CUDA's provider is installed (a GPU machine), it starts: nothing to refuse.
  const cudaProvider = path.join(ROOT, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', 'linux', 'x64', 'libonnxruntime_providers_cuda.so');
  it.skipIf(process.platform !== 'linux' || existsSync(cudaProvider))('says in one line that a provider asked for by name cannot start, without ONNX Runtime’s own log', async () => {
    // A process of its own: ONNX Runtime writes its log to the process's stderr itself.
    const refused = await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(ROOT, 'main', 'cli', 'index.ts'), 'embed-text', '--model', IMMICH_MODEL, '--provider', 'cuda', 'hello'], { cwd: ROOT }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^lumen embed-text: The requested provider could not start \(cuda: [^)]{1,160}\)\. Use --provider auto or cpu\.\n$/);
  });

  it.skipIf(process.platform !== 'linux' || existsSync(cudaProvider))('says a provider that cannot start as the provider’s failure in status, not the model’s (Note [A model that cannot run])', async () => {
    // The model installed, not named: a model named with --model that cannot run was always the caller's to hear of.
    const data = path.join(scratch.dir, 'data');
    expect((await cli('models', 'import', IMMICH_MODEL, '--data', data)).code).toBe(0);
    const refused = await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(ROOT, 'main', 'cli', 'index.ts'), 'status', '--data', data, '--provider', 'cuda'], { cwd: ROOT }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^lumen status: The requested provider could not start \(cuda: [^)]{1,160}\)\. Use --provider auto or cpu\.\n$/);
  });

  it('leaves no library behind when the folder it was asked to add does not exist', async () => {
    const data = path.join(scratch.dir, 'never-made');
    const refused = await cli('index', '--data', data, '--model', IMMICH_MODEL, '--provider', 'cpu', path.join(scratch.dir, 'mistyped'));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/The folder .*mistyped does not exist/);
    expect(existsSync(data)).toBe(false);
  });

  it('refuses work on a library there is none of before it claims one: nothing is left in the folder given as --data', async () => {
    // A folder of photos given as --data by mistake, and one that does not exist.
    const photos = path.join(scratch.dir, 'photos-as-data');
    await mkdir(photos);
    await writeFile(path.join(photos, 'IMG_1.jpg'), 'x');
    for (const data of [photos, path.join(scratch.dir, 'no-such-data')]) {
      for (const argv of [['tag'], ['ocr'], ['duplicates'], ['tags', '--confirm', 'dog', '#1'], ['folders', '--remove', photos], ['vocabulary', '--reset'], ['text', '#1']]) {
        const refused = await cli(...argv, '--data', data);
        expect([refused.code, refused.stderr], argv.join(' ')).toEqual([2, expect.stringMatching(new RegExp(`^lumen ${argv[0]}: There is no library in ${escapeRegExp(data)} yet`))]);
      }
    }
    expect(await readdir(photos)).toEqual(['IMG_1.jpg']);
    expect(existsSync(path.join(scratch.dir, 'no-such-data'))).toBe(false);
  });

  it('says a folder it cannot open is out of reach, not missing, and leaves no library behind', async () => {
    const data = path.join(scratch.dir, 'never-made-either');
    // A link to itself: one reason root, as CI runs, cannot open a folder (it opens any mode).
    const looped = path.join(scratch.dir, 'looped');
    await symlink(looped, looped);
    const refused = await cli('index', '--data', data, '--model', IMMICH_MODEL, '--provider', 'cpu', looped);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`lumen index: The folder ${looped} cannot be opened: it is a symbolic link that leads back to itself.\n`);
    expect(existsSync(data)).toBe(false);
  });

  it('runs from the project root with npm run -s cli', async () => {
    const { stdout } = await promisify(execFile)('npm', ['run', '-s', 'cli', '--', 'embed-text', '--model', IMMICH_MODEL, '--provider', 'cpu', '--json', 'hello'], { cwd: ROOT });
    expect(JSON.parse(stdout).vectors).toHaveLength(1);
  });

  it('reads the paths it is given from the folder where npm run -s cli was typed, not the project root', async () => {
    const elsewhere = path.join(scratch.dir, 'typed-here');
    await mkdir(elsewhere, { recursive: true });
    await copyFile(photos[0] as string, path.join(elsewhere, 'photo.jpg'));
    const { stdout } = await promisify(execFile)('npm', ['--prefix', ROOT, 'run', '-s', 'cli', '--', 'embed-image', '--model', IMMICH_MODEL, '--provider', 'cpu', '--json', './photo.jpg'], { cwd: elsewhere });
    expect(JSON.parse(stdout).vectors).toHaveLength(1);
  });

  it('exits once finished, whatever is left open under it (a script waiting on it would hang)', async () => {
    // A timer that never ends, as a leaked handle would be.
    const env = { ...process.env, NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --import=data:text/javascript,setInterval(()=>{},1000)` };
    const { stdout } = await promisify(execFile)('npm', ['run', '-s', 'cli', '--', 'status', '--json', '--data', path.join(scratch.dir, 'left-open')], { cwd: ROOT, env, timeout: 30_000 });
    expect(JSON.parse(stdout)).toHaveProperty('dataDir');
  });

  it('stops quietly when the reader of its output goes away (| head)', async () => {
    // Far more than a pipe holds (64 KB), so the writes meet the closed pipe.
    const texts = Array.from({ length: 400 }, (_, i) => `a photo of a dog number ${i}`);
    const command = `npm run -s cli -- embed-text --model '${IMMICH_MODEL}' --provider cpu --json ${texts.map((text) => `'${text}'`).join(' ')} | head -c 100 > /dev/null; echo "exit \${PIPESTATUS[0]}" >&2`;
    const { stderr } = await promisify(execFile)('bash', ['-c', command], { cwd: ROOT });
    expect(stderr).toBe('exit 0\n');
  });

  it('keeps going when the reader of its progress goes away (2>&1 | head -1)', async () => {
    const data = path.join(scratch.dir, 'progress-unread');
    const folder = path.join(scratch.dir, 'progress-circles');
    await mkdir(folder, { recursive: true });
    for (const photo of photos) await copyFile(photo, path.join(folder, path.basename(photo)));
    // The reader is gone before the first line of progress: every write to stderr meets the closed pipe.
    const command = `'${process.execPath}' --import tsx main/cli/index.ts index '${folder}' --data '${data}' --model '${IMMICH_MODEL}' --provider cpu 2>&1 >/dev/null | true; echo "exit \${PIPESTATUS[0]}"`;
    const { stdout } = await promisify(execFile)('bash', ['-c', command], { cwd: ROOT });
    expect(stdout).toBe('exit 0\n');
    expect(JSON.parse((await cli('status', '--data', data, '--json')).stdout).library.photos).toBe(photos.length);
    expect(await readdir(data)).not.toContain('writer.json');
  });

  it('runs with a command line of any length (a shell glob of many folders, a long query)', async () => {
    // 40 KB of arguments: ONNX Runtime's telemetry crashed on command lines over about 16 KB (Note [Runtime telemetry off]).
    const longQuery = 'a dog on a beach '.repeat(2400);
    const { stdout } = await promisify(execFile)('npm', ['run', '-s', 'cli', '--', 'embed-text', '--model', IMMICH_MODEL, '--provider', 'cpu', '--json', longQuery], { cwd: ROOT, maxBuffer: 1 << 24 });
    expect(JSON.parse(stdout).vectors).toHaveLength(1);
  });
});
