/**
 * Protobuf's wire format, just what reading and writing ONNX graphs needs: varints and
 * length-delimited fields (Note [Cosines through ONNX Runtime] in matmul.ts writes a graph,
 * Note [Short texts] in query-graph.ts edits one), so no ONNX tooling is a dependency.
 */

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

/** One field as it lies in a message: its number, its value, and the bytes it spans (tag included). */
export interface Field {
  number: number;
  /** A varint's value (int64 fields may be negative), or null for other wire types. */
  integer: bigint | null;
  /** A length-delimited field's content, or null for other wire types. */
  bytes: Uint8Array | null;
  /** The whole field, tag included, as it lies in the message. */
  raw: Uint8Array;
}

export class ProtobufError extends Error {}

function readVarint(bytes: Uint8Array, start: number): { value: bigint; next: number } {
  let value = 0n;
  let shift = 0n;
  for (let at = start; at < bytes.length && shift < 70n; at++) {
    const byte = bytes[at] as number;
    value |= BigInt(byte & 0x7f) << shift;
    if (byte < 0x80) return { value, next: at + 1 };
    shift += 7n;
  }
  throw new ProtobufError('a varint runs past its message');
}

/** The fields of one message, in order. */
export function readFields(bytes: Uint8Array): Field[] {
  const fields: Field[] = [];
  let at = 0;
  while (at < bytes.length) {
    const start = at;
    const tag = readVarint(bytes, at);
    at = tag.next;
    const number = Number(tag.value >> 3n);
    const wire = Number(tag.value & 7n);
    let integer: bigint | null = null;
    let content: Uint8Array | null = null;
    if (wire === VARINT) {
      const read = readVarint(bytes, at);
      integer = BigInt.asIntN(64, read.value);
      at = read.next;
    } else if (wire === LENGTH_DELIMITED) {
      const length = readVarint(bytes, at);
      const end = length.next + Number(length.value);
      if (end > bytes.length) throw new ProtobufError(`field ${number} runs past its message`);
      content = bytes.subarray(length.next, end);
      at = end;
    } else if (wire === FIXED64 || wire === FIXED32) {
      at += wire === FIXED64 ? 8 : 4;
    } else {
      throw new ProtobufError(`unknown wire type ${wire}`);
    }
    if (at > bytes.length) throw new ProtobufError(`field ${number} runs past its message`);
    fields.push({ number, integer, bytes: content, raw: bytes.subarray(start, at) });
  }
  return fields;
}

/** A repeated integer field's values, packed or not. */
export function integersOf(fields: readonly Field[], number: number): bigint[] {
  const values: bigint[] = [];
  for (const field of fields) {
    if (field.number !== number) continue;
    if (field.integer !== null) values.push(field.integer);
    else if (field.bytes) {
      for (let at = 0; at < field.bytes.length; ) {
        const read = readVarint(field.bytes, at);
        values.push(BigInt.asIntN(64, read.value));
        at = read.next;
      }
    }
  }
  return values;
}

export function stringOf(field: Field | undefined): string | undefined {
  return field?.bytes ? Buffer.from(field.bytes).toString('utf8') : undefined;
}

function varint(value: number | bigint): number[] {
  const bytes: number[] = [];
  let rest = BigInt.asUintN(64, BigInt(value));
  while (rest > 0x7fn) {
    bytes.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  bytes.push(Number(rest));
  return bytes;
}

export function numberField(number: number, value: number | bigint): number[] {
  return [...varint(number << 3), ...varint(value)];
}

/** The tag and length of a length-delimited field of `length` bytes. */
export function bytesFieldHeader(number: number, length: number): number[] {
  return [...varint((number << 3) | LENGTH_DELIMITED), ...varint(length)];
}

export function bytesField(number: number, content: ArrayLike<number> | string): number[] {
  const bytes = typeof content === 'string' ? [...Buffer.from(content, 'utf8')] : Array.from(content);
  return [...bytesFieldHeader(number, bytes.length), ...bytes];
}
