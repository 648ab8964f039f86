/**
 * Cosines of many unit vectors against a few, through ONNX Runtime's matrix multiply.
 *
 * Note [Cosines through ONNX Runtime]: scoring every photo against a tag is a 100k x 512 by
 * 512 x k product. A JavaScript loop does it at about 1 GFLOP/s on one core (about 50 ms a tag at
 * 100k photos, 10 s for a 100-tag vocabulary); ONNX Runtime's CPU kernels, already loaded for the
 * models, use SIMD on every core and are one to two orders of magnitude faster. The graph is one
 * MatMul node, written here as the few protobuf fields ONNX needs, so no ONNX tooling is a
 * dependency: ModelProto { ir_version, graph { node MatMul(photos, tags) -> cosines; inputs and
 * output, float, shapes [n, d] x [d, k] -> [n, k] }, opset_import { "" 13 } } (onnx-graph.ts).
 */
import * as ort from 'onnxruntime-node';
import { FLOAT, GRAPH_INPUT, GRAPH_NAME, GRAPH_OUTPUT, model, node, valueInfo } from './onnx-graph.js';
import { bytesField } from './protobuf.js';
import { NO_SPINNING } from './session.js';

function matmulModel(): Uint8Array {
  return model(
    [
      ...node('MatMul', ['photos', 'tags'], 'cosines'),
      ...bytesField(GRAPH_NAME, 'cosines'),
      ...bytesField(GRAPH_INPUT, valueInfo('photos', FLOAT, ['n', 'd'])),
      ...bytesField(GRAPH_INPUT, valueInfo('tags', FLOAT, ['d', 'k'])),
      ...bytesField(GRAPH_OUTPUT, valueInfo('cosines', FLOAT, ['n', 'k'])),
    ],
    13,
  );
}

let session: Promise<ort.InferenceSession> | null = null;

/**
 * Cosines of `rows` unit vectors (row-major in `images`, `dim` each) against `cols` unit vectors
 * (row-major in `tags`): a rows x cols matrix, row-major.
 */
export async function cosineMatrix(images: Float32Array, rows: number, tags: Float32Array, cols: number, dim: number): Promise<Float32Array> {
  if (images.length < rows * dim || tags.length < cols * dim) throw new Error('cosineMatrix: the matrices are smaller than their sizes say.');
  if (rows === 0 || cols === 0) return new Float32Array(rows * cols);
  session ??= ort.InferenceSession.create(matmulModel(), { executionProviders: ['cpu'], extra: NO_SPINNING });
  // The tags go in as dim x cols: transposed from their rows.
  const transposed = new Float32Array(dim * cols);
  for (let c = 0; c < cols; c++) for (let i = 0; i < dim; i++) transposed[i * cols + c] = tags[c * dim + i] as number;
  const result = await (await session).run({
    photos: new ort.Tensor('float32', images.subarray(0, rows * dim), [rows, dim]),
    tags: new ort.Tensor('float32', transposed, [dim, cols]),
  });
  return (result['cosines'] as ort.Tensor).data as Float32Array;
}
