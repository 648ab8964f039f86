/**
 * Build of the desktop app: three bundles under out/.
 *
 * - main: the Electron main process (out/main/index.js), the engine's utility process
 *   (out/main/engine-process.js) and its worker threads (out/main/inference-thread.js,
 *   out/main/tokenizer-thread.js, out/main/graph-merge-thread.js), with their shared chunks in the same folder. Everything in package.json "dependencies" stays external
 *   (electron-vite's default), so the native addons (onnxruntime-node, sharp, better-sqlite3,
 *   usearch) load from node_modules, unpacked from the asar by electron-builder.
 * - preload: CommonJS (out/preload/index.cjs), because a sandboxed preload cannot be an ES module.
 * - renderer: the Svelte app, root renderer/, served in the app from app://.
 */
import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type RendererViteConfig } from 'electron-vite';
import { THREAD_ENTRIES } from './cli.vite.config.js';

const root = import.meta.dirname;

/** The renderer's Vite config, shared with the renderer tests (which build it on their own). */
export const rendererConfig: RendererViteConfig = {
  root: resolve(root, 'renderer'),
  base: './',
  publicDir: false,
  plugins: [svelte({ configFile: false })],
  build: {
    outDir: resolve(root, 'out/renderer'),
    emptyOutDir: true,
    // No inline scripts or styles: the CSP forbids them.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    rolldownOptions: {
      input: resolve(root, 'renderer/index.html'),
      // Its advice on slow plugins (Svelte's compiler, on two cores) is no news to anyone starting
      // preview mode, which prints one line.
      checks: { bundlerTimings: false },
    },
  },
};

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      // zod is bundled, as in the CLI (cli.vite.config.ts): loaded whole, it reads its 40-odd
      // locales as the engine process starts, on the way to the first screen.
      externalizeDeps: { exclude: ['zod'] },
      rolldownOptions: {
        input: {
          index: resolve(root, 'main/app/index.ts'),
          'engine-process': resolve(root, 'main/app/engine-process.ts'),
          ...THREAD_ENTRIES,
        },
        output: { chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      rolldownOptions: {
        input: { index: resolve(root, 'preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: rendererConfig,
});
