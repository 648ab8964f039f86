/**
 * Build of the benchmarks' probe (out/bench/probe.mjs, see probe.ts): the model load it times, the
 * reference of the cold-start figures, runs built as the CLI and the engine process run, not
 * through tsx, whose loader every worker thread starts again (Note [Thread entries] in
 * main/core/worker-thread.ts): a tokenizer's thread took 0.4 s to start there, 0.2 s built.
 */
import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import { nodeBuild } from '../../cli.vite.config.js';

export default defineConfig(nodeBuild('out/bench', { probe: resolve(import.meta.dirname, 'probe.ts') }, { format: 'es', extension: 'mjs' }));
