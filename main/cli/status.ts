/** `status`: the library (photos, failures, index health) and the model and provider in use. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { isUserError } from '../core/errors.js';
import { Library } from '../library/library.js';
import { ClipModel } from '../models/clip.js';
import { installedProviders } from '../models/session.js';
import { ModelStore } from '../models/store.js';
import { stringOption, type Command, type CommandContext } from './command.js';
import { MODEL_OPTIONS, providerOption } from './common.js';

async function libraryStatus(context: CommandContext) {
  if (!existsSync(path.join(context.dataDir, 'library.db'))) return null;
  const library = Library.open(context.dataDir);
  try {
    const status = library.status();
    const serving = status.models.find((model) => model.model === status.servingModel);
    let index = null;
    if (serving) {
      const vectors = await library.vectorIndex(serving.model, library.store.dimension(serving.model));
      index = { model: serving.model, health: vectors.health, vectors: vectors.size, embeddings: serving.embedded };
    }
    return { ...status, servingModelReference: library.servingModelReference(), index };
  } finally {
    await library.close();
  }
}

export const status: Command = {
  name: 'status',
  args: '',
  summary: 'Show the library (photos, failed files, index health), the model and the execution provider in use.',
  options: MODEL_OPTIONS,
  async run(context) {
    const library = await libraryStatus(context);
    const available = [...installedProviders()];
    let model = null;
    let modelProblem: string | null = null;
    try {
      const dir = await new ModelStore(context.dataDir).resolve(stringOption(context, 'model') ?? library?.servingModelReference ?? undefined);
      const loaded = await ClipModel.load(dir, { provider: providerOption(context), log: context.log });
      try {
        model = { id: loaded.id, dir: loaded.spec.dir, layout: loaded.spec.layout, dim: loaded.dim, providers: await loaded.providers() };
      } finally {
        await loaded.dispose();
      }
    } catch (error) {
      if (!isUserError(error) || (error.code !== 'model-missing' && error.code !== 'model-invalid')) throw error;
      modelProblem = error.message;
    }
    const json = { dataDir: context.dataDir, library, model, modelProblem, providers: model?.providers ?? null, availableProviders: available };
    const lines = [`Data folder: ${context.dataDir}`];
    if (library) {
      lines.push(
        `Library:     ${library.photos} photos in ${library.folders.length} folder(s), ${library.failed} failed file(s)`,
        ...library.models.map((m) => `             ${m.model}: ${m.embedded} embedded, ${m.missing} to do${m.model === library.servingModel ? ' (serving searches)' : ''}`),
        library.index ? `Index:       ${library.index.health}, ${library.index.vectors} of ${library.index.embeddings} vectors` : 'Index:       none yet',
      );
    } else {
      lines.push('Library:     empty (run `index FOLDER`)');
    }
    lines.push(
      model ? `Model:       ${model.id} (${model.layout} layout, ${model.dim}-d) in ${model.dir}` : `Model:       none: ${modelProblem}`,
      model ? `Provider:    image ${model.providers.image}, text ${model.providers.text} (available: ${available.join(', ')})` : `Providers:   available: ${available.join(', ')}`,
    );
    return { json, text: lines.join('\n') };
  },
};
