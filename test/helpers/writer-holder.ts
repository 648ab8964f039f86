/**
 * Another process holding a data folder's writer lock (test/helpers/hold-writer-lock.ts), as a
 * `lumen index` beside the engine under test does, until the test ends it.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { ROOT } from './fixtures.js';

export interface WriterHolder {
  pid: number;
  /** Kills the holder, which frees the lock, and waits until it has gone. */
  end: () => Promise<void>;
}

/** Starts the holder, once it says it holds the lock of `dataDir` as `holder`. */
export async function holdWriterLock(dataDir: string, holder = '`lumen index`'): Promise<WriterHolder> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test', 'helpers', 'hold-writer-lock.ts'), dataDir, holder], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  const [said] = (await once(child.stdout, 'data')) as [Buffer];
  if (said.toString() !== 'held\n') throw new Error(`The lock of ${dataDir} was not free: the holder said ${said.toString().trim()}.`);
  return {
    pid: child.pid as number,
    end: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
