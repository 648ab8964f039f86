/**
 * `status`: the engine's status, the same shape the desktop app shows (see EngineStatus), and
 * who else is writing the library.
 *
 * Note [Status beside a writer]: status is a reader and takes no lock (Note [One writer] in
 * storage/writer-lock.ts), so it can run while another process (the app, `lumen index`) indexes
 * the same library. That run stores photos only once they are embedded: the files it has found
 * and not reached yet are nowhere a reader can count, and "0 to do" would be false. So while the
 * holder of the writer lock says it is indexing, status names it, calls the counts what it has
 * stored so far, and leaves what is left uncounted; `--json` adds the lock's holder as `writer`
 * (null when no other process holds it), so a script can tell partial counts too. A run that
 * stopped (Ctrl-C, a kill) leaves the same gap: the library knows its last run did not finish
 * (`unfinishedRun`), and status says so instead of "0 to do".
 *
 * Note [Status reads every page]: a damaged page is met only by a reader that reads it, so the
 * figures below can come out of a damaged library as if it were healthy. Status is the command a
 * person runs to ask how the library is, so it first reads every page (`PRAGMA quick_check`,
 * Storage.checkPages) and reports damage as the other readers do, with the same advice. That
 * reads the whole file: 5 ms for a library of 60 photos, 0.1 s for 50k photos (a 245 MB file)
 * in the system's cache, as long as reading the file takes when it is not; so the app's status,
 * asked for at launch and often after, does not.
 */
import type { IndexHealth } from '../storage/vector-index.js';
import { WriterLock, type WriterInfo } from '../storage/writer-lock.js';
import type { Command } from './command.js';
import { count, MODEL_OPTIONS, oneLine, shownPath } from './common.js';

/** Photos as the app counts them, byte-identical files as one (Note [One tile a picture] in engine/photo-info.ts), with the files where they differ. */
function photosOf(library: { photos: number; images: number }): string {
  return library.images === library.photos ? count(library.photos, 'photo') : `${count(library.images, 'photo')} (${count(library.photos, 'file')}: identical copies count once)`;
}

/** The other process writing the library of `dataDir`, if one says so. */
function otherWriter(dataDir: string): WriterInfo | null {
  const holder = WriterLock.holder(dataDir);
  return holder && holder.pid !== process.pid ? holder : null;
}

/**
 * The search index's health as this short-lived process finds it. One it has to rebuild (a run
 * was killed before saving it) is rebuilt in memory by each search, and saved by the writer: by
 * the run going on, if there is one, or else by the next (or the app).
 */
function indexHealth(health: IndexHealth, indexing: boolean): string {
  if (health !== 'rebuilding') return health;
  return indexing ? 'being rebuilt by that run' : 'out of date: each search rebuilds it in memory until `lumen index` (or the app) saves it rebuilt';
}

export const status: Command = {
  name: 'status',
  args: '',
  summary: 'Show the library (photos, failed files, index health), the model and the execution provider in use.',
  details: 'While another Lumen process indexes the library, the counts are what it has stored so far; `writer` in the JSON names that process.',
  options: MODEL_OPTIONS,
  async run(context) {
    const engine = context.engine();
    // Note [Status reads every page].
    if (engine.hasLibrary()) engine.library().storage.checkPages();
    const status = await engine.status();
    const writer = otherWriter(context.dataDir);
    const indexing = writer?.doing === 'indexing' ? writer : null;
    const { library, model } = status;
    // How much of the library has been read for text, as Settings shows it (Note [Reading text as jobs] in engine/text-reader.ts).
    const text = library ? engine.library().storage.ocr.counts() : null;
    const lines = [`Data folder: ${shownPath(status.dataDir)}`];
    if (indexing) {
      const since = new Date(indexing.since).toLocaleTimeString();
      lines.push(`Indexing:    ${indexing.holder} (pid ${indexing.pid}) is indexing this library (since ${since}): the figures below are what it has stored so far`);
    }
    if (library) {
      const figures = ({ embedded, missing }: { embedded: number; missing: number }) =>
        indexing
          ? `${embedded} embedded so far, the rest not counted until that run ends${missing ? ` (at least ${missing} to do)` : ''}`
          : library.unfinishedRun
            ? `${embedded} embedded; the last index run did not finish, so what it had not reached is not counted (\`lumen index\` goes on)`
            : `${embedded} embedded, ${missing} to do`;
      lines.push(
        `Library:     ${photosOf(library)} in ${count(library.folders.length, 'folder')}, ${count(library.failed, 'failed file')}`,
        ...library.models.map((m) => `             ${m.model}: ${figures(m)}${m.model === library.servingModel ? ' (serving searches)' : ''}`),
        // With no model's line to say it on (a first run stopped, or refused its model, before it stored a photo).
        ...(library.models.length === 0 && library.unfinishedRun && !indexing ? ['             none embedded yet: the last index run did not finish'] : []),
        library.index ? `Index:       ${indexHealth(library.index.health, indexing !== null)}, ${library.index.vectors} of ${library.index.embeddings} vectors` : 'Index:       none yet',
        `Text:        ${count(text?.read ?? 0, 'photo')} read, ${text?.withText ?? 0} with text, ${text?.skipped ?? 0} skipped by the quick look, ${text?.failed ?? 0} failed`,
        // What only the person made, kept apart (Note [Backups] in storage/backups.ts): said so they know it is.
        `Backup:      ${library.lastBackupAt === null ? 'none yet (one is made after an index run, once a day)' : `made ${new Date(library.lastBackupAt).toLocaleString()}`}`,
      );
    } else {
      lines.push(indexing ? 'Library:     none stored yet' : 'Library:     none yet (add a folder: `lumen index FOLDER`)');
    }
    lines.push(
      model ? `Model:       ${model.id} (${model.layout} layout, ${model.dim}-d) in ${shownPath(model.dir)}` : `Model:       none: ${oneLine(status.modelProblem?.message ?? '')}`,
      model
        ? `Provider:    image ${model.providers.image}, text ${model.providers.text} (available here: ${status.availableProviders.join(', ')})`
        : `Providers:   available here: ${status.availableProviders.join(', ')}`,
    );
    return { json: { ...status, text, writer }, text: lines.join('\n') };
  },
};
