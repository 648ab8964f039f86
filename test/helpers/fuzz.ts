/**
 * How hard the fuzz tests try: a few dozen runs per property with a fixed seed in `npm test`
 * (the same cases every time), many more with a fresh seed in `npm run test:reliability`, which
 * sets LUMEN_FUZZ_SCALE (see vitest.reliability.config.ts). fast-check prints the seed and the
 * shrunk case of any failure; LUMEN_FUZZ_SEED replays a seed.
 */
const FIXED_SEED = 20_261_130;

export function fuzz(fast: number): { numRuns: number; seed?: number } {
  const scale = Number(process.env['LUMEN_FUZZ_SCALE'] ?? '1');
  const numRuns = Math.max(1, Math.round(fast * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
  const seed = process.env['LUMEN_FUZZ_SEED'] ? Number(process.env['LUMEN_FUZZ_SEED']) : scale > 1 ? undefined : FIXED_SEED;
  return seed === undefined ? { numRuns } : { numRuns, seed };
}
