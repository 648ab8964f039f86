/**
 * fast-check values for a zod schema, for fuzzing what crosses the app's process boundaries:
 * mostly values of the schema's shape near and at its bounds, some just outside them (a string
 * one character too long, a number past its maximum, an unknown field), so properties see both
 * accepted and refused payloads. Covers the kinds the contract uses.
 */
import fc from 'fast-check';
import type { z } from 'zod';

interface Def {
  type: string;
  checks?: Array<{ _zod: { def: { check: string; minimum?: number; maximum?: number; value?: number; inclusive?: boolean; format?: string } } }>;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  entries?: Record<string, string | number>;
  values?: unknown[];
}

const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

function bounds(def: Def): { min?: number; max?: number; integer: boolean } {
  const out: { min?: number; max?: number; integer: boolean } = { integer: false };
  for (const check of def.checks ?? []) {
    const c = check._zod.def;
    if (c.check === 'min_length') out.min = c.minimum;
    else if (c.check === 'max_length') out.max = c.maximum;
    else if (c.check === 'greater_than') out.min = (c.value as number) + (c.inclusive ? 0 : 1);
    else if (c.check === 'less_than') out.max = (c.value as number) - (c.inclusive ? 0 : 1);
    else if (c.check === 'number_format') out.integer = true;
  }
  return out;
}

/** Strings people and attackers type: control characters, paths, lone surrogates, long runs. */
const NASTY = fc.constantFrom('', ' ', '\u0000', '../../etc/passwd', '/etc', 'C:\\Windows', '\uD800', '\uFFFE', '<x/>', '${x}', '%s', 'a'.repeat(5000), ' + - ', '#1', '2:x');

function stringArbitrary(def: Def): fc.Arbitrary<string> {
  const { min = 0, max = 300 } = bounds(def);
  const cap = Math.min(max, 300);
  return fc.oneof(
    { weight: 6, arbitrary: fc.string({ minLength: Math.min(min, cap), maxLength: cap, unit: 'binary' }) },
    // One to three characters too long: drawn as a run and a short random tail, since fast-check draws
    // a string a character at a time, and a limit of millions (an imported vocabulary's) took seconds a draw.
    { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 3 }).map((tail) => 'x'.repeat(max) + tail) },
    { weight: 1, arbitrary: NASTY },
  );
}

function numberArbitrary(def: Def): fc.Arbitrary<number> {
  const { min = -1e9, max = 1e9, integer } = bounds(def);
  const inRange = integer ? fc.integer({ min: Math.max(min, Number.MIN_SAFE_INTEGER), max: Math.min(max, Number.MAX_SAFE_INTEGER) }) : fc.double({ min, max, noNaN: true });
  return fc.oneof(
    { weight: 6, arbitrary: inRange },
    { weight: 1, arbitrary: fc.constantFrom(min, max, min - 1, max + 1, 0, -0, 0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53) },
  );
}

/** Values for `schema`: mostly its shape, sometimes a little outside it. */
export function arbitraryFor(schema: z.ZodType): fc.Arbitrary<unknown> {
  const def = defOf(schema);
  switch (def.type) {
    case 'string':
      return stringArbitrary(def);
    case 'number':
      return numberArbitrary(def);
    case 'boolean':
      return fc.boolean();
    case 'literal':
      return fc.constantFrom(...(def.values ?? []));
    case 'enum':
      return fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...Object.values(def.entries ?? {})) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) });
    case 'optional':
    case 'default':
      return fc.option(arbitraryFor(def.innerType as z.ZodType), { nil: undefined, freq: 3 });
    case 'nullable':
      return fc.option(arbitraryFor(def.innerType as z.ZodType), { nil: null, freq: 3 });
    case 'pipe':
      return arbitraryFor(def.in as z.ZodType);
    case 'array': {
      const { min = 0, max = 8 } = bounds(def);
      return fc.array(arbitraryFor(def.element as z.ZodType), { minLength: min, maxLength: Math.max(min, Math.min(max, 8)) });
    }
    case 'object': {
      const entries = Object.entries(def.shape ?? {}).map(([key, field]) => [key, arbitraryFor(field)] as const);
      const shaped = fc.record(Object.fromEntries(entries), { requiredKeys: [] });
      const extra = fc.tuple(shaped, fc.string({ minLength: 1, maxLength: 6 }), fc.anything()).map(([value, key, junk]) => ({ ...value, [key]: junk }));
      return fc.oneof({ weight: 8, arbitrary: shaped }, { weight: 1, arbitrary: extra });
    }
    case 'custom':
      // The contract's only custom schema: the bytes of a photo to search by.
      return fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.constant(new Uint8Array(0)), fc.string());
    default:
      return fc.anything();
  }
}
