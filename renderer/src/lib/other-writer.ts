/**
 * Another Lumen program indexing the library (Note [Another program indexing] in
 * main/engine/index-job.ts), as the Library and Settings both say it.
 */
import type { EngineStatus } from './api.js';

type OtherWriter = NonNullable<EngineStatus['writer']>;

/** The program indexing the library now, while no index run of this app's does (`appIndexing`); null when none is. */
export function otherIndexing(status: EngineStatus | null, appIndexing: boolean): OtherWriter | null {
  return status?.writer?.doing === 'indexing' && !appIndexing ? status.writer : null;
}

/**
 * "Lumen’s command line (lumen index, process 20896) is indexing this library". The engine names
 * a command in backticks, as a terminal shows it (WriterBusy in main/storage/writer-lock.ts): a
 * window says it in words. The process id is kept: it finds the program in a task manager.
 */
export function otherIndexingText(writer: OtherWriter): string {
  const command = /^`(lumen [^`]+)`$/.exec(writer.holder)?.[1];
  const program = command ? `Lumen’s command line (${command}, process ${writer.pid})` : `Lumen (${writer.holder.replaceAll('`', '')}, process ${writer.pid})`;
  return `${program} is indexing this library`;
}
