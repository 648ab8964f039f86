/**
 * `npm run test:reliability`: the long tries at breaking Lumen (many concurrent CLI processes,
 * SIGKILL at random moments, a 20k-photo soak) and the fuzz tests at many more runs with fresh
 * seeds. One file at a time, so each measures memory and time on a quiet machine; CI runs it
 * after `npm test` (.ci/run). Figures go to stdout and to .cache/reliability/.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts', 'test/fuzz/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    // The soak samples memory after a full collection.
    execArgv: ['--expose-gc'],
    env: { LUMEN_FUZZ_SCALE: '20' },
    testTimeout: 20 * 60_000,
    hookTimeout: 10 * 60_000,
  },
});
