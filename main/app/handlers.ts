/**
 * The handler table of the renderer's calls, used by the Electron main process and by preview
 * mode alike: most calls are passed to the engine process unchanged; the few that need the
 * desktop (a folder picker, the file manager, the trash) go through an `AppShell`, which is Electron's in
 * the app and a stand-in in preview mode. No Electron here.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { CallResults } from '../../preload/contract.js';
import { MAX_FOLDERS_ADDED, tooManyFolders } from '../../preload/limits.js';
import { UserError, messageOf } from '../core/errors.js';
import { trashSelection } from '../duplicates/trash.js';
import { PHOTO_EXTENSIONS } from '../library/formats.js';
import { FORWARDED_CALLS, type EngineCallName, type EngineCallResults, type EngineParams, type MAIN_PROCESS_CALLS } from '../engine/calls.js';
import type { CallHandlers } from './router.js';

export interface AppShell {
  /** Asks the person for folders; null when they cancel. */
  pickFolders(options: { title: string; buttonLabel: string; multiple: boolean }): Promise<string[] | null>;
  /** Shows a file in the system's file manager; false where there is none. */
  showInFolder(file: string): boolean;
  /** Opens a file with its default app; false where that is not possible (preview mode); throws why the system could not. */
  openPath(file: string): Promise<boolean>;
  /** Moves a file to the system trash, from where the person can put it back; throws why not. */
  moveToTrash(file: string): Promise<void>;
}

export type EngineCallTable = { [N in EngineCallName]: { params: EngineParams<N>; result: EngineCallResults[N] } };

/** The engine process as the main process calls it (an RpcClient over that table). */
export interface EngineClient {
  call<N extends EngineCallName>(name: N, params: EngineCallTable[N]['params']): Promise<EngineCallTable[N]['result']>;
}

type MainProcessHandlers = Pick<CallHandlers, (typeof MAIN_PROCESS_CALLS)[number]>;

function forwardAll(engine: EngineClient): Omit<CallHandlers, keyof MainProcessHandlers> {
  return Object.fromEntries(FORWARDED_CALLS.map((name) => [name, (params: never) => engine.call(name, params)])) as unknown as Omit<CallHandlers, keyof MainProcessHandlers>;
}

/**
 * Note [Opened by its ending]: the system opens a file with the app its ending names, and the
 * library takes in any file that decodes as an image, whatever its name: a PNG named
 * `holiday.hta` or `.js`, `.bat`, `.desktop`, `.svg` is one, which the system would run as a
 * program or a page. So only a file with a photo's ending is opened with its default app; another
 * is refused, with its folder offered instead.
 */
function openable(file: string): string {
  if (PHOTO_EXTENSIONS.has(path.extname(file).toLowerCase())) return file;
  throw new UserError('bad-input', `Lumen opens only files named as photos in another app, and ${path.basename(file)} is not: its name could make the system run it as a program. Show it in its folder instead.`);
}

/**
 * The original of photo `id`, there to be shown or opened: a file manager asked to show a file
 * that is gone shows none, and says nothing, so a file gone is said here.
 */
async function originalOf(engine: EngineClient, id: number): Promise<string> {
  const file = (await engine.call('photos.file', { id, kind: 'original' })).path;
  if (!(await stat(file).then((info) => info.isFile(), () => false))) {
    throw new UserError(
      'not-found',
      `${path.basename(file)} is no longer in ${path.dirname(file)}: it was moved, renamed or deleted since it was indexed, or its drive is not connected. Re-scanning its folder in Settings brings the library up to date.`,
    );
  }
  return file;
}

/** `log` hears what went wrong where the call still succeeds (the re-scan after a move). */
export function callHandlers(engine: EngineClient, shell: AppShell, log: (message: string) => void): CallHandlers {
  const own: MainProcessHandlers = {
    'models.importFromDialog': async () => {
      const [dir] = (await shell.pickFolders({ title: 'Import a model folder', buttonLabel: 'Import', multiple: false })) ?? [];
      return dir === undefined ? null : engine.call('models.import', { dir });
    },
    'library.addFromDialog': async ({ excludes }): Promise<CallResults['library.addFromDialog']> => {
      const paths = await shell.pickFolders({ title: 'Add folders of photos', buttonLabel: 'Add', multiple: true });
      // Said here, as the window says it of folders dropped (Note [Limits the window checks]), not in the schema's words.
      if (paths && paths.length > MAX_FOLDERS_ADDED) throw new UserError('bad-input', tooManyFolders(paths.length.toLocaleString(), 'pick'));
      return paths?.length ? engine.call('library.addFolders', { paths, excludes }) : null;
    },
    'photos.reveal': async ({ id }) => ({ shown: shell.showInFolder(await originalOf(engine, id)) }),
    'photos.open': async ({ id }) => ({ opened: await shell.openPath(openable(await originalOf(engine, id))) }),
    // The renderer names copies by id (Note [Copies named by id]). The answer waits until the
    // library has forgotten the moved files (Note [What a moved copy leaves]), so that a find
    // right after lists none of them; once files moved, it is their outcome whatever comes after:
    // the watcher's re-scan forgets them if the engine cannot now.
    'duplicates.trash': async ({ photoIds }) => {
      const result = await trashSelection(await engine.call('duplicates.selection', { photoIds }), (file) => shell.moveToTrash(file));
      const { differing, ...said } = result;
      await engine.call('duplicates.moved', { paths: result.trashed, differing }).catch((error: unknown) => log(`Copies moved to the trash stay in the library until the watcher's next re-scan: ${messageOf(error)}`));
      return said;
    },
  };
  return { ...forwardAll(engine), ...own };
}
