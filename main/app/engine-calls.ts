/**
 * The calls the engine process answers, and how each maps onto an `Engine` method. The renderer's
 * calls pass through unchanged, except `models.importFromDialog`: the main process shows the
 * dialog and then asks the engine for `models.import` with the chosen folder. `dispose` is sent
 * on quit. Only a type import of Engine: the tests load this without onnxruntime.
 */
import type { CallResults } from '../../preload/contract.js';
import type { Engine } from '../engine/engine.js';

type Empty = Record<string, never>;

export type EngineCalls = {
  'app.status': { params: Empty; result: CallResults['app.status'] };
  'models.list': { params: Empty; result: CallResults['models.list'] };
  'models.download': { params: { id: string }; result: CallResults['models.download'] };
  'models.cancelDownload': { params: { id: string }; result: CallResults['models.cancelDownload'] };
  'models.import': { params: { dir: string }; result: { id: string; dir: string } };
  'settings.update': { params: { model?: string | null | undefined; provider?: string | undefined }; result: CallResults['settings.update'] };
  dispose: { params: Empty; result: null };
};

export type EngineCallName = keyof EngineCalls;

export type EngineLike = Pick<Engine, 'status' | 'listModels' | 'downloadModel' | 'cancelDownload' | 'importModel' | 'updateSettings' | 'dispose'>;

export type EngineMethods = { [N in EngineCallName]: (params: EngineCalls[N]['params']) => Promise<EngineCalls[N]['result']> };

export function engineMethods(engine: EngineLike): EngineMethods {
  return {
    'app.status': () => engine.status(),
    'models.list': () => engine.listModels(),
    'models.download': ({ id }) => engine.downloadModel(id),
    'models.cancelDownload': async ({ id }) => engine.cancelDownload(id),
    'models.import': ({ dir }) => engine.importModel(dir),
    'settings.update': (change) => engine.updateSettings(change),
    dispose: async () => {
      await engine.dispose();
      return null;
    },
  };
}

/** The value of `--data-dir=<path>` in the engine process's arguments. */
export function dataDirFromArgs(argv: readonly string[]): string | null {
  const arg = argv.find((value) => value.startsWith('--data-dir='));
  return arg ? arg.slice('--data-dir='.length) || null : null;
}
