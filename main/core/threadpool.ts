/**
 * Sizes libuv's thread pool: sharp decodes on that pool, and Node's default of 4 threads would
 * leave most cores idle while indexing (decoding is the bottleneck whenever a GPU runs the model).
 *
 * Note [Thread pool]: the pool reads UV_THREADPOOL_SIZE once, when it starts, and an ES module
 * entry has started it before any of its code runs (Node reads module files on the pool). So
 * setting the variable here only works where this runs first in a CommonJS entry (the built CLI,
 * out/cli/lumen.cjs) or in a parent before it starts a child: the app's main process and preview
 * mode import this before forking the engine process, which inherits the variable. An ES module
 * entry run directly (tsx, during development) keeps Node's 4 threads.
 */
import os from 'node:os';

process.env['UV_THREADPOOL_SIZE'] ??= String(Math.max(4, os.availableParallelism()));
