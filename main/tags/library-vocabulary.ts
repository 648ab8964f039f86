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
 */
import { writeFile } from 'node:fs/promises';
import { UserError, codeOf, messageOf } from '../core/errors.js';
import type { TagRename, TagStore } from '../storage/tag-store.js';
import { findTag, formatVocabulary, loadDefaultVocabulary, parseVocabulary, readVocabularyFile, type Vocabulary } from './vocabulary.js';

export class LibraryVocabulary {
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
   */
  async save(vocabulary: unknown, renames: readonly TagRename[] = []): Promise<Vocabulary> {
    const checked = parseVocabulary(vocabulary);
    this.store.saveVocabularyJson(JSON.stringify(checked), checkedRenames(checked, renames));
    return checked;
  }

  /** Puts a copy of the default vocabulary back. */
  async reset(): Promise<Vocabulary> {
    return this.save(await loadDefaultVocabulary(this.resourcesDir));
  }

  async import(file: string): Promise<Vocabulary> {
    return this.save(await readVocabularyFile(file));
  }

  async export(file: string): Promise<void> {
    const text = formatVocabulary(await this.get());
    try {
      await writeFile(file, text);
    } catch (error) {
      const why = EXPORT_PROBLEMS[codeOf(error) ?? ''];
      if (why) throw new UserError('bad-input', `Cannot write the vocabulary to ${file}: ${why}.`, { cause: error });
      throw error;
    }
  }
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

/** What a file the person named cannot be written for (a full disk is said as everywhere else). */
const EXPORT_PROBLEMS: Record<string, string> = {
  ENOENT: 'its folder does not exist',
  ENOTDIR: 'its folder does not exist',
  EISDIR: 'it is a folder; name a file',
  EACCES: 'permission denied; choose another folder',
  EPERM: 'permission denied; choose another folder',
  EROFS: 'it is on a read-only disk; choose another folder',
}
