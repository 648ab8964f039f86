import { sidecar } from 'exifr';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../main/cli/index.js';
import { Engine } from '../../main/engine/engine.js';
import { SIDECAR_STYLES, sidecarPath } from '../../main/tags/xmp.js';
import { IMMICH_MODEL, PHOTOS, SHAPES, tempDir } from '../helpers/fixtures.js';
import { runCli } from '../helpers/cli-process.js';
import { holdWriterLock } from '../helpers/writer-holder.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';
import { shapesVocabulary } from './shapes.js';

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string; json: () => ReturnType<typeof JSON.parse> }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

const MODEL = ['--model', IMMICH_MODEL, '--provider', 'cpu'];

/** Makes creating a sidecar's temporary file fail with `code`, as a read-only or full disk or a folder without permission does, while it is set. */
const sidecarDisk = vi.hoisted(() => ({ fails: null as string | null }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof fs.open = (file, ...rest) =>
    sidecarDisk.fails && /\.xmp\.[0-9a-f]{8}\.tmp$/.test(String(file)) ? Promise.reject(Object.assign(new Error(`${sidecarDisk.fails}: cannot write`), { code: sidecarDisk.fails })) : fs.open(file, ...rest);
  return { ...fs, default: { ...fs, open }, open };
});
/** `Album/red-0.jpg` -> `Album/RED-0.png`. */
const capitalPng = (jpeg: string) => path.join(path.dirname(jpeg), `${path.basename(jpeg, '.jpg').toUpperCase()}.png`);
const sha = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');

describe('tagging from the command line', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let vocabularyFile: string;
  let data: string;
  let files: string[];

  beforeAll(async () => {
    scratch = await tempDir();
    vocabularyFile = path.join(scratch.dir, 'shapes.json');
    await writeFile(vocabularyFile, JSON.stringify(shapesVocabulary()));
    data = path.join(scratch.dir, 'data');
    const photos = (await fixturePhotos()).filter((_, i) => i % 4 === 0);
    files = await copyPhotos(photos, path.join(scratch.dir, 'Photos'), (p) => `Album ${p.shape}`);
    // The same picture as a PNG beside a JPEG, named in capitals: in the photo.xmp style they
    // would share a sidecar wherever names that differ in case are one file (macOS, Windows).
    await sharp(files[0]!).png().toFile(capitalPng(files[0]!));
  });
  afterAll(() => scratch.cleanup());

  it('tag-scores prints raw cosines per tag, in vocabulary order', async () => {
    const star = path.join(PHOTOS, 'shapes', 'star', 'red-0.jpg');
    const circle = path.join(PHOTOS, 'shapes', 'circle', 'blue-0.jpg');
    const result = await cli('tag-scores', ...MODEL, '--vocabulary', vocabularyFile, '--json', star, circle);
    expect(result.code).toBe(0);
    const { tags, scores, assigned } = result.json();
    expect(tags).toEqual([...SHAPES]);
    expect(scores).toHaveLength(2);
    for (const row of scores) {
      expect(row).toHaveLength(5);
      for (const value of row) expect(Math.abs(value)).toBeLessThanOrEqual(1.0001);
    }
    expect(tags[scores[0].indexOf(Math.max(...scores[0]))]).toBe('star');
    expect(tags[scores[1].indexOf(Math.max(...scores[1]))]).toBe('circle');
    expect(assigned[0]).toContain('star');
    expect((await cli('tag-scores', ...MODEL, '--vocabulary', vocabularyFile, star)).stdout).toMatch(/red-0\.jpg: star/);
  });

  it('eval-zeroshot measures a vocabulary on a folder of labelled photos, ensemble or one template', async () => {
    const ensemble = await cli('eval-zeroshot', ...MODEL, '--vocabulary', vocabularyFile, '--json', path.join(PHOTOS, 'shapes'));
    expect(ensemble.code).toBe(0);
    const report = ensemble.json();
    expect(report).toMatchObject({ n: 80, top5: 1, skipped: [] });
    expect(report.top1).toBeGreaterThanOrEqual(0.9);
    expect(Object.keys(report.perTag).sort()).toEqual([...SHAPES].sort());
    expect(report.perTag.star).toMatchObject({ n: 16, top5: 1 });
    expect(report.confusion).toEqual(expect.any(Object));
    const single = await cli('eval-zeroshot', ...MODEL, '--vocabulary', vocabularyFile, '--template', 'a photo of a {}.', '--json', path.join(PHOTOS, 'shapes'));
    expect(single.code).toBe(0);
    expect(single.json().n).toBe(80);
    expect(single.json().top1).toBeGreaterThanOrEqual(0.85);

    const partial = path.join(scratch.dir, 'partial.json');
    await writeFile(partial, JSON.stringify({ ...shapesVocabulary(), tags: shapesVocabulary().tags.slice(0, 3) }));
    const missing = await cli('eval-zeroshot', ...MODEL, '--vocabulary', partial, path.join(PHOTOS, 'shapes'));
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/match no enabled tag of the vocabulary: cross, star\. Add tags/);
    const badTemplate = await cli('eval-zeroshot', ...MODEL, '--vocabulary', vocabularyFile, '--template', 'a photo', path.join(PHOTOS, 'shapes'));
    expect(badTemplate.code).toBe(2);
    expect(badTemplate.stderr).toMatch(/must contain \{\} exactly once/);
  });

  it('eval-retrieval reports Recall@K and MRR both ways', async () => {
    const result = await cli('eval-retrieval', ...MODEL, '--json', path.join(PHOTOS, 'captions.json'));
    expect(result.code).toBe(0);
    const report = result.json();
    expect(report).toMatchObject({ images: 30, captions: 60 });
    for (const direction of [report.textToImage, report.imageToText]) {
      expect(direction.recallAt1).toBeLessThanOrEqual(direction.recallAt5);
      expect(direction.recallAt5).toBeLessThanOrEqual(direction.recallAt10);
      expect(direction.recallAt10).toBeLessThanOrEqual(1);
      // Far better than chance (1/30 at R@1).
      expect(direction.mrr).toBeGreaterThan(0.2);
    }
    expect(report.textToImage.n).toBe(60);
    expect(report.imageToText.n).toBe(30);
    const bad = path.join(scratch.dir, 'captions.json');
    await writeFile(bad, JSON.stringify({ images: [{ path: 'x.jpg' }] }));
    const invalid = await cli('eval-retrieval', ...MODEL, bad);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/captions file .* is not valid: images\.0\.captions/);
  });

  it('tags a library, lists, confirms, rejects, summarises albums and exports XMP', async () => {
    expect((await cli('index', '--data', data, ...MODEL, '--json', path.join(scratch.dir, 'Photos'))).code).toBe(0);
    const tagged = await cli('tag', '--data', data, '--provider', 'cpu', '--vocabulary', vocabularyFile, '--json');
    expect(tagged.code).toBe(0);
    // 20 JPEGs and the PNG (its own content).
    expect(tagged.json()).toMatchObject({ images: 21, incremental: false, tagsEmbedded: 6 });
    expect(tagged.json().counts.map((c: { tag: string }) => c.tag).sort()).toEqual(expect.arrayContaining(['circle', 'star']));
    expect((await cli('tag', '--data', data, '--provider', 'cpu', '--json')).json()).toMatchObject({ images: 0, incremental: true });

    const counts = (await cli('tags', '--data', data, '--json')).json().counts;
    expect(counts.find((c: { tag: string }) => c.tag === 'star').photos).toBeGreaterThanOrEqual(4);

    const star = files.find((file) => path.basename(file).startsWith('star-'))!;
    const photo = (await cli('tags', '--data', data, '--json', star)).json();
    expect(photo.path).toBe(star);
    expect(photo.tags.map((t: { tag: string }) => t.tag)).toContain('star');
    const byId = (await cli('tags', '--data', data, '--json', `#${photo.photoId}`)).json();
    expect(byId.photoId).toBe(photo.photoId);

    const rejected = await cli('tags', '--data', data, '--reject', 'star', '--json', star);
    expect(rejected.json().photos[0]).toMatchObject({ rejected: ['star'] });
    const confirmed = await cli('tags', '--data', data, '--confirm', 'triangle', '--json', String(photo.photoId));
    expect(confirmed.json().photos[0].tags).toContainEqual(expect.objectContaining({ tag: 'triangle', source: 'person' }));
    const full = await cli('tag', '--data', data, '--provider', 'cpu', '--full', '--json');
    expect(full.code).toBe(0);
    const after = (await cli('tags', '--data', data, '--json', star)).json();
    expect(after.tags.map((t: { tag: string }) => t.tag)).toContain('triangle');
    expect(after.tags.map((t: { tag: string }) => t.tag)).not.toContain('star');

    const labelled = await cli('eval-zeroshot', '--data', data, '--provider', 'cpu', '--labelled', '--json');
    expect(labelled.code).toBe(0);
    expect(labelled.json()).toMatchObject({ confirmed: 1, rejected: 1 });

    const albums = (await cli('albums', '--data', data, '--json')).json();
    const circles = albums.find((album: { name: string }) => album.name === 'Album circle');
    expect(circles.photos).toBe(5); // with the PNG
    expect(circles.tags[0]).toMatchObject({ tag: 'circle', share: 1 });
    expect(albums.find((album: { name: string }) => album.name === 'Album square').photos).toBe(4);
    expect((await cli('albums', '--data', data)).stdout).toMatch(/^Album circle: circle/m);
    // A saved album named as a folder is told apart, listed first as the app lists it.
    const engine = new Engine({ dataDir: data, model: IMMICH_MODEL });
    try {
      await engine.changeAlbums((tags) => tags.saveAlbum('Album circle', [photo.photoId]));
    } finally {
      await engine.dispose();
    }
    const listed = (await cli('albums', '--data', data)).stdout.trim().split('\n');
    expect(listed[0]).toMatch(/^Album circle: .*\(1 photo, saved album\)$/);
    expect(listed.slice(1)).toContainEqual(expect.stringMatching(/^Album circle: circle .*\(5 photos, .*Album circle\)$/));
    expect((await cli('albums', '--data', data, '--json')).json()[0]).toMatchObject({ kind: 'saved', name: 'Album circle', photos: 1 });

    // XMP: sidecars written next to the photos, originals untouched.
    const before = await Promise.all(files.map(sha));
    const exported = await cli('tags', '--data', data, '--export-xmp', '--json');
    expect(exported.code).toBe(0);
    expect(exported.json()).toMatchObject({ style: 'jpg.xmp', skipped: [] });
    expect(exported.json().written).toBeGreaterThanOrEqual(18);
    expect(await Promise.all(files.map(sha))).toEqual(before);
    const keywords = (await sidecar(`${star}.xmp`)) as { dc: { subject: string | string[] }; lr: { hierarchicalSubject: string | string[] } };
    expect([keywords.dc.subject].flat()).toContain('triangle');
    expect([keywords.dc.subject].flat()).not.toContain('star');
    expect([keywords.lr.hierarchicalSubject].flat()).toContain('Lumen|triangle');
    expect((await cli('tags', '--data', data, '--export-xmp', '--json')).json()).toMatchObject({ written: 0 });

    const lightroom = await cli('tags', '--data', data, '--export-xmp', '--sidecar-style', 'xmp', '--json');
    const shared = files[0]!.replace(/\.jpg$/, '.xmp');
    expect(lightroom.json().skipped.map((s: { path: string }) => s.path).sort()).toEqual([files[0], capitalPng(files[0]!)].sort());
    expect(lightroom.json().skipped[0].reason).toMatch(/would share .*\.xmp; use the jpg\.xmp sidecar style/);
    expect(existsSync(shared)).toBe(false);
    expect(existsSync(star.replace(/\.jpg$/, '.xmp'))).toBe(true);
    expect((await readdir(path.dirname(star))).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(await Promise.all(files.map(sha))).toEqual(before);
    // Without star-N.jpg.xmp, the default style merges into star-N.xmp, and says so (Note [Sidecars by style]).
    await rm(`${star}.xmp`);
    expect((await cli('tags', '--data', data, '--confirm', 'circle', star)).code).toBe(0);
    const merged = await cli('tags', '--data', data, '--export-xmp');
    expect(merged.stdout).toMatch(/^XMP sidecars: 1 written \(1 photo\.xmp\), \d+ unchanged, 0 skipped(; \d+ photos? ha(s|ve) no tags to write)?\.$/m);
    expect(existsSync(`${star}.xmp`)).toBe(false);

    // A tag rejected on every photo that had it is on none: the summary's most common leave it out.
    const starred = (await cli('search', '--data', data, ...MODEL, '--tag', 'star', '--all', '--k', '100', '--json', 'star')).json().results.map((hit: { photoId: number }) => String(hit.photoId));
    expect(starred.length).toBeGreaterThan(0);
    expect((await cli('tags', '--data', data, '--reject', 'star', ...starred)).code).toBe(0);
    expect((await cli('tags', '--data', data, '--json')).json().counts).toContainEqual(expect.objectContaining({ tag: 'star', photos: 0 }));
    const summary = await cli('tag', '--data', data, '--provider', 'cpu');
    expect(summary.stdout).toMatch(/^Most common: /m);
    expect(summary.stdout).not.toMatch(/star|\(0\)/);
  });

  it('stops writing XMP sidecars on a disk that is read-only or full, or in a folder Lumen may not write in', async () => {
    // Both styles' sidecars go, so that every photo has one to write again.
    for (const file of files) for (const style of SIDECAR_STYLES) await rm(sidecarPath(file, style), { force: true });
    try {
      for (const [code, exit, message] of [
        ['EROFS', 1, /^lumen tags: Writing XMP sidecars stopped: .* is on a read-only disk \(0 sidecars written before it\)\. Make it writable/],
        ['ENOSPC', 1, /^lumen tags: Writing XMP sidecars stopped: the disk holding .* is full \(0 sidecars written before it\)\. Free some space/],
        // Once for the folder, in words: not a system error naming a temporary file for each photo.
        ['EACCES', 1, /^lumen tags: Writing XMP sidecars stopped: Lumen has no permission to write in .*Album \w+ \(0 sidecars written before it\)\. Allow it to write there/],
        ['EPERM', 1, /^lumen tags: Writing XMP sidecars stopped: Lumen has no permission to write in .*Album \w+ \(0 sidecars written before it\)\./],
      ] as const) {
        sidecarDisk.fails = code;
        const stopped = await cli('tags', '--data', data, '--export-xmp');
        expect({ code, exit: stopped.code }).toEqual({ code, exit });
        // One message, after the progress of photos that had nothing to write (no tags, no sidecar yet).
        const said = stopped.stderr.trim().split('\n').filter((line) => !line.startsWith('exporting: '));
        expect(said).toHaveLength(1);
        expect(said[0]).toMatch(message);
        expect(said[0]).not.toMatch(/\.tmp/);
      }
    } finally {
      sidecarDisk.fails = null;
    }
    expect((await cli('tags', '--data', data, '--export-xmp', '--json')).json().written).toBeGreaterThanOrEqual(18);
  });

  it('shows, exports, imports and resets the vocabulary', async () => {
    const exported = path.join(scratch.dir, 'exported.json');
    expect((await cli('vocabulary', '--data', data, '--export', exported)).code).toBe(0);
    expect(JSON.parse(await readFile(exported, 'utf8')).tags.map((t: { name: string }) => t.name)).toEqual([...SHAPES]);
    const reset = await cli('vocabulary', '--data', data, '--reset', '--json');
    expect(reset.json().tags.length).toBeGreaterThanOrEqual(90);
    expect((await cli('vocabulary', '--data', data, '--import', exported, '--json')).json().tags).toHaveLength(5);
    // `--export -` piped into `--import -`, edited on the way: the vocabulary read from standard input.
    const piped = await cli('vocabulary', '--data', data, '--export', '-');
    const edited = { ...JSON.parse(piped.stdout), templates: ['a picture of a {}.'] };
    const imported = await runCli(['vocabulary', '--data', data, '--import', '-', '--json'], undefined, undefined, JSON.stringify(edited));
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ templates: ['a picture of a {}.'], tags: edited.tags });
    // Read and checked before the library is claimed: refused for what it is while another process writes the library, not turned away as busy.
    const holder = await holdWriterLock(data);
    const notJson = await runCli(['vocabulary', '--data', data, '--import', '-'], undefined, undefined, 'tags: dog').finally(() => holder.end());
    expect([notJson.code, notJson.stderr.trim()]).toEqual([2, expect.stringMatching(/^lumen vocabulary: The vocabulary on standard input is not JSON \(.*\)\. Fix it and try again\.$/)]);
    expect((await cli('vocabulary', '--data', data, '--import', exported, '--json')).json().templates).toEqual(JSON.parse(piped.stdout).templates);
    const broken = path.join(scratch.dir, 'broken.json');
    await writeFile(broken, JSON.stringify({ templates: ['a photo of a {}.'], tags: [{ name: 'dog', prompts: ['dog'], templates: ['{}{}'] }] }));
    const bad = await cli('vocabulary', '--data', data, '--import', broken);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/tag "dog" \(tags\[0\]\) templates\[0\] must contain \{\} exactly once/);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);

    const cases: Array<[string, number, RegExp]> = [
      [path.join(scratch.dir, 'no-such-folder', 'v.json'), 2, /Cannot write the vocabulary to .*v\.json: its folder does not exist\./],
      [scratch.dir, 2, /it is a folder; name a file/],
    ];
    // Linux's /dev/full fails every write as a full disk does.
    if (existsSync('/dev/full')) cases.push(['/dev/full', 1, /The disk is full \(ENOSPC.*\): the vocabulary was not written to \/dev\/full\. Free some space and try again\./]);
    for (const [target, code, message] of cases) {
      // On a full disk, the index cannot be saved as the library closes either: said once is enough.
      if (target === '/dev/full') vi.spyOn(Engine.prototype, 'dispose').mockRejectedValueOnce(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
      const failed = await cli('vocabulary', '--data', data, '--export', target);
      expect({ target, code: failed.code }).toEqual({ target, code });
      expect(failed.stderr).toMatch(message);
      expect(failed.stderr).not.toMatch(/unexpected error/);
      expect(failed.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('fails with exit status 2 and one actionable line for bad input', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['tags', '--data', data, '#99999'], /no photo #99999 in the library/],
      [['tags', '--data', data, '--confirm', 'hexagon', '#1'], /no tag "hexagon" in the vocabulary/],
      [['tags', '--data', data, '--export-xmp', '--sidecar-style', 'sidecar'], /--sidecar-style takes jpg\.xmp or xmp/],
      [['tags', '--data', data, '--confirm', 'star', '--reject', 'star', '#1'], /one of --confirm, --reject/],
      [['tags', '--data', data, '--confirm', 'star'], /Give at least one photo/],
      [['tag', '--data', path.join(scratch.dir, 'empty')], /no library in .* yet\. Add a folder of photos first \(`lumen index FOLDER`\)/],
      [['albums', '--data', data, '--min-share', '2'], /--min-share takes a number from 0 to 1/],
      [['tag-scores', ...MODEL, '--vocabulary', path.join(scratch.dir, 'nope.json'), 'x.jpg'], /Cannot read the vocabulary file/],
      [['eval-zeroshot', ...MODEL, path.join(scratch.dir, 'nope')], /is not a folder/],
    ];
    for (const [argv, message] of cases) {
      const result = await cli(...argv);
      expect({ argv, code: result.code }).toEqual({ argv, code: 2 });
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('describes every tagging command with --help', async () => {
    for (const command of ['tag', 'tags', 'albums', 'vocabulary', 'tag-scores', 'eval-zeroshot', 'eval-retrieval']) {
      const { code, stdout } = await cli(command, '--help');
      expect(code).toBe(0);
      expect(stdout).toContain(`Usage: lumen ${command}`);
      expect(stdout).toContain('--json');
      expect(stdout).toContain('--data');
    }
    expect((await cli('tags', '--help')).stdout).toContain('--export-xmp');
    expect((await cli('--help')).stdout).toContain('eval-retrieval');
  });
});
