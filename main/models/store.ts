/**
 * The models a person has: installed under `<data>/models/<id>/`, downloaded from the catalogue
 * or imported from a folder on disk.
 *
 * Note [Validate before install]: an import loads both graphs and the tokenizer before anything
 * is copied, and the copy goes to a temp folder renamed into place in one step, so the store
 * never holds a model that fails to load.
 *
 * Note [Removing a model]: removing deletes the model's folder in the store, Lumen's own copy (an
 * import is copied in, never referred to where it was), and nothing outside it: a folder in the
 * store that is a link goes as the link. The model the library is searched or indexed with now is
 * refused (choose another first), and one still downloading is no model yet (cancel its download).
 * The folder is first renamed aside (`.removing-…`, hidden from the list as every name starting
 * with "." is), then deleted: a deletion stopped halfway (a file held open on Windows) leaves no
 * half model listed.
 * The library's embeddings made with it stay: a few kB a photo against its hundreds of MB, keyed
 * by its id, so that the same model added again searches at once, without re-indexing (a different
 * one under that name is caught: Note [A model replaced under its name] in fingerprint.ts).
 */
import { cp, lstat, mkdir, mkdtemp, readdir, realpath, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { UserError, codeOf, isUnwritable, isUserError } from '../core/errors.js';
import { WRITABLE_DATA_ADVICE } from '../core/cli-advice.js';
import { canWrite, modelsDir } from '../core/paths.js';
import { CATALOGUE, DEFAULT_MODEL_ID, downloadLimits, findCatalogueEntry, isModelFile, MOST_ABOVE_EXPECTED, type CatalogueEntry } from './catalogue.js';
import { ClipModel } from './clip.js';
import { downloadModel, stagingFolder, type DownloadProgress } from './download.js';
import { downloadHolder } from './download-lock.js';
import { readModelFolder, type ModelSpec } from './folder.js';

export interface InstalledModel {
  id: string;
  dir: string;
  /** What its folder holds on disk: what removing it frees (Note [Removing a model]). */
  bytes: number;
  dim: number;
  layout: ModelSpec['layout'];
  catalogue: CatalogueEntry | undefined;
}

export interface ModelListing {
  installed: InstalledModel[];
  /** Folders in the store that do not load, with the reason. */
  broken: Array<{ id: string; dir: string; bytes: number; reason: string }>;
  catalogue: Array<CatalogueEntry & { installed: boolean }>;
}

/** Several models are installed and none is chosen: the person's choice, not a broken model (the app offers the choice). */
export class ModelChoiceNeeded extends UserError {
  constructor(message: string) {
    super('bad-input', message);
  }
}

/** An import under a name a model installed already has: the CLI says how to give another (`--name`). */
export class ModelNameTaken extends UserError {
  constructor(id: string, destination: string) {
    super('bad-input', `A model named ${id} is already installed at ${destination}.`);
  }
}

/**
 * Note [Catalogue names are the catalogue's]: a folder imported under a catalogue model's id was
 * listed as that model installed, and its download refused as done, whatever model the folder
 * held. A folder takes that name only where it looks like that model (its layout, and its size
 * as a download of it may be): a copy of a download brought from another computer does.
 */
export class ModelNameReserved extends UserError {
  /** What is wrong, without the advice (the command line gives its own: --name). */
  readonly reason: string;

  constructor(id: string, entry: CatalogueEntry) {
    const reason = `"${id}" is the name of the catalogue's model ${entry.id} (${entry.name}), and this folder is not that model (its layout or size differ): imported under that name, it would pass for it.`;
    super('bad-input', `${reason} Import this folder under another name, or rename it.`);
    this.reason = reason;
  }
}

/** The catalogue entry whose id a name is, in any case (a case-blind disk holds one folder for both). */
function catalogueEntryNamed(id: string): CatalogueEntry | undefined {
  return CATALOGUE.find((entry) => entry.id.toLowerCase() === id.toLowerCase());
}

/** The bytes of the files under `dir` (links inside it are not followed). */
async function folderBytes(dir: string): Promise<number> {
  const files = await readdir(dir, { recursive: true, withFileTypes: true });
  let bytes = 0;
  for (const file of files) if (file.isFile()) bytes += (await stat(path.join(file.parentPath, file.name))).size;
  return bytes;
}

/** Whether the model folder `dir` looks like the catalogue's `entry` (Note [Catalogue names are the catalogue's]). */
export async function looksLikeCatalogueModel(dir: string, entry: Pick<CatalogueEntry, 'layout' | 'approxBytes'>): Promise<boolean> {
  const { layout } = await readModelFolder(dir);
  if (layout !== entry.layout) return false;
  const bytes = await folderBytes(dir);
  return bytes >= entry.approxBytes * 0.8 && bytes <= entry.approxBytes * MOST_ABOVE_EXPECTED;
}

/** What removing the store's folder `dir` frees: nothing for a link, which goes alone (Note [Removing a model]); null where it is gone. */
async function storeFolderBytes(dir: string): Promise<number | null> {
  const entry = await lstat(dir).catch(() => null);
  if (!entry) return null;
  // A folder this process may not read counts for nothing, rather than keep the others from being listed.
  return entry.isSymbolicLink() ? 0 : folderBytes(dir).catch(() => 0);
}

/** What `ModelStore.remove` removed. */
export interface RemovedModel {
  id: string;
  dir: string;
  /** What its folder held, freed. */
  bytes: number;
}

/** The models the library works with now, which cannot be removed (Note [Removing a model]). */
export interface ModelsInUse {
  /** The reference of the model new photos are indexed with; undefined where none is chosen (then the default, or the only one installed). */
  indexing: string | undefined;
  /** The reference of the model the library's photos are searched with, if it has one. */
  searching: string | null;
}

/** A model's name is its folder's in the store: one plain folder name, which the list of models shows (not hidden). */
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const MODEL_NAME = /^[^./\\<>:"|?*\x00-\x1f][^/\\<>:"|?*\x00-\x1f]{0,99}$/;

export class ModelStore {
  readonly root: string;

  constructor(dataDir: string) {
    this.root = modelsDir(dataDir);
  }

  async list(): Promise<ModelListing> {
    const names = await readdir(this.root).catch(() => [] as string[]);
    const installed: InstalledModel[] = [];
    const broken: ModelListing['broken'] = [];
    for (const name of names.filter((n) => !n.startsWith('.')).sort()) {
      const dir = path.join(this.root, name);
      // A model is a folder: a file left beside them (a note, an archive) is none, nor a broken one.
      if ((await stat(dir).catch(() => null))?.isFile()) continue;
      const bytes = await storeFolderBytes(dir);
      // Gone since the folder was read (removed from another window meanwhile): no model, nor a broken one.
      if (bytes === null) continue;
      try {
        const spec = await readModelFolder(dir);
        installed.push({ id: name, dir, bytes, dim: spec.dim, layout: spec.layout, catalogue: findCatalogueEntry(name) });
      } catch (error) {
        if (!isUserError(error)) throw error;
        broken.push({ id: name, dir, bytes, reason: error.message });
      }
    }
    const ids = new Set(installed.map((model) => model.id));
    return { installed, broken, catalogue: CATALOGUE.map((entry) => ({ ...entry, installed: ids.has(entry.id) })) };
  }

  /**
   * The folder for `--model`: an existing folder path, or the id of an installed model. With no
   * reference, the default catalogue model if installed, else the only installed model. `goneFrom`:
   * the folder a library last found the model it names in, gone since (moved or deleted), which a
   * model that is nowhere else is said to be missing from: the person typed no name.
   */
  async resolve(reference?: string, goneFrom: () => string | null = () => null): Promise<string> {
    if (reference) {
      const asPath = path.resolve(reference);
      if ((await stat(asPath).catch(() => null))?.isDirectory()) return asPath;
      const installedDir = path.join(this.root, reference);
      if ((await stat(installedDir).catch(() => null))?.isDirectory()) return installedDir;
      const entry = findCatalogueEntry(reference);
      if (entry) {
        throw new UserError('model-missing', `Model ${entry.id} is not installed. Run \`lumen models download ${entry.id}\` first.`);
      }
      const gone = goneFrom();
      // Its copy in the store deleted by hand: brought back as it came, by an import.
      if (gone && path.dirname(gone) === path.resolve(this.root)) {
        throw new UserError('model-missing', `The model ${reference}, which this library's photos were embedded with, is no longer installed (${gone} is gone). Import its folder again (\`lumen models import DIR --name ${reference}\`), or give another model (--model).`);
      }
      if (gone) {
        throw new UserError('model-missing', `The model ${reference}, which this library's photos were embedded with, was in ${gone}, and that folder is gone. Give its folder where it is now (--model FOLDER), or install a model (see \`lumen models list\`).`);
      }
      throw new UserError('model-missing', `No model folder or catalogue model named "${reference}". See \`lumen models list\`.`);
    }
    const { installed } = await this.list();
    const chosen = installed.find((model) => model.id === DEFAULT_MODEL_ID) ?? (installed.length === 1 ? installed[0] : undefined);
    if (chosen) return chosen.dir;
    if (installed.length === 0) {
      throw new UserError('model-missing', `No model is installed. Run \`lumen models download ${DEFAULT_MODEL_ID}\`, or pass --model DIR.`);
    }
    throw new ModelChoiceNeeded(`Several models are installed (${installed.map((m) => m.id).join(', ')}); choose one with --model.`);
  }

  /**
   * Makes the models folder, or says why models cannot be added to it: a read-only data folder
   * (searched from read-only media) keeps its models, and a download or import into it failed
   * only at its first write, as an "unexpected error" naming the system's EROFS; an import after
   * the model's minutes of loading and checking.
   */
  private async writableRoot(): Promise<void> {
    let made = true;
    try {
      await mkdir(this.root, { recursive: true });
    } catch (error) {
      // On read-only media, making a folder there fails as ENOENT as often as EROFS.
      if (!isUnwritable(error) && codeOf(error) !== 'ENOENT') throw error;
      made = false;
    }
    if (!made || !canWrite(this.root)) {
      throw new UserError('read-only', `The models folder ${this.root} cannot be written (read-only media, or no permission), so no model can be added there. ${WRITABLE_DATA_ADVICE}`);
    }
  }

  async download(id: string, options: { signal?: AbortSignal; onProgress?: (p: DownloadProgress) => void; endpoint?: string } = {}): Promise<string> {
    const entry = findCatalogueEntry(id);
    if (!entry) throw new UserError('bad-input', `"${id}" is not in the catalogue. See \`lumen models list\` for the models you can download.`);
    const destination = path.join(this.root, entry.id);
    if (await stat(destination).catch(() => null)) throw new UserError('bad-input', `Model ${entry.id} is already installed at ${destination}.`);
    await this.writableRoot();
    await downloadModel({
      repo: entry.repo,
      include: (file) => isModelFile(entry.layout, file),
      limits: downloadLimits(entry),
      destination,
      endpoint: options.endpoint,
      signal: options.signal,
      onProgress: options.onProgress,
    });
    return destination;
  }

  /** Checks that `source` is a working model folder, then copies it into the store. */
  async import(source: string, id = path.basename(path.resolve(source))): Promise<string> {
    // Checked before the model's minutes of loading: a name must be one folder the list shows.
    if (!MODEL_NAME.test(id) || id.trim() !== id) {
      throw new UserError('bad-input', `"${id}" cannot name a model: a name is one folder name of at most 100 characters, not starting with "." and without / \\ < > : " | ? *. Give it another name, or rename its folder.`);
    }
    const reserved = catalogueEntryNamed(id);
    if (reserved && !(await looksLikeCatalogueModel(source, reserved))) throw new ModelNameReserved(id, reserved);
    await this.writableRoot();
    const destination = path.join(this.root, id);
    // Before the model's minutes of loading too; checked again as it is put in place.
    if (await stat(destination).catch(() => null)) throw new ModelNameTaken(id, destination);
    const model = await ClipModel.load(source, { provider: 'cpu' });
    try {
      await model.embedText('a photo');
      await model.providers();
    } finally {
      await model.dispose();
    }
    if (await stat(destination).catch(() => null)) throw new ModelNameTaken(id, destination);
    const staging = await mkdtemp(path.join(this.root, `.import-${id}-`));
    // The folder named may be a link, and its files links (a Hugging Face cache's snapshot links
    // each file to its blob): the store keeps copies of what they lead to, so that the model still
    // loads once the folder it came from is gone.
    const from = await realpath(source);
    try {
      // Hidden files (editor backups, .DS_Store, a partial download) are not part of the model.
      await cp(from, staging, { recursive: true, dereference: true, filter: (file) => file === from || !path.basename(file).startsWith('.') });
      await rename(staging, destination);
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      throw error;
    }
    return destination;
  }

  /**
   * Deletes the installed (or broken) model `id`'s folder, unless the library works with it now
   * (Note [Removing a model]). `letGo` runs once the folder is out of the list, before its files
   * are deleted: what was loaded from it goes there.
   */
  async remove(id: string, inUse: ModelsInUse, letGo: (dir: string) => Promise<void> = async () => {}): Promise<RemovedModel> {
    const dir = path.resolve(this.root, id);
    const noSuchModel = () => new UserError('not-found', `No installed model is called "${id}": nothing was removed.`);
    const { installed, broken } = await this.list();
    const usable = installed.some((model) => model.id === id);
    // Only a name the list gives: never a path, nor a folder outside the store.
    if (!usable && !broken.some((model) => model.id === id)) {
      // One still downloading is no model yet (Note [Never a half model] in download.ts).
      if (MODEL_NAME.test(id) && (await downloadHolder(stagingFolder(dir))) !== null) {
        throw new UserError('bad-input', `${id} is still downloading, so it is not installed yet: cancel its download instead.`);
      }
      throw noSuchModel();
    }
    // A broken one serves nothing, chosen or not: removing it is the way to a working one.
    if (usable && (await this.isModel(inUse.indexing, id))) {
      throw new UserError('bad-input', `${id} is the model Lumen uses now, so it cannot be removed: choose another model first, then remove it.`);
    }
    if (usable && inUse.searching !== null && (await this.isModel(inUse.searching, id))) {
      throw new UserError('bad-input', `The library is searched with ${id} until the model chosen now has indexed every photo: remove it once that indexing is done.`);
    }
    if (!canWrite(this.root)) {
      throw new UserError('read-only', `The models folder ${this.root} cannot be written (read-only media, or no permission), so ${id} cannot be removed from it.`);
    }
    const bytes = await storeFolderBytes(dir);
    if (bytes === null) throw noSuchModel();
    // Out of the list in one step: renamed aside, or a link unlinked (the folder it leads to is not the store's).
    const isLink = (await lstat(dir).catch(() => null))?.isSymbolicLink() ?? false;
    const aside = path.join(this.root, `.removing-${id}-${process.pid}-${Date.now()}`);
    await (isLink ? unlink(dir) : rename(dir, aside)).catch((error: unknown) => {
      // Removed meanwhile (from another window).
      throw codeOf(error) === 'ENOENT' ? noSuchModel() : error;
    });
    await letGo(dir);
    if (!isLink) {
      await rm(aside, { recursive: true, force: true, maxRetries: 3 }).catch((error: unknown) => {
        throw new UserError('busy', `${id} is removed, but some of its files could not be deleted (another program may hold them open): delete the folder ${aside} to free their space.`, { cause: error });
      });
    }
    return { id, dir, bytes };
  }

  /**
   * Whether `reference` (undefined: the model used where none is chosen) names the store's model
   * `id`: as its name, or as a path to its folder. Taken against the store, never the current
   * folder, where `resolve` looks for a name first: run beside a folder of the model's name, a
   * removal took the model in use for that folder, and deleted it.
   */
  private async isModel(reference: string | undefined, id: string): Promise<boolean> {
    const dir = path.resolve(this.root, id);
    if (reference === undefined) return (await this.defaultDir()) === dir;
    if (reference === id) return true;
    const [named, own] = await Promise.all([realpath(path.resolve(this.root, reference)).catch(() => null), realpath(dir).catch(() => null)]);
    return named !== null && named === own;
  }

  /** The folder of the model used where none is chosen, or null where there is none. */
  private defaultDir(): Promise<string | null> {
    return this.resolve().then(
      (dir) => path.resolve(dir),
      (error: unknown) => {
        if (isUserError(error)) return null;
        throw error;
      },
    );
  }
}
