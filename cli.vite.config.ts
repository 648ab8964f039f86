/**
 * Build of the command-line interface: `npm run build:cli` writes out/cli/lumen.cjs, run with
 * `node out/cli/lumen.cjs <command>` (or `lumen` once the package is installed). `npm run -s cli`
 * runs the sources through tsx for development; the built file starts without compiling anything
 * (Note [Cold start] in main/cli/index.ts). CommonJS, so that its first statement can still size
 * libuv's thread pool (Note [Thread pool] in main/core/threadpool.ts). Dependencies stay external,
 * loaded from node_modules: the native addons cannot be bundled, and usearch finds its binary
 * relative to its own files. zod is bundled: loaded whole it reads all of its 40-odd locales at
 * start-up, a tenth of a second here that the bundle's tree-shaking leaves out.
 */
import { resolve } from 'node:path';
import { defineConfig, type UserConfig } from 'vite';

const root = import.meta.dirname;

/** Worker threads are entries of their own, next to the chunks that start them (Note [Thread entries] in main/core/worker-thread.ts). */
export const THREAD_ENTRIES = {
  'inference-thread': resolve(root, 'main/models/inference-thread.ts'),
  'tokenizer-thread': resolve(root, 'main/models/tokenizer-thread.ts'),
  'graph-merge-thread': resolve(root, 'main/storage/graph-merge-thread.ts'),
};

/** A build for Node of `entry` and the worker threads, into `outDir` (the CLI's; the benchmarks' probe). */
export function nodeBuild(outDir: string, entry: Record<string, string>, output: { format: 'cjs' | 'es'; extension: 'cjs' | 'mjs'; banner?: string }): UserConfig {
  return {
    root,
    publicDir: false,
    logLevel: 'warn',
    ssr: { noExternal: ['zod'] },
    build: {
      ssr: true,
      outDir: resolve(root, outDir),
      emptyOutDir: true,
      target: 'node20',
      sourcemap: true,
      rolldownOptions: {
        input: { ...entry, ...THREAD_ENTRIES },
        output: { format: output.format, entryFileNames: `[name].${output.extension}`, chunkFileNames: `[name]-[hash].${output.extension}`, banner: output.banner },
      },
    },
  };
}

export default defineConfig(nodeBuild('out/cli', { lumen: resolve(root, 'main/cli/index.ts') }, { format: 'cjs', extension: 'cjs', banner: '#!/usr/bin/env node' }));
