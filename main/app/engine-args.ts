/** How the main process (or preview mode) tells the engine process what to open. */
export interface EngineArgs {
  dataDir: string;
  /** Folder holding `vocabulary/default.json` (the packaged app's resources). */
  resourcesDir?: string;
  /** better-sqlite3 addon for the engine's runtime (see Note [Two ABIs] in sqlite-binding.ts). */
  sqliteBinding?: string;
  /** Preview mode's `--model`. */
  model?: string;
}

const FLAGS = { dataDir: '--data-dir=', resourcesDir: '--resources-dir=', sqliteBinding: '--sqlite-binding=', model: '--model=' } as const;

export function engineArgs(args: EngineArgs): string[] {
  return (Object.keys(FLAGS) as Array<keyof EngineArgs>).flatMap((key) => (args[key] ? [`${FLAGS[key]}${args[key]}`] : []));
}

/** The arguments `engineArgs` wrote, or null without a data folder. */
export function parseEngineArgs(argv: readonly string[]): EngineArgs | null {
  const value = (flag: string) => argv.find((arg) => arg.startsWith(flag))?.slice(flag.length) || undefined;
  const dataDir = value(FLAGS.dataDir);
  if (!dataDir) return null;
  const parsed: EngineArgs = { dataDir };
  for (const key of ['resourcesDir', 'sqliteBinding', 'model'] as const) {
    const found = value(FLAGS[key]);
    if (found) parsed[key] = found;
  }
  return parsed;
}

/** What the engine process says: to its stderr, which the app's log collects. */
export function engineLog(message: string): void {
  console.error(`[engine] ${message}`);
}
