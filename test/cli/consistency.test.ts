/**
 * The CLI as a new user meets it: the same exit status for the same kind of mistake everywhere,
 * wording, paging, suggestions, Ctrl-C, and a quiet stderr with --json.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli-main.js';
import { copyModel, HF_MODEL, IMMICH_MODEL, ROOT, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

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

  it('exits with 2 for a photo, folder or model that does not exist or is none, whatever the command', async () => {
    const notAnImage = path.join(scratch.dir, 'notes.jpg');
    await writeFile(notAnImage, 'text');
    const empty = path.join(scratch.dir, 'empty.jpg');
    await writeFile(empty, '');
    const truncated = path.join(scratch.dir, 'truncated.jpg');
    const whole = await readFile((await fixturePhotos())[0]?.file as string);
    await writeFile(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
    const notAModel = path.join(scratch.dir, 'not-a-model');
    await mkdir(notAModel, { recursive: true });
    const photo = (await fixturePhotos())[0]?.file as string;
    const list = path.join(scratch.dir, 'list.json');
    await writeFile(list, JSON.stringify([{ path: 'a.jpg', captions: ['a circle'] }]));
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
      // Written as decimals only: Number() reads "0x1" as 1.
      [['search', 'a circle', '--data', data, '--k', '0x1'], /--k takes a whole number from 1 to 1000, not "0x1"/],
      [['search', 'a circle', '--data', data, '--type', 'bmp'], /--type takes jpeg, png/],
      // A file named as a photo that is none, and a folder named as a model that holds none.
      [['embed-image', path.join(scratch.dir, 'nope.jpg'), ...model], /Cannot read .*nope\.jpg: it does not exist/],
      // Said as indexing says it of such a file.
      [['embed-image', notAnImage, ...model], /notes\.jpg is not an image\.\n$/],
      [['embed-image', truncated, ...model], /: truncated\.jpg is truncated \(an incomplete copy or download\?\)\.\n$/],
      [['similar', notAnImage, '--data', data], /notes\.jpg is not an image\.\n$/],
      [['similar', empty, '--data', data], /empty\.jpg is empty \(0 bytes\): an incomplete copy or download\?\n$/],
      [['similar', folder, '--data', data], /Cannot read .*Photos: it is a folder/],
      [['tag-scores', path.join(scratch.dir, 'nope.jpg'), ...model], /nope\.jpg: it does not exist/],
      [['models', 'import', notAModel, '--data', path.join(scratch.dir, 'models-data')], /not-a-model is not a CLIP model folder/],
      [['embed-text', 'hi', '--model', notAModel], /not-a-model is not a CLIP model folder/],
      [['search', 'a circle', '--data', data, '--model', notAModel], /not-a-model is not a CLIP model folder/],
      // An unset shell variable ("$DIR") must not mean the current folder or the default model.
      [['status', '--data', ''], /^lumen status: --data is empty \(an unset shell variable\?\); give a data folder, or leave --data out for the default\.\n$/],
      [['search', 'a circle', '--data', data, '--model='], /--model is empty/],
      [['index', '', '--data', data, ...model], /^lumen index: an argument is empty \(an unset shell variable\?\): lumen index takes \[FOLDER\.\.\.\]\.\n$/],
      [['similar', '', '--data', data], /^lumen similar: an argument is empty \(an unset shell variable\?\): lumen similar takes FILE\|PHOTO_ID\.\n$/],
      [['tags', '', '--data', data], /^lumen tags: an argument is empty \(an unset shell variable\?\): lumen tags takes \[PHOTO\.\.\.\]\.\n$/],
      [['embed-text', '', '--data', data], /^lumen embed-text: an argument is empty \(an unset shell variable\?\): lumen embed-text takes TEXT\.\.\.\n$/],
      [['embed-text', 'a dog', ' \t ', ...model], /^lumen embed-text: Text 2 is blank: give the words to embed\.\n$/],
      // Empty, a folder would be the current one, and a filter none at all.
      [['folders', '--remove', '', '--data', data], /^lumen folders: --remove is empty \(an unset shell variable\?\): give --remove FOLDER, or leave it out\.\n$/],
      [['search', 'a circle', '--data', data, '--folder', ''], /^lumen search: --folder is empty \(an unset shell variable\?\): give --folder DIR, or leave it out\.\n$/],
      [['search', 'a circle', '--data', data, '--type', ''], /^lumen search: --type is empty/],
      // Given twice, only the last would count.
      [['index', '--data', data, '--exclude', 'a', '--exclude', 'b'], /^lumen index: --exclude is given more than once; give it once, its globs comma-separated\.\n$/],
      [['tags', '--confirm', 'dog', '--confirm', 'cat', '--data', data], /^lumen tags: --confirm is given more than once; give it once\.\n$/],
      // A photo given as a JSON file: said so, none of its bytes echoed.
      [['vocabulary', '--import', photo, '--data', data], /^lumen vocabulary: The vocabulary file \S+ is not JSON but binary data \(a photo\?\)\. Give the vocabulary's JSON file\.\n$/],
      [['eval-retrieval', ...model, photo], /^lumen eval-retrieval: Cannot read the captions file \S+: it is binary data, not JSON \(a photo\?\)\. Give a JSON file like \{"images": \[\{"path": "a\.jpg", "captions": \["\.\.\."\]\}\]\}\.\n$/],
      [['eval-retrieval', ...model, list], /^lumen eval-retrieval: The captions file \S+list\.json is not valid: the file must be an object, not a list\. It should look like \{"images"/],
      // Given --data, no advice to pass it.
      [['search', 'a circle', '--data', path.join(scratch.dir, 'nowhere')], /^lumen search: There is no library in .*nowhere yet\. Add a folder of photos first \(`lumen index FOLDER`\)\.\n$/],
    ];
    for (const [argv, message] of cases) {
      const result = await cli(...argv);
      expect({ argv, code: result.code, stderr: result.stderr }).toEqual({ argv, code: 2, stderr: expect.stringMatching(message) });
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    // Not given --data (the default's, here LUMEN_DATA's), the advice to pass it stays.
    const before = process.env['LUMEN_DATA'];
    process.env['LUMEN_DATA'] = path.join(scratch.dir, 'nowhere');
    try {
      expect(await cli('search', 'a circle')).toMatchObject({ code: 2, stderr: expect.stringMatching(/^lumen search: There is no library in .*nowhere yet\. .*, or pass --data\.\n$/) });
    } finally {
      if (before === undefined) delete process.env['LUMEN_DATA'];
      else process.env['LUMEN_DATA'] = before;
    }
  });

  it('numbers a later page from where the first ended, says how many matched and what the cutoff hid', async () => {
    const first = await cli('search', 'a photo of a circle.', '--data', data, '--all', '--k', '4');
    expect(first.stdout).toMatch(/^ {3}1\. /);
    expect(first.stdout).toMatch(/30 photos match; showing 1-4, page 1 of 8\.$/m);
    const second = await cli('search', 'a photo of a circle.', '--data', data, '--all', '--k', '4', '--page', '2');
    expect(second.stdout.split('\n')[0]).toMatch(/^ {3}5\. /);
    const past = await cli('search', 'a photo of a circle.', '--data', data, '--all', '--k', '4', '--page', '9');
    expect(past).toMatchObject({ code: 0, stdout: 'Page 9 is past the end: 30 photos match, on 8 pages.\n' });
    const cut = await cli('search', 'a photo of a circle.', '--data', data);
    expect(cut.stdout).toMatch(/\d+ photos? match(es)?; showing \d+-\d+\. \d+ more photos? (is|are) below the relevance cutoff: --all shows them\.$/m);
    const paged = await cli('search', 'a photo of a circle.', '--data', data, '--cutoff', '0.1', '--k', '2');
    expect(paged.stdout).toMatch(/; showing 1-2, page 1 of \d+\. \d+ more photos? (is|are) below the relevance cutoff/);
  });

  it('lines up the columns of a search listing, whatever the width of the ids and the sign of the scores', async () => {
    const listed = await cli('search', 'a photo of a circle.', '--data', data, '--all', '--k', '30');
    const rows = listed.stdout.split('\n').filter((line) => line.includes(folder));
    expect(rows).toHaveLength(30);
    // Ids 1 to 30: one and two digits on one page.
    expect(new Set(rows.map((row) => /#(\d+)/.exec(row)?.[1]?.length)).size).toBe(2);
    expect(new Set(rows.map((row) => row.indexOf('#')))).toEqual(new Set([rows[0]?.indexOf('#')]));
    expect(new Set(rows.map((row) => row.indexOf(folder)))).toEqual(new Set([rows[0]?.indexOf(folder)]));
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

  it('shows each photo’s date where results are sorted by date, so the order can be seen', async () => {
    const lines = (await cli('search', 'a photo', '--sort', 'newest', '--all', '--data', data, ...model)).stdout.trim().split('\n').slice(0, -1);
    expect(lines.length).toBeGreaterThan(1);
    const dates = lines.map((line) => /^ *\d+\. +-?\d\.\d{3} {2}(\d{4}-\d{2}-\d{2}) {2}#\d+ +\//.exec(line)?.[1]);
    expect(dates.every((date) => date !== undefined)).toBe(true);
    expect([...dates].sort().reverse()).toEqual(dates);
    // By relevance, the score says the order: no dates.
    expect((await cli('search', 'a photo', '--data', data, ...model)).stdout).not.toMatch(/\d{4}-\d{2}-\d{2} {2}#/);
  });

  it('suggests the nearest command or option, and prints its version', async () => {
    expect((await cli('serch', 'x')).stderr).toMatch(/unknown command "serch"\. Did you mean `search`\?/);
    const option = await cli('search', 'x', '--sortt', 'newest', '--data', data);
    expect(option).toMatchObject({ code: 2, stderr: expect.stringMatching(/Unknown option '--sortt'\. Did you mean --sort\? See/) });
    const version = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')).version as string;
    expect(await cli('--version')).toMatchObject({ code: 0, stdout: `lumen ${version}\n` });
  });

  /** `lumen index FOLDER` on `dataDir`, sent `signal` as soon as it starts embedding. */
  function indexStoppedBy(signal: NodeJS.Signals, photos: string, dataDir: string): ReturnType<typeof run> {
    let sent = false;
    return run(['index', photos, '--data', dataDir, ...model, '--batch', '1'], (stderr, kill) => {
      if (!sent && /indexing: /.test(stderr)) {
        sent = true;
        kill(signal);
      }
    });
  }

  it('stops at the first Ctrl-C with what is done kept, and keeps stderr quiet with --json', async () => {
    const more = path.join(scratch.dir, 'More');
    await copyPhotos((await fixturePhotos()).slice(30), more);
    const interrupted = await indexStoppedBy('SIGINT', more, data);
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toMatch(/Stopping at the next checkpoint; what is done is kept/);
    expect(interrupted.stderr).toMatch(/lumen index: Cancelled: \d+ photos? indexed and kept; `lumen index --data [^`]+` goes on from there\./);
    const status = await run(['status', '--data', data, '--json', ...model]);
    expect(status).toMatchObject({ code: 0, stderr: '' });
    const before = JSON.parse(status.stdout).library.photos as number;
    const resumed = JSON.parse((await cli('index', '--data', data, '--json', ...model)).stdout);
    // 30 photos from the first run and the 50 of the interrupted one: each embedded exactly once.
    expect(before + resumed.embedded).toBe(80);
    expect(resumed.unchanged).toBe(before);
  });

  it('quits at once at a second request to stop, saying so, and the next run goes on from what was stored', async () => {
    const photos = path.join(scratch.dir, 'Twice');
    const dataDir = path.join(scratch.dir, 'twice-data');
    await copyPhotos((await fixturePhotos()).slice(0, 40), photos);
    let sent = 0;
    const quit = await run(['index', photos, '--data', dataDir, ...model, '--batch', '1'], (stderr, kill) => {
      // The second as soon as the first is answered, before the run reaches its checkpoint: a
      // `kill`, as a Ctrl-C so soon after the first would be that one again (Note [One press, sent twice]).
      const next = sent === 0 ? /indexing: / : sent === 1 ? /Stopping at the next checkpoint/ : null;
      if (next?.test(stderr)) {
        kill(sent++ === 0 ? 'SIGINT' : 'SIGTERM');
      }
    });
    expect(quit.code).toBe(130);
    expect(quit.stderr).toMatch(/Quitting at once: what was already stored is kept; run `lumen index` again to go on\./);
    const resumed = await cli('index', photos, '--data', dataDir, '--json', ...model);
    expect(resumed.code).toBe(0);
    expect(JSON.parse((await cli('status', '--data', dataDir, '--json', ...model)).stdout).library.photos).toBe(40);
  });

  it('stops on SIGTERM as on Ctrl-C: what is done kept, the writer lock released, status 130', async () => {
    const photos = path.join(scratch.dir, 'Terminated');
    const dataDir = path.join(scratch.dir, 'terminated-data');
    await copyPhotos((await fixturePhotos()).slice(0, 40), photos);
    const terminated = await indexStoppedBy('SIGTERM', photos, dataDir);
    expect(terminated.code).toBe(130);
    expect(terminated.stderr).toMatch(/Stopping at the next checkpoint; what is done is kept\. Send SIGTERM again to quit at once\./);
    // How many photos it kept, said as it stops (Note [Cancelled, and what is kept] in main/cli/common.ts).
    const kept = Number(/lumen index: Cancelled: (\d+) photos? indexed and kept; `lumen index --data [^`]+` goes on from there\./.exec(terminated.stderr)?.[1]);
    expect(existsSync(path.join(dataDir, 'writer.json'))).toBe(false);
    const before = JSON.parse((await cli('status', '--data', dataDir, '--json', ...model)).stdout).library.photos as number;
    expect(kept).toBe(before);
    const resumed = JSON.parse((await cli('index', '--data', dataDir, '--json', ...model)).stdout);
    expect(before + resumed.embedded).toBe(40);
  });

  /** The library's photo ids, in the order a search lists them. */
  async function photoIds(): Promise<number[]> {
    const listed = JSON.parse((await cli('search', 'a photo', '--data', data, '--all', '--k', '100', '--json')).stdout) as { results: Array<{ photoId: number }> };
    return listed.results.map((hit) => hit.photoId);
  }

  it('gives no verdict at all when one of the photos named is not in the library', async () => {
    const [first] = await photoIds();
    for (const missing of ['#99999', path.join(scratch.dir, 'nope.jpg')]) {
      const refused = await cli('tags', '--data', data, '--confirm', 'beach', `#${first}`, missing);
      expect(refused.code).toBe(2);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      const tags = JSON.parse((await cli('tags', '--data', data, '--json', `#${first}`)).stdout) as { tags: Array<{ tag: string }> };
      expect(tags.tags.map((t) => t.tag)).not.toContain('beach');
    }
  });

  it('lines up the counts of the tag listing, and counts one photo in the singular', async () => {
    const ids = await photoIds();
    expect((await cli('tags', '--data', data, '--confirm', 'sign', ...ids.slice(0, 10).map(String))).code).toBe(0);
    expect((await cli('tags', '--data', data, '--confirm', 'breakfast', String(ids[10]))).code).toBe(0);
    const lines = (await cli('tags', '--data', data)).stdout.trim().split('\n');
    const sign = lines.find((line) => line.startsWith('sign ')) as string;
    const breakfast = lines.find((line) => line.startsWith('breakfast ')) as string;
    expect(sign).toMatch(/ 10 photos, 10 confirmed$/);
    expect(breakfast).toMatch(/ 1 photo, 1 confirmed$/);
    expect(breakfast.indexOf(' photo')).toBe(sign.indexOf(' photos'));

    const tagged = path.join(scratch.dir, 'by-tag');
    const photos = (await fixturePhotos()).filter((photo) => photo.shape === 'circle' || photo.shape === 'star');
    const [circle, ...stars] = [photos.find((p) => p.shape === 'circle'), ...photos.filter((p) => p.shape === 'star').slice(0, 2)];
    await mkdir(path.join(tagged, 'circle'), { recursive: true });
    await mkdir(path.join(tagged, 'star'), { recursive: true });
    await copyFile(circle?.file as string, path.join(tagged, 'circle', 'one.jpg'));
    for (const [i, star] of stars.entries()) await copyFile(star?.file as string, path.join(tagged, 'star', `${i}.jpg`));
    const vocabulary = path.join(scratch.dir, 'shapes-vocabulary.json');
    await writeFile(vocabulary, JSON.stringify({ templates: ['a photo of a {}.'], tags: [{ name: 'circle', prompts: ['circle'] }, { name: 'star', prompts: ['star'] }] }));
    const evaluated = (await cli('eval-zeroshot', ...model, '--vocabulary', vocabulary, tagged)).stdout.split('\n');
    const one = evaluated.find((line) => line.startsWith('  circle ')) as string;
    const two = evaluated.find((line) => line.startsWith('  star ')) as string;
    expect(one).toMatch(/ 1 photo +top-1 /);
    expect(two).toMatch(/ 2 photos +top-1 /);
    expect(one.indexOf('top-1')).toBe(two.indexOf('top-1'));
  });

  it('says in one line that it could read none of the photos to evaluate on, instead of scoring 0 %', async () => {
    const unreadable = path.join(scratch.dir, 'unreadable');
    await mkdir(path.join(unreadable, 'circle'), { recursive: true });
    await writeFile(path.join(unreadable, 'circle', 'broken.jpg'), 'not a photo');
    const vocabulary = path.join(scratch.dir, 'circle-vocabulary.json');
    await writeFile(vocabulary, JSON.stringify({ templates: ['a photo of a {}.'], tags: [{ name: 'circle', prompts: ['circle'] }, { name: 'star', prompts: ['star'] }] }));
    const evaluated = await cli('eval-zeroshot', ...model, '--vocabulary', vocabulary, unreadable);
    expect(evaluated.code).toBe(2);
    // Its progress, then one message.
    expect(evaluated.stderr.trim().split('\n')).toEqual(['embedded 1 photo', expect.stringMatching(/^lumen eval-zeroshot: None of the photos under .*unreadable could be read \(first: .*broken\.jpg/)]);
  });

  it('says which photos of a captions file it skipped, and why', async () => {
    const captions = path.join(scratch.dir, 'captions.json');
    const [photo] = await fixturePhotos();
    const missing = path.join(scratch.dir, 'gone.jpg');
    await writeFile(captions, JSON.stringify({ images: [{ path: photo?.file, captions: ['a photo of a circle.'] }, { path: missing, captions: ['a photo of nothing.'] }] }));
    const evaluated = await cli('eval-retrieval', ...model, captions);
    expect(evaluated.code).toBe(0);
    expect(evaluated.stdout).toMatch(/^1 photo, 1 caption; skipped 1 photo and its captions, listed below$/m);
    expect(evaluated.stdout).toMatch(/^ {2}skipped .*gone\.jpg: Cannot read .*gone\.jpg: it does not exist\.$/m);
  });

  it('lists the tags it can learn from, or says in one line that none has enough verdicts', async () => {
    const none = await cli('refine', '--data', data);
    expect(none).toMatchObject({ code: 0, stdout: 'No tag has enough verdicts to learn from yet (5 confirmed and 5 rejected photos). Confirm and reject tags with `tags --confirm` and `tags --reject`.\n' });
    // Switching off a tag that has no refinement changes nothing, and says so.
    const off = await cli('refine', '--data', data, '--off', 'dog');
    expect(off.code).toBe(0);
    expect(off.stdout).toMatch(/^"dog" has no refinement to switch off, so it is scored zero-shot already: refining needs at least 5 confirmed and 5 rejected photos \(there are 0 and 0\)\. Nothing changed\.\n$/);

    const ids = await photoIds();
    expect((await cli('tags', '--data', data, '--confirm', 'night', ...ids.slice(0, 5).map(String))).code).toBe(0);
    expect((await cli('tags', '--data', data, '--reject', 'night', ...ids.slice(5, 10).map(String))).code).toBe(0);
    const listed = await cli('refine', '--data', data);
    const tagsListed = listed.stdout.split('\n').filter((line) => /^\S/.test(line)).map((line) => line.split(/ {2,}/)[0]);
    // The tags with verdicts (from the tests before): nothing about the hundred without.
    expect(tagsListed.sort()).toEqual(['breakfast', 'night', 'sign']);
    expect(JSON.parse((await cli('refine', '--data', data, '--json')).stdout).length).toBeGreaterThan(90);
  });

  it('says a search with a model the library has no embeddings from cannot find anything', async () => {
    const searched = await cli('search', 'a circle', '--data', data, '--model', HF_MODEL, '--provider', 'cpu');
    expect(searched).toMatchObject({ code: 2, stdout: '', stderr: 'lumen search: No photo in the library has an embedding from tiny-clip-hf. Index the library with that model first (`index`).\n' });
    const [photo] = await fixturePhotos();
    const similar = await cli('similar', photo?.file as string, '--data', data, '--model', HF_MODEL, '--provider', 'cpu');
    expect(similar).toMatchObject({ code: 2, stderr: expect.stringMatching(/has an embedding from tiny-clip-hf/) });
  });
});
