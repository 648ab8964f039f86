/**
 * Which model the engine runs, loaded once and kept warm.
 *
 * Note [Which model]: the same rule everywhere (CLI and app):
 * - indexing embeds new photos with `--model`, else the model chosen in the settings, else the
 *   model already serving the library, else the default installed model;
 * - searching and tagging use `--model`, else the model serving the library (whose embeddings
 *   cover it, see Note [Model switch]), else the indexing model.
 * The execution provider is `--provider`, else the settings' choice.
 *
 * Note [One model at a time]: a model is loaded on first need and kept (the first search after
 * idle must not pay for a reload); at most the indexing and the serving model are loaded, both
 * only during a model switch. Changing the model or provider setting disposes them, once the work
 * on them has ended (Note [Models changed under work] in engine.ts).
 */
import path from 'node:path';
import type { ModelProblem } from '../../preload/contract.js';
import { CallsUnderWay } from '../core/calls-under-way.js';
import { UserError, isUserError } from '../core/errors.js';
import { keptPromise } from '../core/kept-promise.js';
import type { SettingsFile } from '../core/settings.js';
import type { Library } from '../library/library.js';
import { findCatalogueEntry } from '../models/catalogue.js';
import { ClipModel } from '../models/clip.js';
import { PROVIDERS, type ProviderPreference } from '../models/session.js';
import { ModelChoiceNeeded, type ModelStore } from '../models/store.js';
import { TextGraphs } from '../models/text-graphs.js';

export interface ModelOverrides {
  /** A model folder or installed model id (`--model`). */
  model?: string | undefined;
  provider?: ProviderPreference | undefined;
}

export function parseProvider(value: string): ProviderPreference {
  if (!(PROVIDERS as readonly string[]).includes(value)) {
    throw new UserError('bad-input', `Unknown provider "${value}". Choose one of: ${PROVIDERS.join(', ')}.`);
  }
  return value as ProviderPreference;
}

export class ModelHost {
  private readonly loaded = new Map<string, Promise<ClipModel>>();
  private readonly textGraphs: TextGraphs;
  /** Work on the models outside jobs, under way (`using`). */
  private readonly users = new CallsUnderWay();
  /** A change of the models under way (`change`): work asked for meanwhile waits for it. */
  private changing: Promise<unknown> | null = null;

  constructor(
    private readonly store: ModelStore,
    private readonly settings: SettingsFile,
    private readonly overrides: ModelOverrides,
    private readonly logs: { log: (message: string) => void; logProbe: (message: string) => void },
    graphs: { dir: string; mayWrite: () => boolean },
    /** The app's engine runs the text tower's tokenizer on a thread of its own (Note [Tokenizer off the event loop]). */
    private readonly tokenizerThread = false,
    /** The library forgot a model's vectors (Note [A model replaced under its name] in models/fingerprint.ts): what was worked out from them goes too. */
    private readonly onForgotten: () => void = () => {},
  ) {
    this.textGraphs = new TextGraphs(graphs.dir, logs.log, graphs.mayWrite);
  }

  /** The model new photos are embedded with (Note [Which model]). */
  async forIndexing(library: Library | null): Promise<ClipModel> {
    return this.checked(library, await this.load(await this.indexingReference(library), library));
  }

  /** The folder or id of the model new photos are embedded with, as chosen (none: the only one installed), without loading it. */
  async indexingReference(library: Library | null): Promise<string | undefined> {
    const settings = await this.settings.read();
    return this.overrides.model ?? settings.model ?? library?.servingModelReference() ?? undefined;
  }

  /** The model searches and tagging run on (Note [Which model]). */
  async forSearch(library: Library | null): Promise<ClipModel> {
    return this.checked(library, await this.searchModel(library));
  }

  /** The model searches run on, for work that embeds no text: its text tower is left alone where the library's vectors are its image tower's (Note [Work without text] in models/fingerprint.ts). */
  async forImages(library: Library | null): Promise<ClipModel> {
    const model = await this.searchModel(library);
    return (await library?.imageTowerAsBefore(model)) ? model : this.checked(library, model);
  }

  private async searchModel(library: Library | null): Promise<ClipModel> {
    return this.load(this.overrides.model ?? library?.servingModelReference() ?? (await this.indexingReference(library)), library);
  }

  /** `model`, once the library has made sure its vectors of that name are this model's (Note [A model replaced under its name] in models/fingerprint.ts). */
  async checked(library: Library | null, model: ClipModel): Promise<ClipModel> {
    const forgot = (await library?.checkModel(model)) ?? 0;
    if (forgot > 0) {
      this.logs.log(`The model ${model.id} is not the one the library's photos were embedded with (its files changed): their ${forgot} vectors were forgotten, and an index run with it embeds them again.`);
      this.onForgotten();
    }
    return model;
  }

  /**
   * Whether a model that loads can be found for indexing, and if not why (for status).
   *
   * Note [A model that cannot run]: `startTowers` (the CLI's status, which names where each tower
   * runs) starts its towers here, so that a model whose files read but whose graphs do not
   * (damaged) is a problem status reports beside the library, whether the library's check of the
   * model started them (Note [A model replaced under its name] in models/fingerprint.ts) or not.
   * A `--model` that names no model (a typo, a file, a folder of no model) is the caller's
   * mistake, and thrown; one that is a model but cannot run is that model's problem. A provider
   * that cannot start is no problem of the model's: it is thrown, and said as every command says
   * it (`lumen status --provider webgpu` on a computer with no GPU said "Model: none").
   */
  async indexingProblem(library: Library | null, options: { startTowers?: boolean } = {}): Promise<ModelProblem | null> {
    let starting = false;
    try {
      const model = await this.forIndexing(library);
      starting = true;
      if (options.startTowers) await model.providers();
      return null;
    } catch (error) {
      if (starting && !(isUserError(error) && error.code === 'model-invalid')) throw error;
      if (!isUserError(error) || (this.overrides.model !== undefined && error.code !== 'model-invalid')) throw error;
      // Found but unable to run, installed or not: not a matter of which models are installed.
      if (error.code === 'model-invalid') return { kind: 'unusable', message: error.message };
      if (error instanceof ModelChoiceNeeded) return { kind: 'choose-one', message: error.message };
      // A chosen model whose folder is gone (deleted, or on a disk not mounted now) is named, for
      // the app to say so in its own words: also where no other is installed, as with a folder of
      // its own given at the first run (said as none installed, it hid why the library's model is gone).
      const reference = error.code === 'model-missing' ? await this.indexingReference(library) : undefined;
      if (reference !== undefined) return { kind: 'missing', model: path.basename(reference), downloadable: findCatalogueEntry(path.basename(reference)) !== undefined, message: error.message };
      const { installed } = await this.store.list();
      return { kind: installed.length === 0 ? 'none-installed' : 'unusable', message: error.message };
    }
  }

  /** Reads the `--model` folder, if one was named, so that one naming no model is refused before the library is claimed. */
  async checkOverride(): Promise<void> {
    if (this.overrides.model !== undefined) await this.load(this.overrides.model);
  }

  /** The execution provider models run on (Note [Which model]). */
  async provider(): Promise<ProviderPreference> {
    return this.overrides.provider ?? parseProvider((await this.settings.read()).provider);
  }

  /** The model `reference` names; `library` says where one it named was, if that folder is gone (a name given with --model is the person's own). */
  private async load(reference: string | undefined, library: Library | null = null): Promise<ClipModel> {
    const goneFrom = () => (reference !== undefined && reference !== this.overrides.model ? (library?.goneModelFolder(reference) ?? null) : null);
    const dir = await this.store.resolve(reference, goneFrom);
    const provider = await this.provider();
    const key = `${dir}\0${provider}`;
    const loadedBefore = this.loaded.has(key);
    const model = keptPromise(this.loaded, key, () => ClipModel.load(dir, { provider, ...this.logs, textGraphs: this.textGraphs, tokenizerThread: this.tokenizerThread }));
    if (!loadedBefore) await this.keepAtMost(2, key);
    return model;
  }

  /** Disposes the oldest loaded models beyond `count` (Note [One model at a time]). */
  private async keepAtMost(count: number, keep: string): Promise<void> {
    await this.dispose([...this.loaded.keys()].filter((key) => key !== keep).slice(0, Math.max(0, this.loaded.size - count)));
  }

  /** Disposes the loaded models `keys`, out of the map first: a use meanwhile loads its model anew. */
  private async dispose(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      const model = this.loaded.get(key);
      this.loaded.delete(key);
      await (await model?.catch(() => null))?.dispose();
    }
  }

  /** The loaded models read from the folder `dir` (on any provider). */
  private loadedFrom(dir: string): string[] {
    return [...this.loaded.keys()].filter((key) => path.resolve(key.slice(0, key.lastIndexOf('\0'))) === path.resolve(dir));
  }

  /** Whether a model read from the folder `dir` is loaded. */
  holds(dir: string): boolean {
    return this.loadedFrom(dir).length > 0;
  }

  /**
   * Disposes the models read from the folder `dir`, removed (Note [Removing a model] in
   * models/store.ts): kept, it went on answering, and a model added later under its name was
   * never read (within a `change`).
   */
  async letGo(dir: string): Promise<void> {
    await this.dispose(this.loadedFrom(dir));
  }

  /**
   * Runs `work` on the models outside a job (a search, a photo's text read): a change of the
   * models waits for it, and it waits for one under way (Note [Models changed under work] in
   * engine.ts). Never nested: the inner one would wait for a change that waits for the outer.
   */
  async using<T>(work: () => Promise<T>): Promise<T> {
    while (this.changing) await this.changing;
    return this.users.run(work);
  }

  /**
   * Runs `change` (which lets models go) once the work under way on them (`using`) has ended,
   * holding what is asked meanwhile back until it is done: the wait is for calls already under
   * way, which are short, never for those that keep coming after them.
   */
  async change<T>(change: () => Promise<T>): Promise<T> {
    while (this.changing) await this.changing;
    const changing = this.users.ended().then(change);
    const held = changing.catch(() => {});
    this.changing = held;
    try {
      return await changing;
    } finally {
      if (this.changing === held) this.changing = null;
    }
  }

  /** Disposes every loaded model; the next use loads again (within a `change`). */
  async unload(): Promise<void> {
    const models = [...this.loaded.values()];
    this.loaded.clear();
    for (const model of models) await (await model.catch(() => null))?.dispose();
  }
}
