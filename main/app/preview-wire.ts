/**
 * JSON as preview mode sends it over HTTP: like JSON, except that byte arrays (a photo to search
 * by) travel as `{"$bytes": "<base64>"}`. The renderer's side is renderer/src/lib/preview-api.ts.
 */

const bytesAsBase64 = (_key: string, item: unknown) => (item instanceof Uint8Array ? { $bytes: Buffer.from(item).toString('base64') } : item);

/** Whether `value` holds a byte array anywhere; the items of an array of numbers or strings cost a type check each. */
function hasBytes(value: unknown): boolean {
  if (value instanceof Uint8Array) return true;
  if (typeof value !== 'object' || value === null) return false;
  for (const item of Array.isArray(value) ? value : Object.values(value)) {
    if (typeof item === 'object' && item !== null && hasBytes(item)) return true;
  }
  return false;
}

export function encodeWire(value: unknown): string {
  // A replacer runs for every value (a 100k-photo timeline took 5x as long): only where there are bytes.
  return hasBytes(value) ? JSON.stringify(value, bytesAsBase64) : JSON.stringify(value);
}

export function decodeWire(text: string): unknown {
  return JSON.parse(text, (_key, item: unknown) => {
    if (item && typeof item === 'object' && !Array.isArray(item)) {
      const keys = Object.keys(item);
      const bytes = (item as { $bytes?: unknown }).$bytes;
      if (keys.length === 1 && typeof bytes === 'string') return new Uint8Array(Buffer.from(bytes, 'base64'));
    }
    return item;
  });
}
