import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Library } from '../../main/library/library.js';
import type { ClipModel } from '../../main/models/clip.js';
import { l2Normalize } from '../../main/models/vectors.js';
import type { IndexedFile } from '../../main/storage/library-store.js';
import { refineTag, type RefineInput } from '../../main/tags/refine.js';
import { TagRefinements, type RefinementContext } from '../../main/tags/refinements.js';
import type { TagStore } from '../../main/storage/tag-store.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { loadFixtureModel, openLibrary } from '../helpers/library.js';
import { seeded } from '../helpers/scenes.js';
import { heldOutFigures, labelledScenes, refinementContext, verdictsFor } from '../helpers/tag-sets.js';

const DIM = 16;

function unit(components: Record<number, number>, noise = 0, next = seeded(1)): Float32Array {
  const v = Float32Array.from({ length: DIM }, (_, i) => (components[i] ?? 0) + noise * (next() - 0.5));
  return l2Normalize(v);
}

/**
 * A tag whose text embedding (axis 0) is a poor guide: confirmed photos lean on axis 4, rejected
 * ones on axis 5, and the rejected lean more on the text's own axis.
 */
function weakPrompt(count: number, seed = 2): RefineInput {
  const next = seeded(seed);
  return {
    text: unit({ 0: 1 }),
    others: [unit({ 1: 1 }), unit({ 2: 1 }), unit({ 3: 1 })],
    scale: 20,
    threshold: 0.1,
    confirmed: Array.from({ length: count }, () => unit({ 0: 0.25, 4: 1, 6: 0.5 }, 0.6, next)),
    rejected: Array.from({ length: count }, () => unit({ 0: 0.4, 5: 1, 6: 0.5 }, 0.6, next)),
  };
}

const angle = (a: Float32Array, b: Float32Array) => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  a.forEach((x, i) => {
    dot += x * (b[i] as number);
    na += x * x;
    nb += (b[i] as number) ** 2;
  });
  return Math.acos(Math.min(1, dot / Math.sqrt(na * nb)));
};

describe('refineTag', () => {
  it('refines a tag whose prompt misleads, and shows the gain on held-out verdicts', () => {
    const refinement = refineTag(weakPrompt(10));
    expect(refinement.vector).not.toBeNull();
    // The status and the figures are fields of their own, shown beside the reason: it repeats neither.
    expect(refinement.reason).toBe('refining decides more of your verdicts right, beyond chance (5-fold cross-validation on 10 confirmed and 10 rejected photos)');
    const { zeroShot, refined } = refinement;
    expect(refined!.truePositives + refined!.trueNegatives).toBeGreaterThan(zeroShot!.truePositives + zeroShot!.trueNegatives);
    expect(refined!.truePositives + refined!.falseNegatives).toBe(10);
  });

  it('lets few verdicts pull the vector only a little way from the prompt, many further', () => {
    const few = refineTag(weakPrompt(5)).vector;
    const many = refineTag(weakPrompt(60)).vector;
    const text = unit({ 0: 1 });
    expect(few).not.toBeNull();
    expect(angle(few!, text)).toBeLessThan(angle(many!, text));
  });

  it('keeps zero-shot when there are too few verdicts of either kind, and says so', () => {
    const input = weakPrompt(10);
    const refinement = refineTag({ ...input, confirmed: input.confirmed.slice(0, 4) });
    expect(refinement).toMatchObject({ vector: null, zeroShot: null, refined: null, folds: 0 });
    expect(refinement.reason).toBe('refining needs at least 5 confirmed and 5 rejected photos (there are 4 and 10)');
  });

  it('keeps zero-shot when the verdicts follow nothing in the photos', () => {
    const next = seeded(9);
    const photos = Array.from({ length: 40 }, () => unit({ 0: 0.5, 7: 0.5 }, 1, next));
    const refinement = refineTag({ ...weakPrompt(1), confirmed: photos.slice(0, 20), rejected: photos.slice(20) });
    expect(refinement.vector).toBeNull();
    expect(refinement.reason).toMatch(/^(the gain refining shows could be chance|refining shows no gain|refining would decide fewer of your verdicts right) \(5-fold cross-validation on 20 confirmed and 20 rejected photos\)$/);
  });
});

describe('refining on the fixture model', () => {
  let model: ClipModel;
  beforeAll(async () => {
    model = await loadFixtureModel(IMMICH_MODEL);
  });
  afterAll(async () => model.dispose());

  it('learns "round" from ten verdicts of each kind: better on scenes it never saw', async () => {
    const context = await refinementContext(model);
    const [train, test] = await Promise.all([labelledScenes(model, 150, 21), labelledScenes(model, 150, 22)]);
    const tag = context.tags.find((t) => t.name === 'round')!;
    const others = [...context.tags.filter((t) => t !== tag).map((t) => t.vector), context.background.vector];
    const refinement = refineTag({ text: tag.vector, others, scale: context.scale, threshold: tag.threshold, ...verdictsFor(context, 'round', train, 10, 1) });
    expect(refinement.vector).not.toBeNull();
    const zero = heldOutFigures(context, 'round', tag.vector, test);
    const refined = heldOutFigures(context, 'round', refinement.vector!, test);
    expect(refined.recall).toBeGreaterThan(zero.recall);
    expect(refined.precision).toBeGreaterThan(zero.precision);
  });
});

describe('TagRefinements in a library', () => {
  let scratch: Awaited<ReturnType<typeof tempDir>>;
  let library: Library;
  let refinements: TagRefinements;
  let tags: TagStore;

  const context = (model: string, names = ['round', 'rare']): RefinementContext => ({
    model,
    scale: 20,
    tags: names.map((name, i) => ({ name, key: `key-${name}`, threshold: 0.1, vector: unit({ [i === 0 ? 0 : 1]: 1 }) })),
    background: { key: 'background', vector: unit({ 3: 1 }) },
  });

  beforeAll(async () => {
    scratch = await tempDir();
    library = openLibrary(path.join(scratch.dir, 'data'));
    const { folders: [folder] } = await library.addFolders([scratch.dir]);
    const input = weakPrompt(8);
    const vectors = [...input.confirmed, ...input.rejected, unit({ 1: 1 }), unit({ 1: 1, 2: 0.3 })];
    for (const model of ['m1', 'm2']) {
      const files: IndexedFile[] = vectors.map((vector, i) => ({
        path: path.join(scratch.dir, `p${i}.jpg`),
        folderId: folder!.id,
        size: 1,
        mtimeMs: 0,
        ctimeMs: 0,
        image: { created: { contentHash: `h${i}`, format: 'jpeg', width: 1, height: 1, takenAt: null, cameraMake: null, cameraModel: null, lens: null, latitude: null, longitude: null, orientation: 1, thumbnail: null } },
        vector,
      }));
      library.storage.library.writeBatch(model, files, []);
    }
    refinements = new TagRefinements(library.storage.refinements, library.storage.embeddings);
    tags = library.storage.tags;
    // Image ids 1-8 confirmed "round", 9-16 rejected; "rare" has two verdicts.
    for (let id = 1; id <= 16; id++) tags.setVerdict(id, 'round', id > 8);
    tags.setVerdict(17, 'rare', false);
    tags.setVerdict(18, 'rare', true);
  });

  afterAll(async () => {
    await library.close();
    await scratch.cleanup();
  });

  it('refines the tags with enough verdicts, reports every tag, and refits only what changed', async () => {
    const first = await refinements.refineTags(context('m1'));
    expect(first.refitted).toEqual(['round', 'rare']);
    expect([...first.inUse.keys()]).toEqual(['round']);
    expect(first.inUse.get('round')?.key).toMatch(/^refined-[0-9a-f]{32}$/);
    expect(first.reports.map((r) => [r.tag, r.status, r.confirmed, r.rejected])).toEqual([
      ['round', 'refined', 8, 8],
      ['rare', 'zero-shot', 1, 1],
    ]);
    // The status is shown beside the reason (the evaluation panel's badge, the CLI's column): the reason does not say it again.
    for (const report of first.reports) expect(report.reason).toMatch(/^refining /);
    expect(refinements.refinedVectorFor('m1', 'round')).toEqual(first.inUse.get('round'));
    expect(refinements.refinedVectorFor('m1', 'rare')).toBeUndefined();
    const again = await refinements.refineTags(context('m1'));
    expect(again.refitted).toEqual([]);
    expect(again.inUse).toEqual(first.inUse);
    tags.giveVerdicts([{ imageId: 16, tag: 'round' }], 'clear');
    expect((await refinements.refineTags(context('m1'))).refitted).toEqual(['round']);
    tags.setVerdict(16, 'round', true);
  });

  it('lets the person set a tag back to zero-shot and allow it again', async () => {
    refinements.setRefinementEnabled('round', false);
    const off = await refinements.refineTags(context('m1'));
    expect(off.inUse.has('round')).toBe(false);
    expect(off.reports.find((r) => r.tag === 'round')?.status).toBe('switched-off');
    expect(refinements.refinedVectorFor('m1', 'round')).toBeUndefined();
    refinements.setRefinementEnabled('round', true);
    expect((await refinements.refineTags(context('m1'))).inUse.has('round')).toBe(true);
  });

  it('keeps a refinement per model, fits a new model afresh, and forgets tags taken out of the vocabulary', async () => {
    const other = await refinements.refineTags(context('m2'));
    expect(other.refitted).toEqual(['round', 'rare']);
    // Without "rare" the softmax "round" was fitted against changed: it is refitted, "rare" forgotten.
    expect((await refinements.refineTags(context('m1', ['round']))).refitted).toEqual(['round']);
    expect(refinements.reports('m1').map((r) => r.tag)).toEqual(['round']);
    expect(refinements.reports('m2').map((r) => r.tag)).toEqual(['rare', 'round']);
    // Another tag in the softmax changes what the refinement was fitted against.
    expect((await refinements.refineTags(context('m2', ['round', 'rare', 'new']))).refitted).toEqual(['round', 'rare', 'new']);
  });
});
