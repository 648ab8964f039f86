/** The shape every CLI command has, and the context it runs in. */
import type { ParseArgsConfig } from 'node:util';
import type { Engine } from '../engine/engine.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>[string] & {
  description: string;
  valueName?: string;
  /** An empty value means something (`--exclude ""`: none); else it is refused as an unset shell variable. */
  mayBeEmpty?: boolean;
};

export interface CommandContext {
  /** Parsed option values (strings, booleans, or string arrays for repeatable options). */
  options: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  json: boolean;
  dataDir: string;
  /** The engine over the data folder (with this command's --model and --provider), made on first use. */
  engine(): Engine;
  /** Aborted by Ctrl-C, for work that is not a job (a job is cancelled through the engine). */
  signal: AbortSignal;
  /** Progress and logs: stderr, never mixed into the machine-readable stdout. */
  log: (message: string) => void;
}

export interface CommandResult {
  /** What `--json` prints on stdout. */
  json: unknown;
  /** What a person sees without `--json`. */
  text: string;
  /**
   * Set when the command did what it could but not all of it (an index run that could not reach a
   * library folder: Note [A folder out of reach] in walk.ts): the result is printed, and the
   * command exits with 1, as a failure of the work.
   */
  incomplete?: boolean;
}

export interface Command {
  name: string;
  /** Arguments after the options, e.g. `TEXT...`. */
  args: string;
  summary: string;
  details?: string;
  options: Record<string, OptionSpec>;
  /**
   * What the command does to the library when it changes it ("indexing"), for a second writer's
   * message; null or absent when it only reads (Note [One writer] in storage/writer-lock.ts).
   */
  writes?(context: CommandContext): string | null;
  /** Whether the command makes the library where there is none yet, from what its arguments name (a first `index FOLDER`); others that write, and it given no argument, refuse to, leaving no data folder behind. */
  createsLibrary?: boolean;
  /** Checks what was asked before the library is claimed: a mistyped folder leaves no data folder behind. */
  check?(context: CommandContext): Promise<void>;
  run(context: CommandContext): Promise<CommandResult>;
}

export function stringOption(context: CommandContext, name: string): string | undefined {
  const value = context.options[name];
  return typeof value === 'string' ? value : undefined;
}
