/** `embed-text` and `embed-image`: unit-length embeddings as JSON, one per input, in order. */
import type { Command, CommandContext, CommandResult } from './command.js';
import { MODEL_OPTIONS, requirePositionals } from './common.js';

async function vectorsResult(context: CommandContext, vectors: Float32Array[]): Promise<CommandResult> {
  const model = await context.engine().searchModel();
  const rows = vectors.map((vector) => Array.from(vector));
  return {
    json: { model: model.id, dim: model.dim, vectors: rows },
    text: rows.map((row) => row.map((value) => value.toFixed(6)).join(' ')).join('\n'),
  };
}

export const embedText: Command = {
  name: 'embed-text',
  args: 'TEXT...',
  summary: 'Print the text embedding of each TEXT.',
  options: MODEL_OPTIONS,
  run: async (context) => vectorsResult(context, await context.engine().embedTexts(requirePositionals(context, 'text'), context.signal)),
};

export const embedImage: Command = {
  name: 'embed-image',
  args: 'FILE...',
  summary: 'Print the image embedding of each photo FILE.',
  details: 'Fails, naming the file, if any FILE cannot be read or decoded.',
  options: MODEL_OPTIONS,
  run: async (context) => vectorsResult(context, await context.engine().embedImages(requirePositionals(context, 'image file'), context.signal)),
};
