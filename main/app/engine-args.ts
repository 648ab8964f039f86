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

/**
 * Note [Huge pages for the models]: onnxruntime copies a model's weights into fresh memory as a
 * session starts, and on Linux each 4 KiB page of it faults on first touch: most of the text
 * tower's load (ViT-B/32: 254 MB), on the path to the first search (Note [Photos first] in
 * engine-service.ts). Told to (glibc tunables, read as a process starts; glibc 2.35 and later),
 * glibc's malloc asks for transparent huge pages, which distributions give on request: the text
 * tower started in 1.3-2.4 s instead of 3.2-6.0 s here, the image tower in half the time, queries
 * ran as fast and memory grew by under a tenth. Huge pages reach only glibc's main arena, and a
 * session starts on a thread of its own (Note [Inference off the event loop]), which glibc gives
 * an arena of its own: so the process keeps one arena (threads keep their own caches of small
 * blocks). The engine's first search then came 1.0-1.2 s after it started instead of 1.7 s, and
 * indexing 80 photos with the CLI's build took 5.4 s instead of 6.9 s, in no more memory (2 cores,
 * `npm run bench -- coldstart`). Elsewhere the variable means nothing.
 */
const TUNABLES = 'glibc.malloc.hugetlb=1:glibc.malloc.arena_max=1';

export function engineEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const tunables = env['GLIBC_TUNABLES'];
  return { ...env, GLIBC_TUNABLES: tunables ? `${tunables}:${TUNABLES}` : TUNABLES };
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
