/**
 * An ONNX graph's small parts, read and written at the protobuf level (protobuf.ts): nodes,
 * tensors' names, shapes and small values, and inputs' shapes. Weights are never decoded unless
 * asked for; a rewrite copies what it leaves alone byte for byte.
 */
import { bytesField, bytesFieldHeader, integersOf, numberField, readFields, stringOf, type Field } from './protobuf.js';

export const MODEL_GRAPH = 7;
const MODEL_OPSET = 8;
export const GRAPH_NODE = 1;
export const GRAPH_NAME = 2;
export const GRAPH_INITIALIZER = 5;
export const GRAPH_INPUT = 11;
export const GRAPH_OUTPUT = 12;
export const GRAPH_VALUE_INFO = 13;
export const NODE_INPUT = 1;
export const NODE_ATTRIBUTE = 5;
const NODE_OUTPUT = 2;
const NODE_NAME = 3;
const NODE_OP_TYPE = 4;
const NODE_DOMAIN = 7;
const ATTRIBUTE_NAME = 1;
const ATTRIBUTE_INT = 3;
const ATTRIBUTE_TENSOR = 5;
const ATTRIBUTE_TYPE = 20;
const ATTRIBUTE_TYPE_INT = 2;
const ATTRIBUTE_TYPE_TENSOR = 4;
const TENSOR_DIMS = 1;
const TENSOR_DATA_TYPE = 2;
const TENSOR_INT64_DATA = 7;
const TENSOR_NAME = 8;
const TENSOR_RAW_DATA = 9;

export const FLOAT = 1;
export const INT8 = 3;
export const INT32 = 6;
export const INT64 = 7;

export interface Tensor {
  name: string;
  type: number;
  dims: number[];
  /** The values of a small int64 tensor, else null. */
  integers: bigint[] | null;
  /** The values as raw little-endian bytes, when stored so. */
  raw: Uint8Array | null;
}

export interface Node {
  fields: Field[];
  raw: Uint8Array;
  name: string | undefined;
  inputs: string[];
  outputs: string[];
  opType: string;
  /** A Constant node's value. */
  constant: Tensor | null;
}

export function readTensor(bytes: Uint8Array, name?: string): Tensor {
  const fields = readFields(bytes);
  const dims = integersOf(fields, TENSOR_DIMS).map(Number);
  const type = Number(fields.find((field) => field.number === TENSOR_DATA_TYPE)?.integer ?? 0);
  const raw = fields.find((field) => field.number === TENSOR_RAW_DATA)?.bytes ?? null;
  const count = dims.reduce((product, dim) => product * dim, 1);
  let integers: bigint[] | null = null;
  if (type === INT64 && count <= 16) integers = raw ? [...new BigInt64Array(Uint8Array.from(raw).buffer)] : integersOf(fields, TENSOR_INT64_DATA);
  return { name: name ?? stringOf(fields.find((field) => field.number === TENSOR_NAME)) ?? '', type, dims, integers, raw };
}

export function readNode(field: Field): Node {
  const fields = readFields(field.bytes as Uint8Array);
  const strings = (number: number) => fields.filter((f) => f.number === number).map((f) => stringOf(f) ?? '');
  const opType = strings(NODE_OP_TYPE)[0] ?? '';
  const outputs = strings(NODE_OUTPUT);
  let constant: Tensor | null = null;
  if (opType === 'Constant') {
    for (const attribute of fields.filter((f) => f.number === NODE_ATTRIBUTE)) {
      const parts = readFields(attribute.bytes as Uint8Array);
      const tensor = parts.find((part) => part.number === ATTRIBUTE_TENSOR)?.bytes;
      if (stringOf(parts.find((part) => part.number === ATTRIBUTE_NAME)) === 'value' && tensor) constant = readTensor(tensor, outputs[0]);
    }
  }
  return { fields, raw: field.raw, name: strings(NODE_NAME)[0], inputs: strings(NODE_INPUT), outputs, opType, constant };
}

/** A graph's initializer field holding a TensorProto whose raw bytes stay where they are (large weights). */
export function initializerPieces(name: string, type: number, dims: readonly number[], raw: Uint8Array): Uint8Array[] {
  const head = [...dims.flatMap((dim) => numberField(TENSOR_DIMS, dim)), ...numberField(TENSOR_DATA_TYPE, type), ...bytesField(TENSOR_NAME, name), ...bytesFieldHeader(TENSOR_RAW_DATA, raw.length)];
  return [Uint8Array.from([...bytesFieldHeader(GRAPH_INITIALIZER, head.length + raw.length), ...head]), raw];
}

/** A small int64 TensorProto. */
export function int64Tensor(name: string, values: readonly bigint[]): number[] {
  const raw = new Uint8Array(BigInt64Array.from(values).buffer);
  return [...numberField(TENSOR_DIMS, values.length), ...numberField(TENSOR_DATA_TYPE, INT64), ...bytesField(TENSOR_NAME, name), ...bytesField(TENSOR_RAW_DATA, raw)];
}

/** A NodeProto in a graph's node field, with integer attributes only (`axis`, Cast's `to`). */
export function node(opType: string, inputs: readonly string[], output: string, options: { attributes?: Record<string, number>; domain?: string; name?: string } = {}): number[] {
  const { attributes = {}, domain, name } = options;
  return bytesField(GRAPH_NODE, [
    ...inputs.flatMap((input) => bytesField(NODE_INPUT, input)),
    ...bytesField(NODE_OUTPUT, output),
    ...(name === undefined ? [] : bytesField(NODE_NAME, name)),
    ...bytesField(NODE_OP_TYPE, opType),
    ...Object.entries(attributes).flatMap(([key, value]) =>
      bytesField(NODE_ATTRIBUTE, [...bytesField(ATTRIBUTE_NAME, key), ...numberField(ATTRIBUTE_INT, value), ...numberField(ATTRIBUTE_TYPE, ATTRIBUTE_TYPE_INT)]),
    ),
    ...(domain === undefined ? [] : bytesField(NODE_DOMAIN, domain)),
  ]);
}

/** A ValueInfoProto: a tensor of element `type` whose dimensions are sizes, or names for symbolic ones. */
export function valueInfo(name: string, type: number, dims: ReadonlyArray<number | string>): number[] {
  const shape = dims.flatMap((dim) => bytesField(1, typeof dim === 'number' ? numberField(1, dim) : bytesField(2, dim)));
  return [...bytesField(1, name), ...bytesField(2, bytesField(1, [...numberField(1, type), ...bytesField(2, shape)]))];
}

/** A ModelProto (IR version 8) of a graph's fields, importing the default operator set at `opset`. */
export function model(graph: readonly number[], opset: number): Uint8Array {
  return Uint8Array.from([...numberField(1, 8), ...bytesField(MODEL_GRAPH, graph), ...opsetImport('', opset)]);
}

/** A Constant node's `value` attribute holding `values`. */
export function constantValue(name: string, values: readonly bigint[]): number[] {
  return bytesField(NODE_ATTRIBUTE, [...bytesField(ATTRIBUTE_NAME, 'value'), ...bytesField(ATTRIBUTE_TENSOR, int64Tensor(name, values)), ...numberField(ATTRIBUTE_TYPE, ATTRIBUTE_TYPE_TENSOR)]);
}

/** A message with the fields `number` taken out and `replacement` appended; the rest as they were. */
export function replaceFields(fields: readonly Field[], number: number, replacement: readonly number[]): number[] {
  return [...fields.filter((field) => field.number !== number).flatMap((field) => [...field.raw]), ...replacement];
}

const EMPTY = new Uint8Array();
const sub = (fields: readonly Field[], number: number) => readFields(fields.find((f) => f.number === number)?.bytes ?? EMPTY);

/** A graph input's (ValueInfoProto's) name, element type and dimensions (null for a symbolic one). */
export function valueShape(valueInfo: Uint8Array): { name: string; type: number; dims: Array<number | null> } {
  const info = readFields(valueInfo);
  const tensorType = sub(sub(info, 2), 1);
  const dims = sub(tensorType, 2)
    .filter((f) => f.number === 1)
    .map((dim) => {
      const size = readFields(dim.bytes ?? EMPTY).find((f) => f.number === 1)?.integer;
      return size === undefined ? null : Number(size);
    });
  return { name: stringOf(info.find((f) => f.number === 1)) ?? '', type: Number(tensorType.find((f) => f.number === 1)?.integer ?? 0), dims };
}

/** A ValueInfoProto with its dimensions of size `size` named `symbol` instead; null when it has none. */
export function freeDimensions(valueInfo: Uint8Array, size: number, symbol: string): number[] | null {
  const info = readFields(valueInfo);
  const type = sub(info, 2);
  const tensorType = sub(type, 1);
  let changed = false;
  const dims = sub(tensorType, 2).map((dim) => {
    const value = readFields(dim.bytes ?? EMPTY).find((f) => f.number === 1)?.integer;
    if (dim.number !== 1 || value !== BigInt(size)) return [...dim.raw];
    changed = true;
    return bytesField(1, bytesField(2, symbol));
  });
  if (!changed) return null;
  const newTensorType = replaceFields(tensorType, 2, bytesField(2, dims.flat()));
  return replaceFields(info, 2, bytesField(2, replaceFields(type, 1, bytesField(1, newTensorType))));
}

/** The version of the default (ONNX) operator set a model imports, and whether it imports `domain`. */
export function opsets(model: readonly Field[]): Map<string, number> {
  const versions = new Map<string, number>();
  for (const field of model.filter((f) => f.number === MODEL_OPSET)) {
    const parts = readFields(field.bytes as Uint8Array);
    versions.set(stringOf(parts.find((part) => part.number === 1)) ?? '', Number(parts.find((part) => part.number === 2)?.integer ?? 0));
  }
  return versions;
}

export function opsetImport(domain: string, version: number): number[] {
  return bytesField(MODEL_OPSET, [...bytesField(1, domain), ...numberField(2, version)]);
}
