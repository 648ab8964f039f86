/** `status`: the library (photos, failures, index health) and the model and provider in use. */
import { isUserError } from '../core/errors.js';
import { Library } from '../library/library.js';
import { installedProviders } from '../models/session.js';
import type { Command, CommandContext } from './command.js';
import { MODEL_OPTIONS, hasLibrary, withModel } from './common.js';

async function libraryStatus(context: CommandContext) {
  if (!hasLibrary(context)) return null;
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
      model = await withModel(
        context,
        async (loaded) => ({ id: loaded.id, dir: loaded.spec.dir, layout: loaded.spec.layout, dim: loaded.dim, providers: await loaded.providers() }),
        library?.servingModelReference ?? null,
      );
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
