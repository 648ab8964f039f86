/**
 * Sized libuv's thread pool before anything uses it: sharp decodes on that pool, and Node's
 * default of 4 threads would leave most cores idle while indexing (decoding is the bottleneck
 * whenever a GPU runs the model). Import this first in every entry point; the pool starts on
 * first use, so the variable must be set before any asynchronous file or image work.
 */
import os from 'node:os';

process.env['UV_THREADPOOL_SIZE'] ??= String(Math.max(4, os.availableParallelism()));
