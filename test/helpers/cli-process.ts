/**
 * The CLI in processes of its own, for tests that run several at once or kill them: each in its
 * own process group, so a run that outlives its time is killed whole (children of the CLI too).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './fixtures.js';

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  pid: number;
  /** Everything written to stderr so far. */
  stderr(): string;
  kill(signal?: NodeJS.Signals): void;
  done: Promise<CliRun>;
}

/** Starts `lumen ARGV...` (Node with tsx's loader); killed with its group after `timeoutMs`. */
export function startCli(argv: readonly string[], timeoutMs = 120_000): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'main', 'cli', 'index.ts'), ...argv], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const kill = (signal: NodeJS.Signals = 'SIGKILL') => {
    try {
      process.kill(-(child.pid as number), signal);
    } catch {
      // Already gone.
    }
  };
  const timer = setTimeout(() => kill('SIGKILL'), timeoutMs);
  const done = new Promise<CliRun>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return { pid: child.pid as number, stderr: () => stderr, kill, done };
}

export function runCli(argv: readonly string[], timeoutMs?: number): Promise<CliRun> {
  return startCli(argv, timeoutMs).done;
}
