/** `embed-text` and `embed-image`: unit-length embeddings as JSON, one per input, in order. */
import type { Command, CommandContext, CommandResult } from './command.js';
import { UserError } from '../core/errors.js';
import { MODEL_OPTIONS, requirePositionals } from './common.js';

async function vectorsResult(context: CommandContext, vectors: Float32Array[]): Promise<CommandResult> {
  const model = await context.engine().searchModel();
  const rows = vectors.map((vector) => Array.from(vector));
  return {
    json: { model: model.id, dim: model.dim, vectors: rows },
    text: rows.map((row) => row.map((value) => value.toFixed(6)).join(' ')).join('\n'),
  };
}

/** The texts to embed; one of blank space alone is refused as an empty one is (askedAmiss in index.ts): it has no words to embed. */
function textsToEmbed(context: CommandContext): string[] {
  const texts = requirePositionals(context, 'text');
  const blank = texts.findIndex((text) => text.trim() === '');
  if (blank >= 0) throw new UserError('bad-input', `Text ${blank + 1} is blank: give the words to embed.`);
  return texts;
}

export const embedText: Command = {
  name: 'embed-text',
  args: 'TEXT...',
  summary: 'Print the text embedding of each TEXT.',
  options: MODEL_OPTIONS,
  run: async (context) => vectorsResult(context, await context.engine().embedTexts(textsToEmbed(context), context.signal)),
};

export const embedImage: Command = {
  name: 'embed-image',
  args: 'FILE...',
  summary: 'Print the image embedding of each photo FILE.',
  details: 'Fails, naming the file, if any FILE cannot be read or decoded.',
  options: MODEL_OPTIONS,
  run: async (context) => vectorsResult(context, await context.engine().embedImages(requirePositionals(context, 'image file'), context.signal)),
};
