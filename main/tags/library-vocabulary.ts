/**
 * The library's own tag vocabulary: the default one until the person changes it, then theirs,
 * saved in the library database (and backed up with it).
 *
 * Note [Renamed tags]: verdicts are stored by tag name, and a vocabulary alone cannot tell a
 * renamed tag from one removed and another added. So the template editor, which knows each
 * draft tag's saved name, says its renames with the vocabulary it saves; they are checked here
 * (each onto a tag of the new vocabulary, spelled as it spells it; no name renamed twice or
 * renamed onto twice) and the renamed tags' rows move in the transaction that saves it (Note
 * [Moving renamed tags] in main/storage/tag-store.ts). The tagging run that follows then finds
 * the person's verdicts under the new name. A vocabulary file carries no renames.
 *
 * Note [Tags back to their names]: a vocabulary put in place of the person's (the built-in one at
 * a reset, or an imported file) says no renames, so a renamed tag's verdicts would stay under a
 * name it may lack, while the name the tag had comes back without them and the tagger gives it
 * to the photos the person rejected it on. So the library keeps with its vocabulary each renamed
 * tag's first name (through renames in a row; forgotten once the tag is deleted or has that name
 * again), and such a vocabulary moves a tag it lacks back to its first name when it has that
 * name, as a rename would. Not when another tag of the library is called so now, or another
 * renamed tag came from that name too: which of them it brings back cannot be told, and their
 * verdicts stay where they are, as those of a tag it lacks that came from none of its names do.
 */
import type { Stats } from 'node:fs';
import { open, realpath, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError, codeOf, isDiskFull, messageOf } from '../core/errors.js';
import { InTurn } from '../core/in-turn.js';
import { isInside } from '../core/paths.js';
import { writeFileAtomic } from '../core/temporary-files.js';
import type { TagRename, TagStore } from '../storage/tag-store.js';
import { findTag, formatVocabulary, loadDefaultVocabulary, parseVocabulary, readVocabularyFile, type Vocabulary } from './vocabulary.js';

export class LibraryVocabulary {
  /** Saves and replacements one after another: each checks what the one before saved (Note [Saved over a change]). */
  private readonly changes = new InTurn();

  constructor(
    private readonly store: TagStore,
    /** Folder holding `vocabulary/default.json` (the packaged app passes `process.resourcesPath`). */
    private readonly resourcesDir?: string,
  ) {}

  /** The person's vocabulary, or the default one until they change it. */
  async get(): Promise<Vocabulary> {
    const json = this.store.vocabularyJson();
    if (!json) return loadDefaultVocabulary(this.resourcesDir);
    try {
      return parseVocabulary(JSON.parse(json), 'The saved vocabulary');
    } catch (error) {
      throw new UserError('bad-input', `The library's saved tag vocabulary cannot be read (${messageOf(error)}). Import a vocabulary file or reset it to the default.`, { cause: error });
    }
  }

  /** Whether the person has a vocabulary of their own (else the built-in one is in use). */
  isCustom(): boolean {
    return this.store.vocabularyJson() !== undefined;
  }

  /**
   * Validates and saves a vocabulary (in the file format), with the tags renamed in it (Note
   * [Renamed tags]); the next run re-tags what changed.
   *
   * Note [Saved over a change]: the template editor's draft is an edit of the vocabulary saved
   * when it began. Saved after another window, or `lumen vocabulary --import`, changed it, the
   * draft silently undid that change. So the editor says what it began from (`basedOn`), and a
   * save over a vocabulary saved since is refused; the editor then shows what is saved now, its
   * changes kept aside to bring back over it (Note [Drafts kept] in the renderer's editor).
   */
  save(vocabulary: unknown, renames: readonly TagRename[] = [], basedOn?: unknown): Promise<Vocabulary> {
    return this.changes.run(async () => {
      const checked = parseVocabulary(vocabulary);
      if (basedOn !== undefined && formatVocabulary(parseVocabulary(basedOn, 'The vocabulary the edit began from')) !== formatVocabulary(await this.get())) {
        throw new UserError('bad-input', 'The templates were changed elsewhere (in another window, or from the command line) since you began editing, so saving would undo that change. Nothing was saved.');
      }
      return this.write(checked, checkedRenames(checked, renames));
    });
  }

  /** Puts a copy of the default vocabulary back (Note [Tags back to their names]). */
  async reset(): Promise<Vocabulary> {
    return this.replace(await loadDefaultVocabulary(this.resourcesDir));
  }

  async import(file: string): Promise<Vocabulary> {
    return this.replace(await readVocabularyFile(file));
  }

  /** Puts a vocabulary from elsewhere in place of the person's, renamed tags back at their first names (Note [Tags back to their names]). */
  replace(vocabulary: unknown): Promise<Vocabulary> {
    return this.changes.run(async () => {
      const checked = parseVocabulary(vocabulary);
      const names = await this.savedNames();
      return this.write(checked, names ? backToFirstNames(this.store.tagOrigins(), names, checked) : []);
    });
  }

  private write(vocabulary: Vocabulary, renames: TagRename[]): Vocabulary {
    this.store.saveVocabularyJson(JSON.stringify(vocabulary), renames, originsAfter(this.store.tagOrigins(), renames, vocabulary));
    return vocabulary;
  }

  /** The saved tags' names, or null when the saved vocabulary cannot be read (which replacing it mends): no tag is known to move. */
  private async savedNames(): Promise<string[] | null> {
    try {
      return (await this.get()).tags.map((tag) => tag.name);
    } catch {
      return null;
    }
  }

  /**
   * Writes the vocabulary to `file`, whole or not at all (Note [An export kept whole]), and never
   * over what is not an earlier export, nor into the library's data folder `dataDir` (Note [An
   * export replaces only an export]).
   */
  async export(file: string, dataDir: string): Promise<void> {
    const text = formatVocabulary(await this.get());
    const found = await stat(file).catch(() => null);
    try {
      // In the try: a file there that cannot even be read is said as one that cannot be written.
      await refuseToReplace(file, found, dataDir);
      await writeWhole(file, text, found);
    } catch (error) {
      if (isDiskFull(error)) {
        // Not the library's "everything stored before is kept": what a person asks of an export is their file.
        const left = found?.isFile() ? '; the file there is as it was' : found ? '' : '; no file was made';
        throw new UserError('disk-full', `The disk is full (${messageOf(error)}): the vocabulary was not written to ${file}${left}. Free some space and try again.`, { cause: error });
      }
      const why = EXPORT_PROBLEMS[codeOf(error) ?? ''];
      if (why) throw new UserError('bad-input', `Cannot write the vocabulary to ${file}: ${why}.`, { cause: error });
      throw error;
    }
  }
}

/**
 * Note [An export replaces only an export]: `--export FILE` wrote over whatever FILE was, with
 * exit 0: an original photo became JSON (Lumen only ever reads originals), and the library's own
 * database, named by mistake, left the library damaged. So an export goes nowhere in the data
 * folder (a link into it counts as in it), and replaces only a file that is a vocabulary Lumen
 * can read (an earlier export, to bring up to date) or an empty one; anything else is refused
 * before a byte is written. A device (`/dev/null`) holds nothing to lose and is written as before.
 */
async function refuseToReplace(file: string, found: Stats | null, dataDir: string): Promise<void> {
  const target = found ? await realpath(file) : path.join(await realpath(path.dirname(file)).catch(() => path.resolve(path.dirname(file))), path.basename(file));
  const data = await realpath(dataDir).catch(() => path.resolve(dataDir));
  if (isInside(target, data)) {
    throw new UserError('bad-input', `Cannot write the vocabulary to ${file}: it is in Lumen's data folder (${dataDir}), which holds the library. Name a file outside it.`);
  }
  if (!found?.isFile() || found.size === 0) return;
  if (!(await isVocabularyFile(file))) {
    throw new UserError('bad-input', `Cannot write the vocabulary to ${file}: a file is there that is not a vocabulary, and an export replaces only an earlier one. Nothing was written; name a new file.`);
  }
}

/** Whether `file` is a vocabulary Lumen can read; a file that does not begin as JSON's object does (a photo, a database) is not read whole. */
async function isVocabularyFile(file: string): Promise<boolean> {
  const start = Buffer.alloc(64);
  const handle = await open(file, 'r');
  try {
    const { bytesRead } = await handle.read(start, 0, start.length, 0);
    if (!start.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '').trimStart().startsWith('{')) return false;
  } finally {
    await handle.close();
  }
  return readVocabularyFile(file).then(
    () => true,
    () => false,
  );
}

/**
 * Note [An export kept whole]: an export replaces the person's file whole, through a temporary
 * file renamed over it (writeFileAtomic): written in place, a full disk cut it to what fitted and
 * the file they had was gone. A link is followed, so that the file it leads to gets the export
 * and the link stays; a device or a pipe (`/dev/stdout`) holds nothing to keep and is written as
 * it is. writeFileAtomic would make a missing folder: a folder named wrong is said instead.
 */
async function writeWhole(file: string, text: string, found: Stats | null): Promise<void> {
  if (found && !found.isFile()) return writeFile(file, text);
  if (found) return writeFileAtomic(await realpath(file), text);
  // stat says ENOENT or ENOTDIR for a folder that is not there.
  if (!(await stat(path.dirname(file))).isDirectory()) throw Object.assign(new Error(`ENOTDIR: ${path.dirname(file)} is not a folder`), { code: 'ENOTDIR' });
  return writeFileAtomic(file, text);
}

/** The renames that change a name, each onto its tag's spelling in `vocabulary` (Note [Renamed tags]). */
function checkedRenames(vocabulary: Vocabulary, renames: readonly TagRename[]): TagRename[] {
  const from = new Set<string>();
  const to = new Set<string>();
  return renames.flatMap((rename) => {
    const tag = findTag(vocabulary, rename.to);
    if (!tag) throw new UserError('bad-input', `Cannot rename the tag "${rename.from}" to "${rename.to}": the vocabulary has no tag "${rename.to}".`);
    if (from.has(rename.from)) throw new UserError('bad-input', `The tag "${rename.from}" is renamed twice.`);
    if (to.has(tag.name)) throw new UserError('bad-input', `Two tags are renamed to "${tag.name}".`);
    from.add(rename.from);
    to.add(tag.name);
    return rename.from === tag.name ? [] : [{ from: rename.from, to: tag.name }];
  });
}

/** Each tag of `vocabulary` renamed since its first name, by its name after `renames` (Note [Tags back to their names]). */
function originsAfter(origins: ReadonlyMap<string, string>, renames: readonly TagRename[], vocabulary: Vocabulary): Map<string, string> {
  const renamedTo = new Map(renames.map(({ from, to }) => [to, origins.get(from) ?? from]));
  const renamedFrom = new Set(renames.map(({ from }) => from));
  const out = new Map<string, string>();
  for (const { name } of vocabulary.tags) {
    // A name a tag was renamed away from, still in the vocabulary, is another tag's now.
    const origin = renamedTo.get(name) ?? (renamedFrom.has(name) ? undefined : origins.get(name));
    if (origin !== undefined && origin !== name) out.set(name, origin);
  }
  return out;
}

/** The renames that put each renamed tag that `vocabulary` lacks back at its first name, where it has that name free (Note [Tags back to their names]). */
function backToFirstNames(origins: ReadonlyMap<string, string>, names: readonly string[], vocabulary: Vocabulary): TagRename[] {
  const taken = new Set(names.map((name) => name.toLowerCase()));
  const claims = new Map<string, number>();
  for (const origin of origins.values()) claims.set(origin.toLowerCase(), (claims.get(origin.toLowerCase()) ?? 0) + 1);
  return [...origins].flatMap(([from, origin]) => {
    const back = findTag(vocabulary, origin);
    // One whose tag the saved vocabulary lacks is stale: an earlier Lumen, keeping no first names, saved it since.
    if (!back || !taken.has(from.toLowerCase()) || findTag(vocabulary, from) || taken.has(origin.toLowerCase()) || claims.get(origin.toLowerCase()) !== 1) return [];
    return [{ from, to: back.name }];
  });
}

/** What a file the person named cannot be written for (a full disk is said apart, with what became of the file). */
const EXPORT_PROBLEMS: Record<string, string> = {
  ENOENT: 'its folder does not exist',
  ENOTDIR: 'its folder does not exist',
  EISDIR: 'it is a folder; name a file',
  EACCES: 'permission denied; choose another folder',
  EPERM: 'permission denied; choose another folder',
  EROFS: 'it is on a read-only disk; choose another folder',
}
