/**
 * The handler table of the renderer's calls, used by the Electron main process and by preview
 * mode alike: most calls are passed to the engine process unchanged; the few that need the
 * desktop (a folder picker, the file manager, the trash) go through an `AppShell`, which is Electron's in
 * the app and a stand-in in preview mode. No Electron here.
 */
import type { CallResults } from '../../preload/contract.js';
import { trashSelection } from '../duplicates/trash.js';
import { FORWARDED_CALLS, type EngineCallName, type EngineCallResults, type EngineParams, type MAIN_PROCESS_CALLS } from '../engine/calls.js';
import type { CallHandlers } from './router.js';

export interface AppShell {
  /** Asks the person for folders; null when they cancel. */
  pickFolders(options: { title: string; buttonLabel: string; multiple: boolean }): Promise<string[] | null>;
  /** Shows a file in the system's file manager; false where there is none. */
  showInFolder(file: string): boolean;
  /** Opens a file with its default app; false where that is not possible. */
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

export function callHandlers(engine: EngineClient, shell: AppShell): CallHandlers {
  const own: MainProcessHandlers = {
    'models.importFromDialog': async () => {
      const [dir] = (await shell.pickFolders({ title: 'Import a model folder', buttonLabel: 'Import', multiple: false })) ?? [];
      return dir === undefined ? null : engine.call('models.import', { dir });
    },
    'library.addFromDialog': async ({ excludes }): Promise<CallResults['library.addFromDialog']> => {
      const paths = await shell.pickFolders({ title: 'Add folders of photos', buttonLabel: 'Add', multiple: true });
      return paths?.length ? engine.call('library.addFolders', { paths, excludes }) : null;
    },
    'photos.reveal': async ({ id }) => ({ shown: shell.showInFolder((await engine.call('photos.file', { id, kind: 'original' })).path) }),
    'photos.open': async ({ id }) => ({ opened: await shell.openPath((await engine.call('photos.file', { id, kind: 'original' })).path) }),
    // The renderer names copies by id (Note [Copies named by id]); the re-scan lets the library forget the moved files.
    'duplicates.trash': async ({ photoIds }) => {
      const result = await trashSelection(await engine.call('duplicates.selection', { photoIds }), (file) => shell.moveToTrash(file));
      if (result.trashed.length) await engine.call('library.index', {});
      return result;
    },
  };
  return { ...forwardAll(engine), ...own };
}
