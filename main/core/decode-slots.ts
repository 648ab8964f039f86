import os from 'node:os';

/**
 * Photos worth decoding at once: one per thread of libuv's pool, where sharp decodes (Note
 * [Thread pool] in threadpool.ts), and at least one per core.
 */
export function decodeSlots(): number {
  return Math.max(4, os.availableParallelism(), Number(process.env['UV_THREADPOOL_SIZE']) || 0);
}
