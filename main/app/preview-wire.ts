/**
 * JSON as preview mode sends it over HTTP: like JSON, except that byte arrays (a photo to search
 * by) travel as `{"$bytes": "<base64>"}`. The renderer's side is renderer/src/lib/preview-api.ts.
 */

export function encodeWire(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (item instanceof Uint8Array ? { $bytes: Buffer.from(item).toString('base64') } : item));
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
