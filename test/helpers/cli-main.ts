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

export function cli(...argv: string[]): Promise<CliOutcome> {
  return cliWatched(argv);
}

/** As `cli`, with each piece of stderr also handed to `onStderr` as it is written (progress lines, to act on mid-run). */
export async function cliWatched(argv: string[], onStderr: (text: string) => void = () => {}): Promise<CliOutcome> {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: {
      write: (text: string) => {
        stderr += text;
        onStderr(text);
      },
    },
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
