/**
 * The app's tag, vocabulary and album calls, through the engine's call table over a real Engine
 * (as the engine process answers them): shapes and errors as the renderer sees them.
 */
import { copyFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineHandlers, type EngineHandlers } from '../../main/engine/calls.js';
import { Engine } from '../../main/engine/engine.js';
import { loadDefaultVocabulary } from '../../main/tags/vocabulary.js';
import { sidecarPath } from '../../main/tags/xmp.js';
import { IMMICH_MODEL, SHAPES, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

const VOCABULARY = { templates: ['a photo of a {}.', 'a picture of a {}.'], tags: SHAPES.map((shape) => ({ name: shape, prompts: [shape] })) };

describe('the app’s tag calls', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let engine: Engine;
  let calls: EngineHandlers;
  let photos: string;

  const nameOf = (id: number) => path.basename(engine.library().resolvePhoto(id).path);

  beforeAll(async () => {
    scratch = await tempDir();
    photos = path.join(scratch.dir, 'Pictures');
    await copyPhotos(await fixturePhotos(), photos);
    engine = new Engine({ dataDir: path.join(scratch.dir, 'data'), model: IMMICH_MODEL });
    await (await engine.addFolders([photos])).indexing.done;
    await calls_();
  });
  afterAll(async () => {
    await engine.dispose();
    await scratch.cleanup();
  });

  /** Removes every sidecar an export wrote. */
  async function removeSidecars(): Promise<void> {
    for (const name of await readdir(photos, { recursive: true })) if (name.endsWith('.xmp')) await rm(path.join(photos, name));
  }

  async function calls_(): Promise<void> {
    calls = engineHandlers(engine);
    const { jobId } = await calls['vocabulary.import']({ json: JSON.stringify(VOCABULARY) });
    expect(jobId).toMatch(/^tag-/);
    await engine.tagLibrary().done;
  }

  it('lists every tag with counts and samples, and a tag’s photos best first', async () => {
    const list = await calls['tags.list']({});
    expect(list.map((tag) => tag.name)).toEqual([...SHAPES]);
    const circle = list.find((tag) => tag.name === 'circle')!;
    expect(circle).toMatchObject({ enabled: true, inVocabulary: true, confirmed: 0 });
    expect(circle.photos).toBeGreaterThanOrEqual(14);
    expect(circle.samples).toHaveLength(4);
    const stars = await calls['tags.photos']({ tag: 'star' });
    expect(stars.names.slice(0, 5).every((name) => name.startsWith('star-'))).toBe(true);
    expect(stars.ids).toHaveLength(stars.names.length);
  });

  it('previews an edited tag against the saved one without saving it', async () => {
    const draft = structuredClone(VOCABULARY);
    draft.tags[0]!.prompts = ['square'];
    const preview = await calls['vocabulary.preview']({ vocabulary: draft, tag: 'circle' });
    expect(preview.gainedCount).toBeGreaterThan(5);
    expect(preview.gained.filter((photo) => photo.name.startsWith('square-')).length / preview.gained.length).toBeGreaterThanOrEqual(0.8);
    expect(preview.count).toBe(preview.photos.length);
    expect((await calls['vocabulary.get']({})).vocabulary.tags[0]!.prompts).toEqual(['circle']);
    const unchanged = await calls['vocabulary.preview']({ vocabulary: VOCABULARY, tag: 'circle' });
    expect([unchanged.gainedCount, unchanged.lostCount]).toEqual([0, 0]);
    await expect(calls['vocabulary.preview']({ vocabulary: { ...VOCABULARY, templates: ['no slot'] }, tag: 'circle' })).rejects.toMatchObject({ code: 'bad-input', message: expect.stringMatching(/templates\[0\] must contain \{\} exactly once/) });
  });

  it('takes a person’s verdicts and a tag added by hand, and evaluates on them', async () => {
    const star = (await calls['tags.photos']({ tag: 'star' })).ids[0]!;
    const confirmed = await calls['tags.verdict']({ photoIds: [star], tag: 'Star', verdict: 'confirm' });
    expect(confirmed.given).toBe(1);
    expect(confirmed.photo?.tags).toContainEqual(expect.objectContaining({ tag: 'star', source: 'person' }));
    await calls['tags.verdict']({ photoIds: [star], tag: 'circle', verdict: 'reject' });
    await calls['tags.verdict']({ photoIds: [star], tag: 'holiday 2024', verdict: 'add' });
    const tags = await calls['tags.ofPhoto']({ id: star });
    expect(tags.rejected).toEqual(['circle']);
    expect(tags.tags.map((tag) => tag.tag)).toContain('holiday 2024');
    // A tag added by hand, given again in another Unicode form, is the one the photo has (Note [One name, one tag]).
    await calls['tags.verdict']({ photoIds: [star], tag: 'caf\u00e9', verdict: 'add' });
    await calls['tags.verdict']({ photoIds: [star], tag: 'cafe\u0301', verdict: 'reject' });
    expect((await calls['tags.ofPhoto']({ id: star })).rejected).toEqual(['caf\u00e9', 'circle']);
    await expect(calls['tags.verdict']({ photoIds: [star], tag: 'no|pipes', verdict: 'add' })).rejects.toMatchObject({ code: 'bad-input' });
    await expect(calls['tags.verdict']({ photoIds: [star], tag: 'hexagon', verdict: 'confirm' })).rejects.toMatchObject({ code: 'not-found' });
    // All or none: a photo gone since the window showed it leaves the others as they were.
    const stars = (await calls['tags.photos']({ tag: 'star' })).ids.slice(1, 4);
    const before = await Promise.all(stars.map((id) => calls['tags.ofPhoto']({ id })));
    await expect(calls['tags.verdict']({ photoIds: [...stars, 999_999], tag: 'star', verdict: 'reject' })).rejects.toMatchObject({ code: 'not-found' });
    await expect(calls['tags.verdict']({ photoIds: stars, tag: 'a|b', verdict: 'add' })).rejects.toMatchObject({ code: 'bad-input' });
    expect(await Promise.all(stars.map((id) => calls['tags.ofPhoto']({ id })))).toEqual(before);

    const evaluation = await calls['vocabulary.evaluate']({ vocabulary: VOCABULARY });
    expect(evaluation.edited).toMatchObject({ confirmed: 1, rejected: 1, top1: 1 });
    expect(evaluation.saved).toEqual(evaluation.edited);
    expect(evaluation.singleTemplate).toMatchObject({ template: 'a photo of a {}.', report: { confirmed: 1 } });
    expect((await calls['tags.list']({})).find((tag) => tag.name === 'holiday 2024')).toMatchObject({ inVocabulary: false, photos: 1 });
  });

  it('learns a tag from five confirmed and five rejected photos, reports it with cross-validation, and switches it', async () => {
    const stars = (await calls['tags.photos']({ tag: 'star' })).ids.filter((id) => nameOf(id).startsWith('star-')).slice(0, 6);
    const crosses = (await calls['tags.photos']({ tag: 'cross' })).ids.filter((id) => nameOf(id).startsWith('cross-')).slice(0, 6);
    // A selection's verdict says how many photos it was given on, not each one's tags.
    expect(await calls['tags.verdict']({ photoIds: stars, tag: 'star', verdict: 'confirm' })).toMatchObject({ given: stars.length, photo: null });
    await calls['tags.verdict']({ photoIds: crosses, tag: 'star', verdict: 'reject' });
    const reports = await engine.refinementReports();
    const star = reports.find((report) => report.tag === 'star')!;
    expect(star.confirmed).toBeGreaterThanOrEqual(6);
    expect(star).toMatchObject({ rejected: 6, status: expect.stringMatching(/^(refined|zero-shot)$/), reason: expect.any(String) });
    expect(star.zeroShot).toMatchObject({ precision: expect.any(Number), recall: expect.any(Number) });
    const evaluation = await calls['vocabulary.evaluate']({ vocabulary: VOCABULARY });
    expect(evaluation.refinements.map((report) => report.tag)).toContain('star');
    const off = await calls['tags.setRefinement']({ tag: 'Star', enabled: false });
    expect(off.find((report) => report.tag === 'star')!.status).toBe(star.status === 'refined' ? 'switched-off' : 'zero-shot');
    await calls['tags.setRefinement']({ tag: 'star', enabled: true });
    await expect(calls['tags.setRefinement']({ tag: 'hexagon', enabled: false })).rejects.toMatchObject({ code: 'not-found' });
    await engine.tagLibrary().done;

    // The live preview of a draft neither refits nor rewrites the saved vocabulary's refinements,
    // and a draft equal to the saved vocabulary previews as no change, refinement included.
    const model = (await engine.searchModel()).id;
    const stored = () => engine.library().storage.refinements.forModel(model).map((row) => [row.tag, row.fingerprint]);
    const before = stored();
    const draft = { ...VOCABULARY, tags: VOCABULARY.tags.map((tag, i) => (i === 0 ? { ...tag, prompts: ['round shape'] } : tag)) };
    await calls['vocabulary.preview']({ vocabulary: draft, tag: 'star' });
    expect(stored()).toEqual(before);
    const same = await calls['vocabulary.preview']({ vocabulary: VOCABULARY, tag: 'star' });
    expect([same.gainedCount, same.lostCount]).toEqual([0, 0]);
  });

  it('summarises folders, saves a selection as an album, lists, opens and deletes it', async () => {
    const albums = await calls['albums.list']({});
    const circle = albums.find((album) => album.name === 'circle')!;
    expect(circle).toMatchObject({ kind: 'folder', photos: 16, id: expect.stringMatching(/^folder:/) });
    expect(circle.tags[0]).toMatchObject({ tag: 'circle' });
    expect((await calls['albums.photos']({ id: circle.id })).ids).toHaveLength(16);
    const picked = (await calls['albums.photos']({ id: circle.id })).ids.slice(0, 3);
    const saved = await calls['albums.save']({ name: 'Favourites', photoIds: picked });
    expect(saved).toMatchObject({ kind: 'saved', name: 'Favourites', photos: 3 });
    await expect(calls['albums.save']({ name: 'favourites', photoIds: picked })).rejects.toMatchObject({ code: 'bad-input' });
    expect((await calls['albums.photos']({ id: saved.id })).ids.sort()).toEqual([...picked].sort());
    expect((await calls['albums.list']({})).map((album) => album.name)).toContain('Favourites');
    await calls['albums.delete']({ id: saved.id });
    await expect(calls['albums.photos']({ id: saved.id })).resolves.toMatchObject({ ids: [] });
    await expect(calls['albums.delete']({ id: circle.id })).rejects.toMatchObject({ code: 'bad-input', message: expect.stringMatching(/^A folder's album follows its folder/) });
    await expect(calls['albums.delete']({ id: saved.id })).rejects.toMatchObject({ code: 'not-found' });
  });

  it('renames a saved album, adds photos to it once each, and takes photos out of it, never a folder’s', async () => {
    const circle = (await calls['albums.list']({})).find((album) => album.name === 'circle')!;
    const circles = (await calls['albums.photos']({ id: circle.id })).ids;
    const trip = await calls['albums.save']({ name: 'Trip', photoIds: circles.slice(0, 2) });
    const walks = await calls['albums.save']({ name: 'Walks', photoIds: circles.slice(0, 1) });

    expect(await calls['albums.rename']({ id: trip.id, name: ' Lisbon ' })).toMatchObject({ id: trip.id, kind: 'saved', name: 'Lisbon', photos: 2 });
    expect(await calls['albums.rename']({ id: trip.id, name: 'LISBON' })).toMatchObject({ name: 'LISBON' });
    await expect(calls['albums.rename']({ id: trip.id, name: 'walks' })).rejects.toMatchObject({ code: 'bad-input', message: 'There is already an album called “Walks”. Choose another name.' });
    await expect(calls['albums.rename']({ id: circle.id, name: 'Rings' })).rejects.toMatchObject({ code: 'bad-input' });
    const names = (await calls['albums.list']({})).map((album) => album.name);
    expect(names).toEqual(expect.arrayContaining(['LISBON', 'Walks', 'circle']));
    expect(names).not.toContain('Trip');
    // The names alone, for a list to pick from: the saved albums only, by name, no folder.
    expect(await calls['albums.names']({})).toEqual([{ id: trip.id, name: 'LISBON' }, { id: walks.id, name: 'Walks' }]);

    const added = await calls['albums.add']({ id: trip.id, photoIds: circles.slice(1, 4) });
    expect(added).toMatchObject({ added: 2, already: 1, album: { id: trip.id, name: 'LISBON', photos: 4 } });
    expect((await calls['albums.photos']({ id: trip.id })).ids.sort()).toEqual(circles.slice(0, 4).sort());
    await expect(calls['albums.add']({ id: circle.id, photoIds: circles.slice(0, 1) })).rejects.toMatchObject({ code: 'bad-input' });

    const removed = await calls['albums.remove']({ id: trip.id, photoIds: circles.slice(0, 2) });
    expect(removed).toMatchObject({ removed: 2, album: { photos: 2 } });
    expect((await calls['albums.photos']({ id: trip.id })).ids.sort()).toEqual(circles.slice(2, 4).sort());
    // Still in the library, and in the other album.
    expect((await calls['albums.photos']({ id: circle.id })).ids).toHaveLength(16);
    expect((await calls['albums.photos']({ id: walks.id })).ids).toEqual(circles.slice(0, 1));
    await expect(calls['albums.remove']({ id: circle.id, photoIds: circles.slice(0, 1) })).rejects.toMatchObject({ code: 'bad-input' });
    for (const album of [trip, walks]) await calls['albums.delete']({ id: album.id });
  });

  it('keeps a person’s verdicts on a tag renamed in the editor, in the save and through the run after it', async () => {
    const triangles = (await calls['tags.photos']({ tag: 'triangle' })).ids.filter((id) => nameOf(id).startsWith('triangle-'));
    const [confirmed, rejected] = [triangles[0]!, triangles[1]!];
    await calls['tags.verdict']({ photoIds: [confirmed], tag: 'triangle', verdict: 'confirm' });
    await calls['tags.verdict']({ photoIds: [rejected], tag: 'triangle', verdict: 'reject' });
    const named = (name: string) => ({ ...VOCABULARY, tags: VOCABULARY.tags.map((tag) => (tag.name === 'triangle' ? { ...tag, name } : tag)) });
    const expectVerdictsOn = async (name: string, old: string) => {
      const yes = await calls['tags.ofPhoto']({ id: confirmed });
      expect(yes.tags.filter((tag) => [name, old].includes(tag.tag))).toEqual([expect.objectContaining({ tag: name, source: 'person' })]);
      expect((await calls['tags.ofPhoto']({ id: rejected })).rejected).toEqual([name]);
      const list = await calls['tags.list']({});
      expect(list.find((tag) => tag.name === old)).toBeUndefined();
      expect(list.find((tag) => tag.name === name)).toMatchObject({ confirmed: 1, rejected: 1 });
    };

    await calls['vocabulary.save']({ vocabulary: named('three-sided'), renames: [{ from: 'triangle', to: 'Three-Sided' }] });
    await expectVerdictsOn('three-sided', 'triangle');
    await engine.tagLibrary().done;
    await expectVerdictsOn('three-sided', 'triangle');

    await expect(calls['vocabulary.save']({ vocabulary: VOCABULARY, renames: [{ from: 'three-sided', to: 'hexagon' }] })).rejects.toMatchObject({ code: 'bad-input' });
    await calls['vocabulary.save']({ vocabulary: VOCABULARY, renames: [{ from: 'three-sided', to: 'triangle' }] });
    await engine.tagLibrary().done;
    await expectVerdictsOn('triangle', 'three-sided');
    await calls['tags.verdict']({ photoIds: [confirmed, rejected], tag: 'triangle', verdict: 'clear' });
  });

  it('writes a second XMP export asked while one runs after it, as asked, and joins one asked twice', async () => {
    const circles = (await calls['tags.photos']({ tag: 'circle' })).ids;
    const star = (await calls['tags.photos']({ tag: 'star' })).ids[0] as number;
    const first = engine.exportXmp({ photoIds: circles });
    expect(engine.exportXmp({ photoIds: [...circles].reverse() }).job).toBe(first.job);
    const second = engine.exportXmp({ photoIds: [star], style: 'xmp' });
    expect(second.job).not.toBe(first.job);
    // Each answers with its own counts, and the second writes only once the first is done.
    expect((await second.done).style).toBe('xmp');
    expect(first.job.state).toBe('done');
    expect((await first.done).written).toBe(circles.length);

    // As the window asks: a tag's page, then a selection, before the first has finished.
    await removeSidecars();
    const [byTag, bySelection] = await Promise.all([calls['xmp.export']({ tag: 'circle' }), calls['xmp.export']({ photoIds: [star], style: 'xmp' })]);
    expect(byTag).toMatchObject({ style: 'jpg.xmp', skipped: [] });
    expect(byTag.written).toBeGreaterThanOrEqual(circles.length);
    expect(bySelection).toEqual({ style: 'xmp', written: 1, writtenAs: { 'jpg.xmp': 0, xmp: 1 }, unchanged: 0, withoutTags: 0, skipped: [] });
    expect(await readFile(sidecarPath(engine.library().resolvePhoto(star).path, 'xmp'), 'utf8')).toContain('<rdf:li>Lumen|star</rdf:li>');
    await removeSidecars();
  });

  it('writes XMP sidecars for a tag’s photos, each copy’s too, exports, imports and resets the vocabulary', async () => {
    // A byte-identical copy of a square: one photo in the window, two files with a sidecar each.
    const square = (await calls['tags.photos']({ tag: 'square' })).ids[0] as number;
    const copy = path.join(photos, 'copies', 'square-copy.jpg');
    await mkdir(path.dirname(copy));
    await copyFile(engine.library().resolvePhoto(square).path, copy);
    await engine.index().done;
    const summary = await calls['xmp.export']({ tag: 'square' });
    expect(summary.written).toBeGreaterThanOrEqual(15);
    const sidecars = (await readdir(photos, { recursive: true })).filter((name) => name.endsWith('.jpg.xmp'));
    expect(sidecars.length).toBe(summary.written);
    expect(sidecars.filter((name) => name.startsWith(`square${path.sep}`)).length).toBeGreaterThanOrEqual(14);
    expect(sidecars).toContain(path.join('copies', 'square-copy.jpg.xmp'));
    // A photo the person rejects the tag on loses its keyword at the tag's next export.
    const rejected = (await calls['tags.photos']({ tag: 'square' })).ids[1] as number;
    const rejectedSidecar = sidecarPath(engine.library().resolvePhoto(rejected).path, 'jpg.xmp');
    expect(await readFile(rejectedSidecar, 'utf8')).toContain('<rdf:li>Lumen|square</rdf:li>');
    await calls['tags.verdict']({ photoIds: [rejected], tag: 'square', verdict: 'reject' });
    expect(await calls['xmp.export']({ tag: 'square' })).toMatchObject({ written: 1, skipped: [] });
    expect(await readFile(rejectedSidecar, 'utf8')).not.toContain('square');
    const chosen = await calls['xmp.export']({ photoIds: [square], style: 'xmp' });
    expect(chosen.written).toBe(2);
    const exported = JSON.parse((await calls['vocabulary.export']({})).json);
    expect(exported).toEqual(VOCABULARY);
    // Said in the app's words, not the parser's nor in JSON paths (Note [Problems in words] in tags/vocabulary.ts).
    await expect(calls['vocabulary.import']({ json: '{not json' })).rejects.toMatchObject({ code: 'bad-input', message: 'That file is not a vocabulary exported from Lumen: it is not valid JSON.' });
    await expect(calls['vocabulary.import']({ json: '{\n  "templates": ["a {}"]\n  "tags": []\n}' })).rejects.toMatchObject({ code: 'bad-input', message: 'That file is not a vocabulary exported from Lumen: it is not valid JSON (see line 3).' });
    await expect(calls['vocabulary.import']({ json: '{"tags":[{"name":"x"}]}' })).rejects.toMatchObject({
      code: 'bad-input',
      message: 'That file is not a vocabulary Lumen can use: it has no list of templates; the tag “x” has no list of prompts. Fix it and try again.',
    });
    const reset = await calls['vocabulary.reset']({});
    expect(reset.vocabulary.tags.length).toBeGreaterThan(50);
    await engine.tagLibrary().done;
  });
});

describe('the app’s tag calls before a library (Note [Before a library])', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let engine: Engine;
  let calls: EngineHandlers;

  beforeAll(async () => {
    scratch = await tempDir();
    // A first run: no folder added, no model.
    engine = new Engine({ dataDir: path.join(scratch.dir, 'data') });
    calls = engineHandlers(engine);
  });
  afterAll(async () => {
    await engine.dispose();
    await scratch.cleanup();
  });

  it('answers the Tags, Albums and Templates pages as of a library without photos, and creates none', async () => {
    const builtIn = await loadDefaultVocabulary();
    expect(await calls['vocabulary.get']({})).toEqual({ vocabulary: builtIn, isDefault: true });
    expect(JSON.parse((await calls['vocabulary.export']({})).json)).toEqual(builtIn);
    const tags = await calls['tags.list']({});
    expect(tags.map((tag) => tag.name)).toEqual(builtIn.tags.map((tag) => tag.name));
    expect(tags.filter((tag) => tag.photos > 0 || tag.confirmed > 0 || tag.samples.length > 0)).toEqual([]);
    expect((await calls['tags.photos']({ tag: builtIn.tags[0]!.name })).ids).toEqual([]);
    expect(await calls['albums.list']({})).toEqual([]);
    expect(await calls['albums.names']({})).toEqual([]);
    expect(engine.hasLibrary()).toBe(false);
  });

  it('refuses to tag or save a vocabulary, as a call that says to add a folder and starts no job', async () => {
    const noLibrary = { code: 'not-found', message: expect.stringMatching(/^There is no library in .* yet\. Add a folder of photos first/) };
    await expect(calls['tags.run']({})).rejects.toMatchObject(noLibrary);
    await expect(calls['vocabulary.save']({ vocabulary: VOCABULARY })).rejects.toMatchObject(noLibrary);
    expect(engine.jobs.list()).toEqual([]);
    expect(engine.hasLibrary()).toBe(false);
  });
});
