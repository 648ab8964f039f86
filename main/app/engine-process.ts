/**
 * Entry of the engine's process (out/main/engine-process.js): starts the text tower, then loads
 * the engine itself (engine-service.ts).
 *
 * Note [Text tower first]: the app's first search waits for the text tower's graph, which takes
 * 0.25 s to load on an idle machine (Note [Runtime graphs] in models/session.ts) and several
 * times that while the window draws its first screen (Note [Warm start] in engine.ts). Loading the rest of the engine (SQLite, the library, the search,
 * their modules) took 0.3 s before the graph could even begin. So this entry reads which text
 * tower the engine started last (text-tower-hint.ts) and starts it at once, on its own thread,
 * before it imports the rest; the engine takes that session over when it asks for the same one
 * (ModelSession.startEarly), and releases it when the library's model has changed since.
 */
import '../core/threadpool.js';
import { engineLog, parseEngineArgs } from './engine-args.js';
import { recordTowerStart, startedWithHugePages } from './huge-pages.js';
import { startTextTowerEarly } from './text-tower-hint.js';

const dataDir = parseEngineArgs(process.argv)?.dataDir;
if (dataDir) {
  // Timed for Note [Huge pages where they pay] in huge-pages.ts; a start that fails says nothing
  // of the pages, and one not recorded only leaves the choice to the next launch.
  startTextTowerEarly(dataDir, engineLog)
    ?.then((tower) => recordTowerStart(dataDir, startedWithHugePages(), tower.startMs))
    .catch(() => {});
}
import('./engine-service.js').catch((error: unknown) => {
  engineLog(`The engine could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
