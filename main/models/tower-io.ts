/**
 * How a CLIP tower's ONNX graph is fed and read: which inputs and output it has, texts as its
 * token tensors, its output as unit-length embeddings (clip.ts runs the towers).
 *
 * Note [Read the graph]: input and output names, element types and whether the batch dimension
 * is dynamic come from the ONNX graphs, so Immich exports (batch 1, int32 `text`, normalised
 * `embedding`), Hugging Face exports (dynamic batch, int64 `input_ids` + `attention_mask`,
 * un-normalised `*_embeds`) and multilingual towers all run through the same code.
 */
import ort from 'onnxruntime-node';
import { UserError } from '../core/errors.js';
import { isFixed, type ModelSession, type TensorInfo } from './session.js';
import type { Feeds } from './threaded-session.js';
import type { TokenizedText } from './tokenizer.js';
import { isUsableEmbedding, l2Normalize } from './vectors.js';

/** How a text tower's graph takes its texts. */
export interface TextInputs {
  ids: TensorInfo;
  mask: TensorInfo | undefined;
  output: string;
  maxBatch: number;
  /** Fixed sequence length of the graph, or null when it takes any length. */
  fixedLength: number | null;
}

/** Texts run together, each padded to `length`. */
export interface TextBatch {
  texts: TokenizedText[];
  length: number;
}

/**
 * The embedding output of a tower, checked against the dimension config.json declares.
 *
 * Note [Graph agrees with config]: a folder whose config.json names another embedding size than
 * its graphs produce would store vectors the index cannot hold, so it is refused when the tower
 * starts, before any photo is read (the indexer starts the image tower before decoding).
 */
export function pickOutput(outputs: TensorInfo[], preferred: string[], modelPath: string, dim: number): string {
  const byName = outputs.find((info) => preferred.includes(info.name));
  const fallback = outputs.find((info) => info.shape.length === 2);
  const chosen = byName ?? fallback;
  if (!chosen) throw new UserError('model-invalid', `${modelPath} has no embedding output (found ${outputs.map((o) => o.name).join(', ')}).`);
  const size = chosen.shape.at(-1);
  if (isFixed(size) && size !== dim) {
    throw new UserError(
      'model-invalid',
      `${modelPath} produces embeddings of ${size} dimensions, but the folder's config.json says ${dim}; the model folder is inconsistent: download it again or choose another model.`,
    );
  }
  return chosen.name;
}

export function maxBatchOf(input: TensorInfo): number {
  return isFixed(input.shape[0]) ? input.shape[0] : Number.POSITIVE_INFINITY;
}

export function textInputsOf(session: ModelSession, modelPath: string, dim: number): TextInputs {
  const ids = session.inputs.find((info) => info.name === 'text' || info.name === 'input_ids') ?? session.inputs[0];
  if (!ids || (ids.type !== 'int32' && ids.type !== 'int64')) {
    throw new UserError('model-invalid', `${modelPath} has no integer token input; it is not a CLIP text tower.`);
  }
  const mask = session.inputs.find((info) => info.name === 'attention_mask');
  const output = pickOutput(session.outputs, ['embedding', 'text_embeds'], modelPath, dim);
  const length = ids.shape[1];
  return { ids, mask, output, maxBatch: maxBatchOf(ids), fixedLength: isFixed(length) ? length : null };
}

/** The token ids and mask of `batch` as the graph takes them, each text padded with `padId` to `length`. */
export function textFeeds(tower: TextInputs, padId: number, batch: readonly TokenizedText[], length: number): Feeds {
  const wide = tower.ids.type === 'int64';
  const count = batch.length * length;
  const ids = wide ? new BigInt64Array(count) : new Int32Array(count);
  const mask = wide ? new BigInt64Array(count) : new Int32Array(count);
  batch.forEach((tokens, row) => {
    for (let i = 0; i < length; i++) {
      const real = i < tokens.ids.length;
      const id = real ? (tokens.ids[i] as number) : padId;
      if (wide) {
        (ids as BigInt64Array)[row * length + i] = BigInt(id);
        (mask as BigInt64Array)[row * length + i] = real ? 1n : 0n;
      } else {
        (ids as Int32Array)[row * length + i] = id;
        (mask as Int32Array)[row * length + i] = real ? 1 : 0;
      }
    }
  });
  const dims = [batch.length, length];
  const feeds: Feeds = { [tower.ids.name]: new ort.Tensor(tower.ids.type as 'int32' | 'int64', ids, dims) };
  if (tower.mask) feeds[tower.mask.name] = new ort.Tensor(tower.ids.type as 'int32' | 'int64', mask, dims);
  return feeds;
}

/** The `count` embeddings of `dim` dimensions in output `name`, each of unit length; a model that returns other sizes or unusable values is refused. */
export function embeddingRows(outputs: Record<string, ort.Tensor>, name: string, count: number, dim: number, modelId: string): Float32Array[] {
  const data = outputs[name]?.data;
  if (!(data instanceof Float32Array) || data.length !== count * dim) {
    throw new UserError(
      'model-invalid',
      `The model returned ${data?.length ?? 0} values for ${count} inputs; config.json says the embedding has ${dim} dimensions.`,
    );
  }
  return Array.from({ length: count }, (_, row) => {
    const vector = data.slice(row * dim, (row + 1) * dim);
    if (!isUsableEmbedding(vector)) {
      throw new UserError(
        'model-invalid',
        `The model ${modelId} produced an unusable embedding (not a number, infinite or all zeros); its files or configuration are damaged: download it again or choose another model.`,
      );
    }
    return l2Normalize(vector);
  });
}
