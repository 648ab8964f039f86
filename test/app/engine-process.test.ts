/**
 * The engine process as preview mode forks it: Ctrl+C in a terminal signals it along with its
 * parent, and it stays until its parent stops it in order (here, by going away), then exits
 * cleanly.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { engineArgs } from '../../main/app/engine-args.js';
import { engineEnv } from '../../main/app/huge-pages.js';
import { ROOT, tempDir } from '../helpers/fixtures.js';

let scratch: { dir: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  scratch = await tempDir();
});
afterEach(async () => {
  await scratch.cleanup();
});

const entry = path.join(ROOT, 'main', 'app', 'engine-process.ts');

it('outlasts a SIGINT, and exits cleanly when its parent goes away', async () => {
  const child = fork(entry, engineArgs({ dataDir: path.join(scratch.dir, 'data') }), { execArgv: ['--import', 'tsx'], env: engineEnv(true), stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve) => child.stderr?.on('data', () => stderr.includes('ready') && resolve()));
  child.kill('SIGINT');
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(child.exitCode).toBeNull();
  child.disconnect();
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  expect({ code, signal }).toEqual({ code: 0, signal: null });
}, 60_000);
