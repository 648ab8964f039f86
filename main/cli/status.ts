/** `status`: the engine's status, the same shape the desktop app shows (see EngineStatus). */
import type { Command } from './command.js';
import { count, MODEL_OPTIONS } from './common.js';

export const status: Command = {
  name: 'status',
  args: '',
  summary: 'Show the library (photos, failed files, index health), the model and the execution provider in use.',
  options: MODEL_OPTIONS,
  async run(context) {
    const status = await context.engine().status();
    const { library, model } = status;
    const lines = [`Data folder: ${status.dataDir}`];
    if (library) {
      lines.push(
        `Library:     ${count(library.photos, 'photo')} in ${count(library.folders.length, 'folder')}, ${count(library.failed, 'failed file')}`,
        ...library.models.map((m) => `             ${m.model}: ${m.embedded} embedded, ${m.missing} to do${m.model === library.servingModel ? ' (serving searches)' : ''}`),
        library.index ? `Index:       ${library.index.health}, ${library.index.vectors} of ${library.index.embeddings} vectors` : 'Index:       none yet',
      );
    } else {
      lines.push('Library:     none yet (add a folder: `lumen index FOLDER`)');
    }
    lines.push(
      model ? `Model:       ${model.id} (${model.layout} layout, ${model.dim}-d) in ${model.dir}` : `Model:       none: ${status.modelProblem?.message}`,
      model
        ? `Provider:    image ${model.providers.image}, text ${model.providers.text} (installed: ${status.availableProviders.join(', ')})`
        : `Providers:   installed: ${status.availableProviders.join(', ')}`,
    );
    return { json: status, text: lines.join('\n') };
  },
};
