/** `embed-text` and `embed-image`: unit-length embeddings as JSON, one per input, in order. */
import type { Command, CommandResult } from './command.js';
import { MODEL_OPTIONS, requirePositionals, withModel } from './common.js';
import type { ClipModel } from '../models/clip.js';

function vectorsResult(model: ClipModel, vectors: Float32Array[]): CommandResult {
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
  run: (context) =>
    withModel(context, async (model) => vectorsResult(model, await model.embedTexts(requirePositionals(context, 'text'), context.signal))),
};

export const embedImage: Command = {
  name: 'embed-image',
  args: 'FILE...',
  summary: 'Print the image embedding of each photo FILE.',
  details: 'Fails, naming the file, if any FILE cannot be read or decoded.',
  options: MODEL_OPTIONS,
  run: (context) =>
    withModel(context, async (model) => {
      const results = await model.embedImageList(requirePositionals(context, 'image file'), { signal: context.signal });
      const failure = results.find((result) => 'error' in result);
      if (failure && 'error' in failure) throw failure.error;
      return vectorsResult(model, results.map((result) => ('vector' in result ? result.vector : new Float32Array())));
    }),
};
