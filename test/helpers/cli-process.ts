/**
 * The CLI in processes of its own, for tests that run several at once or kill them: each in its
 * own process group, so a run that outlives its time is killed whole (children of the CLI too).
 */
import { spawn, spawnSync } from 'node:child_process';
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

/**
 * Starts `lumen ARGV...` (Node with tsx's loader); killed with its group after `timeoutMs`. `as`,
 * a command that runs another (`unprivileged()`'s), runs it through that. `input`, when given, is
 * its standard input; else it has none.
 */
export function startCli(argv: readonly string[], timeoutMs = 120_000, as: readonly string[] = [], input?: string): CliProcess {
  const [command = process.execPath, ...args] = [...as, ...(as.length ? [process.execPath] : [])];
  const child = spawn(command, [...args, '--import', 'tsx', path.join(ROOT, 'main', 'cli', 'index.ts'), ...argv], { cwd: ROOT, detached: true, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  if (input !== undefined) child.stdin?.end(input);
  let stdout = '';
  let stderr = '';
  // Always piped; typed as maybe absent because `stdio` is chosen at run time.
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk));
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

export function runCli(argv: readonly string[], timeoutMs?: number, as?: readonly string[], input?: string): Promise<CliRun> {
  return startCli(argv, timeoutMs, as, input).done;
}

/**
 * How to run a program as a user whom files' modes bind, for tests of folders it may not read or
 * write: as this one where it is not root (nothing to add), as `nobody` through setpriv where it
 * is (root reads and writes whatever the modes say); null where setpriv is missing, or where
 * `nobody` cannot read the project (a checkout in root's home). That user must reach what the
 * test gives it: a folder from `tempDir` is open to its owner only.
 */
export function unprivileged(): string[] | null {
  if (process.getuid?.() !== 0) return [];
  const as = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
  const reads = spawnSync(as[0] as string, [...as.slice(1), process.execPath, '-e', 'require("fs").accessSync(process.argv[1])', path.join(ROOT, 'node_modules', 'tsx', 'package.json')]);
  return reads.error || reads.status !== 0 ? null : as;
}
