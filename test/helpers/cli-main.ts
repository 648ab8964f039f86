/**
 * `lumen ARGV...` run in this process, through the CLI's own `main` as the built command runs it,
 * with what it writes kept: for tests that need no process of its own (startCli in cli-process.ts
 * is for those that run several at once, or kill them).
 */
import { main } from '../../main/cli/index.js';

export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(...argv: string[]): Promise<CliOutcome> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } });
  return { code, stdout, stderr };
}
