/** `status`: which model is in use, its dimension and the execution provider it really runs on. */
import type { Command } from './command.js';
import { MODEL_OPTIONS, loadModel } from './common.js';
import { installedProviders } from '../models/session.js';

export const status: Command = {
  name: 'status',
  args: '',
  summary: 'Show the model, its embedding size and the execution provider in use.',
  options: MODEL_OPTIONS,
  async run(context) {
    const model = await loadModel(context);
    try {
      const providers = await model.providers();
      const available = [...installedProviders()];
      const json = {
        dataDir: context.dataDir,
        model: { id: model.id, dir: model.spec.dir, layout: model.spec.layout, dim: model.dim },
        providers,
        availableProviders: available,
      };
      const text = [
        `Data folder: ${context.dataDir}`,
        `Model:       ${model.id} (${model.spec.layout} layout, ${model.dim}-d) in ${model.spec.dir}`,
        `Provider:    image ${providers.image}, text ${providers.text} (available: ${available.join(', ')})`,
      ].join('\n');
      return { json, text };
    } finally {
      await model.dispose();
    }
  },
};
