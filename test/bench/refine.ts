/**
 * Refined tags on the fixture model: for each tag of a vocabulary with clear and weak prompts,
 * a person's verdicts (n confirmed, n rejected, for n = 5, 10, 20) drawn from one set of scenes,
 * and precision and recall on another set, zero-shot against what refinement leaves in use
 * (the refined vector when cross-validation showed a gain, else the text embedding), averaged
 * over several draws.
 */
import { ClipModel } from '../../main/models/clip.js';
import { refineTag } from '../../main/tags/refine.js';
import { heldOutFigures, labelledScenes, refinementContext, verdictsFor, REFINE_TAGS } from '../helpers/tag-sets.js';

type Log = (message: string) => void;

const percent = (x: number) => `${(100 * x).toFixed(1)} %`;

export async function refinementFigures(modelDir: string, log: Log, options: { counts?: number[]; draws?: number; train?: number; test?: number } = {}) {
  const counts = options.counts ?? [5, 10, 20];
  const draws = options.draws ?? 5;
  const model = await ClipModel.load(modelDir, { provider: 'cpu' });
  try {
    const context = await refinementContext(model);
    const train = await labelledScenes(model, options.train ?? 400, 11);
    const test = await labelledScenes(model, options.test ?? 400, 12);
    const results = [];
    for (const tag of REFINE_TAGS) {
      const text = context.tags.find((t) => t.name === tag.name);
      if (!text) continue;
      const zero = heldOutFigures(context, tag.name, text.vector, test);
      log(`\n${tag.name} ("${tag.prompts.join('", "')}"): zero-shot precision ${percent(zero.precision)}, recall ${percent(zero.recall)} on ${test.length} held-out scenes`);
      for (const count of counts) {
        let precision = 0;
        let recall = 0;
        let refinedDraws = 0;
        let refinedPrecision = 0;
        let refinedRecall = 0;
        const reasons: string[] = [];
        for (let draw = 0; draw < draws; draw++) {
          const verdicts = verdictsFor(context, tag.name, train, count, 100 * count + draw);
          const others = [...context.tags.filter((t) => t.name !== tag.name).map((t) => t.vector), context.background.vector];
          const refinement = refineTag({ text: text.vector, others, scale: context.scale, threshold: text.threshold, ...verdicts });
          const used = heldOutFigures(context, tag.name, refinement.vector ?? text.vector, test);
          precision += used.precision / draws;
          recall += used.recall / draws;
          if (refinement.vector) {
            refinedDraws++;
            refinedPrecision += used.precision;
            refinedRecall += used.recall;
          }
          reasons.push(refinement.reason);
        }
        const row = {
          tag: tag.name,
          verdicts: count,
          zeroShot: zero,
          used: { precision, recall },
          refinedInDraws: refinedDraws / draws,
          whenRefined: refinedDraws ? { precision: refinedPrecision / refinedDraws, recall: refinedRecall / refinedDraws } : null,
          exampleReason: reasons[0],
        };
        results.push(row);
        log(`  ${count} + ${count} verdicts: in use precision ${percent(precision)}, recall ${percent(recall)}; refined in ${refinedDraws}/${draws} draws; e.g. ${reasons[0]}`);
      }
    }
    return results;
  } finally {
    await model.dispose();
  }
}
