/**
 * A text tower's graph rewritten for queries: texts at their own length, weights in 8 bits.
 *
 * Note [Short texts]: Immich's text towers are exported with a static input, [1, 77], so every
 * query pays for 77 tokens although most have under 15. CLIP's text transformer is causal and
 * pools at the end-of-text token, so the padding after it cannot change the result: running the
 * real tokens alone gives the same embedding. The export froze the length into the graph in three
 * places, and the rewrite frees it:
 * - the token input's dimension becomes symbolic;
 * - constants shaped by the length (positional embeddings [77, w], the causal mask [77, 77]) are
 *   sliced to the input's length;
 * - Reshape targets that name the length ([1, 77, 512]) name -1 instead (the first match: a head
 *   size equal to the length comes after it).
 * A graph that mentions the length elsewhere keeps it. Padded to the full length, the rewritten
 * graph computes exactly what the original does.
 *
 * Note [Eight-bit text tower]: a query runs the tower once, batch 1, so each run reads every
 * weight once, about 150 MB for ViT-B/32's text tower, and that reading is most of its time
 * (9.6 ms for 13 tokens on two cores). With the MatMul weights as 8-bit integers, one scale per
 * output column, ONNX Runtime's DynamicQuantizeMatMul reads a quarter of it and quantises the
 * activations on the fly: 2.9 ms, at cosine 0.9997 to the original's embeddings on the bench
 * model. Ente keeps its text tower in 8 bits for the same reason. Only the text tower: photos'
 * embeddings, stored for good, never come from 8-bit weights.
 *
 * Whether a rewritten graph is close enough to the original is measured per model, on real text
 * (Note [Short graphs kept] in text-graphs.ts): a tower that is not causal (SigLIP pools at the
 * last position) keeps its fixed length, one that loses too much in 8 bits its full precision.
 */
import {
  FLOAT,
  GRAPH_INITIALIZER,
  GRAPH_INPUT,
  GRAPH_NODE,
  GRAPH_OUTPUT,
  GRAPH_VALUE_INFO,
  INT32,
  INT64,
  INT8,
  MODEL_GRAPH,
  NODE_ATTRIBUTE,
  NODE_INPUT,
  constantValue,
  freeDimensions,
  initializerPieces,
  int64Tensor,
  node,
  opsetImport,
  opsets,
  readNode,
  readTensor,
  replaceFields,
  valueShape,
  type Node,
  type Tensor,
} from './onnx-graph.js';
import { ProtobufError, bytesField, bytesFieldHeader, readFields, type Field } from './protobuf.js';

/** Slice with its bounds as inputs. */
const LOWEST_OPSET = 13;
const MICROSOFT = 'com.microsoft';
const PREFIX = 'lumen_query';

export interface QueryGraphOptions {
  /** Texts at their own length where the graph fixes it (Note [Short texts]). */
  freeLength: boolean;
  /** MatMul weights in 8 bits (Note [Eight-bit text tower]). */
  eightBit: boolean;
}

/** What freeing the length changes (Note [Short texts]). */
interface FreedLength {
  tokens: string;
  /** Tensors sliced to the input's length, by name: the axes of size `context`. */
  sliced: Map<string, number[]>;
  /** Reshape targets rewritten, by name: the new values. */
  reshaped: Map<string, bigint[]>;
}

type Consumers = Map<string, Array<{ node: Node; slot: number }>>;

/**
 * The graph `model` (an ONNX file's bytes) rewritten for queries, as the pieces of the new file
 * in order: its length freed where it is fixed at `context` (Note [Short texts]) and its MatMul
 * weights in 8 bits (Note [Eight-bit text tower]), each if asked; null when neither applies.
 */
export function rewriteTextGraph(model: Uint8Array, context: number, options: QueryGraphOptions): Uint8Array[] | null {
  try {
    return rewrite(model, context, options);
  } catch (error) {
    if (error instanceof ProtobufError) return null;
    throw error;
  }
}

function freeLength(inputs: readonly Field[], tensors: readonly Tensor[], consumers: Consumers, context: number): FreedLength | null {
  const shapes = inputs.map((field) => valueShape(field.bytes as Uint8Array));
  const tokens = shapes.find(({ type, dims }) => (type === INT32 || type === INT64) && dims.length === 2 && dims[0] === 1 && dims[1] === context);
  // One token input, and no other input shaped by the length (a static attention mask).
  if (!tokens || shapes.some((shape) => shape !== tokens && shape.dims.includes(context))) return null;
  const sliced = new Map<string, number[]>();
  const reshaped = new Map<string, bigint[]>();
  for (const { name, dims, integers } of tensors) {
    const axes = dims.flatMap((dim, axis) => (dim === context ? [axis] : []));
    if (axes.length > 0) {
      sliced.set(name, axes);
      continue;
    }
    if (!integers?.includes(BigInt(context))) continue;
    const onlyReshapes = (consumers.get(name) ?? []).every(({ node: user, slot }) => user.opType === 'Reshape' && slot === 1);
    if (!onlyReshapes || integers.includes(-1n)) return null;
    const first = integers.indexOf(BigInt(context));
    reshaped.set(name, integers.map((value, i) => (i === first ? -1n : value)));
  }
  return sliced.size > 0 || reshaped.size > 0 ? { tokens: tokens.name, sliced, reshaped } : null;
}

/** The MatMul weights that can go to 8 bits: float matrices stored as raw bytes, by name. */
function eightBitWeights(nodes: readonly Node[], initializers: ReadonlyMap<string, Tensor>, freed: FreedLength | null): Map<string, Tensor> {
  const weights = new Map<string, Tensor>();
  for (const each of nodes) {
    const weight = each.opType === 'MatMul' ? initializers.get(each.inputs[1] ?? '') : undefined;
    if (weight && weight.type === FLOAT && weight.dims.length === 2 && weight.raw && !freed?.sliced.has(weight.name)) weights.set(weight.name, weight);
  }
  return weights;
}

/**
 * The largest weight a column's scale maps to. Note [Seven bits of weight]: without AVX-512's
 * VNNI, ONNX Runtime multiplies 8-bit activations (0-255) by 8-bit weights with an instruction
 * that adds two products into 16 bits, which saturates past 32767: 255 x 127 x 2 does, and on
 * such a CPU (a 2-core AMD EPYC with AVX2 only) the fixture's tower came out at cosine 0.9906 of
 * the original, under the check's 0.995, so it ran in full precision. Weights of up to 63 cannot
 * saturate (255 x 63 x 2 = 32130), at half the steps: ONNX Runtime's own quantiser has the same
 * `reduce_range` for the same reason.
 */
const WEIGHT_LIMIT = 63;

/** Symmetric values of a [rows, cols] float matrix within +-WEIGHT_LIMIT, as 8-bit integers, one scale per column. */
function quantizeColumns(raw: Uint8Array, rows: number, cols: number): { values: Int8Array; scales: Float32Array } {
  // A copy, since a tensor's bytes in the file need not be aligned for a Float32Array.
  const weights = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + rows * cols * 4));
  const scales = new Float32Array(cols);
  for (let r = 0, i = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++, i++) {
      const size = Math.abs(weights[i] as number);
      if (size > (scales[c] as number)) scales[c] = size;
    }
  }
  for (let c = 0; c < cols; c++) scales[c] = (scales[c] as number) > 0 ? (scales[c] as number) / WEIGHT_LIMIT : 1;
  const values = new Int8Array(rows * cols);
  for (let r = 0, i = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++, i++) {
      const value = Math.round((weights[i] as number) / (scales[c] as number));
      values[i] = value > WEIGHT_LIMIT ? WEIGHT_LIMIT : value < -WEIGHT_LIMIT ? -WEIGHT_LIMIT : value;
    }
  }
  return { values, scales };
}

function rewrite(model: Uint8Array, context: number, options: QueryGraphOptions): Uint8Array[] | null {
  const top = readFields(model);
  const graphField = top.find((field) => field.number === MODEL_GRAPH);
  const versions = opsets(top);
  if (!graphField?.bytes || (versions.get('') ?? 0) < LOWEST_OPSET) return null;
  const graph = readFields(graphField.bytes);
  const nodes = graph.filter((field) => field.number === GRAPH_NODE).map(readNode);
  /** The initializers, by name and by the field that holds them. */
  const tensors = new Map<string, Tensor>();
  const initializerIn = new Map<Field, Tensor>();
  for (const field of graph) {
    if (field.number !== GRAPH_INITIALIZER) continue;
    const initializer = readTensor(field.bytes as Uint8Array);
    tensors.set(initializer.name, initializer);
    initializerIn.set(field, initializer);
  }
  const consumers: Consumers = new Map();
  for (const each of nodes) each.inputs.forEach((input, slot) => consumers.set(input, [...(consumers.get(input) ?? []), { node: each, slot }]));

  const constants = nodes.flatMap((each) => (each.constant ? [each.constant] : []));
  const freed = options.freeLength ? freeLength(graph.filter((field) => field.number === GRAPH_INPUT), [...tensors.values(), ...constants], consumers, context) : null;
  const weights = options.eightBit ? eightBitWeights(nodes, tensors, freed) : new Map<string, Tensor>();
  if (!freed && weights.size === 0) return null;

  const extra: Array<Uint8Array | number[]> = [];
  const body: Array<Uint8Array | number[]> = [];
  const sliced = freed?.sliced ?? new Map<string, number[]>();
  const renamed = (name: string) => (sliced.has(name) ? `${name}/${PREFIX}` : name);
  const sliceOf = (name: string): number[] => {
    const axes = sliced.get(name) as number[];
    const axesName = `${PREFIX}/${name}/axes`;
    extra.push(bytesField(GRAPH_INITIALIZER, int64Tensor(axesName, axes.map(BigInt))));
    return node('Slice', [name, `${PREFIX}/zeros_${axes.length}`, `${PREFIX}/length_${axes.length}`, axesName], renamed(name));
  };
  if (freed) {
    // The input's length as [S], and repeated ([S, S]) for constants sliced on more axes.
    body.push(node('Shape', [freed.tokens], `${PREFIX}/shape`), node('Gather', [`${PREFIX}/shape`, `${PREFIX}/one`], `${PREFIX}/length_1`, { attributes: { axis: 0 } }));
    extra.push(bytesField(GRAPH_INITIALIZER, int64Tensor(`${PREFIX}/one`, [1n])));
    for (const count of new Set([...sliced.values()].map((axes) => axes.length))) {
      extra.push(bytesField(GRAPH_INITIALIZER, int64Tensor(`${PREFIX}/zeros_${count}`, Array<bigint>(count).fill(0n))));
      if (count > 1) body.push(node('Concat', Array<string>(count).fill(`${PREFIX}/length_1`), `${PREFIX}/length_${count}`, { attributes: { axis: 0 } }));
    }
    body.push(...[...tensors.keys()].filter((name) => sliced.has(name)).map(sliceOf));
  }
  for (const [name, weight] of weights) {
    const [rows, cols] = weight.dims as [number, number];
    const { values, scales } = quantizeColumns(weight.raw as Uint8Array, rows, cols);
    extra.push(
      ...initializerPieces(`${name}/${PREFIX}/int8`, INT8, [rows, cols], new Uint8Array(values.buffer)),
      ...initializerPieces(`${name}/${PREFIX}/scale`, FLOAT, [cols], new Uint8Array(scales.buffer)),
      ...initializerPieces(`${name}/${PREFIX}/zero`, INT8, [cols], new Uint8Array(cols)),
    );
  }

  for (const each of nodes) {
    const weight = each.opType === 'MatMul' ? weights.get(each.inputs[1] ?? '') : undefined;
    if (weight) {
      const w = `${weight.name}/${PREFIX}`;
      const inputs = [renamed(each.inputs[0] ?? ''), `${w}/int8`, `${w}/scale`, `${w}/zero`];
      body.push(node('DynamicQuantizeMatMul', inputs, each.outputs[0] ?? '', { domain: MICROSOFT, name: each.name }));
      continue;
    }
    let fields = each.fields;
    if (each.inputs.some((input) => sliced.has(input))) {
      // Inputs first, in their order (it is their meaning); the other fields keep theirs.
      fields = readFields(Uint8Array.from([...each.inputs.flatMap((input) => bytesField(NODE_INPUT, renamed(input))), ...replaceFields(fields, NODE_INPUT, [])]));
    }
    const constant = each.constant;
    const values = constant ? freed?.reshaped.get(constant.name) : undefined;
    if (constant && values) fields = readFields(Uint8Array.from(replaceFields(fields, NODE_ATTRIBUTE, constantValue(constant.name, values))));
    body.push(fields === each.fields ? each.raw : bytesField(GRAPH_NODE, fields.flatMap((field) => [...field.raw])));
    if (constant && sliced.has(constant.name)) body.push(sliceOf(constant.name));
  }
  const onlyQuantized = (name: string) => (consumers.get(name) ?? []).every(({ node: user, slot }) => user.opType === 'MatMul' && slot === 1);
  for (const field of graph) {
    if (field.number === GRAPH_NODE || field.number === GRAPH_VALUE_INFO) continue;
    if (field.number === GRAPH_INITIALIZER) {
      const { name } = initializerIn.get(field) as Tensor;
      const values = freed?.reshaped.get(name);
      if (weights.has(name) && onlyQuantized(name)) continue;
      body.push(values ? bytesField(GRAPH_INITIALIZER, int64Tensor(name, values)) : field.raw);
    } else if (freed && (field.number === GRAPH_INPUT || field.number === GRAPH_OUTPUT)) {
      const symbolic = freeDimensions(field.bytes as Uint8Array, context, 'sequence');
      body.push(symbolic ? bytesField(field.number, symbolic) : field.raw);
    } else {
      body.push(field.raw);
    }
  }
  body.push(...extra);

  const pieces = body.map((piece) => (piece instanceof Uint8Array ? piece : Uint8Array.from(piece)));
  const length = pieces.reduce((sum, piece) => sum + piece.length, 0);
  const out: Uint8Array[] = [];
  for (const field of top) {
    if (field === graphField) out.push(Uint8Array.from(bytesFieldHeader(MODEL_GRAPH, length)), ...pieces);
    else out.push(field.raw);
  }
  if (weights.size > 0 && !versions.has(MICROSOFT)) out.push(Uint8Array.from(opsetImport(MICROSOFT, 1)));
  return out;
}
