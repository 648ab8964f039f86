/**
 * Tagging: the public surface for the engine.
 *
 * A `Tags` over an open library bundles its vocabulary, the tagger (runs and decisions), a
 * person's verdicts, albums, XMP export and evaluation on labelled tags; `evaluateZeroShot` and
 * `evaluateRetrieval` measure a model and vocabulary on labelled photos without a library.
 */
import type { Library } from '../library/library.js';
import type { ClipModel } from '../models/clip.js';
import type { TagRename } from '../storage/tag-store.js';
import { addToAlbum, albumPhotos, deleteAlbum, folderAlbums, removeFromAlbum, renameAlbum, saveAlbum, savedAlbumNames, savedAlbums, summariseSelection, type AlbumOptions } from './albums.js';
import { evaluateLabelled } from './evaluate-labelled.js';
import { LibraryVocabulary } from './library-vocabulary.js';
import { TagPreviewer } from './preview.js';
import { TagRefinements } from './refinements.js';
import { Tagger } from './tagger.js';
import { Verdicts } from './verdicts.js';
import type { Vocabulary } from './vocabulary.js';
import { exportXmp, type XmpExportOptions } from './xmp-export.js';

export class Tags {
  readonly vocabulary: LibraryVocabulary;
  readonly tagger: Tagger;
  readonly verdicts: Verdicts;
  readonly refinements: TagRefinements;
  readonly previewer: TagPreviewer;

  constructor(
    private readonly library: Library,
    model: () => Promise<ClipModel>,
    resourcesDir?: string,
  ) {
    this.vocabulary = new LibraryVocabulary(library.storage.tags, resourcesDir);
    this.refinements = new TagRefinements(library.storage.refinements, library.storage.embeddings);
    this.tagger = new Tagger(library.storage, this.vocabulary, this.refinements, model);
    this.previewer = new TagPreviewer(library.storage, this.tagger);
    this.verdicts = new Verdicts(library, this.vocabulary, this.tagger);
  }

  /** Every folder of photos, then the albums saved from selections. */
  albums(options?: AlbumOptions) {
    return [...folderAlbums(this.library.storage, options), ...savedAlbums(this.library.storage, options)];
  }

  /** The saved albums' ids and names, without summarising any (for a list to pick one from). */
  savedAlbumNames() {
    return savedAlbumNames(this.library.storage);
  }

  albumPhotos(id: string): number[] {
    return albumPhotos(this.library.storage, id);
  }

  saveAlbum(name: string, photoIds: readonly number[]) {
    return saveAlbum(this.library.storage, name, photoIds);
  }

  renameAlbum(id: string, name: string) {
    return renameAlbum(this.library.storage, id, name);
  }

  addToAlbum(id: string, photoIds: readonly number[]) {
    return addToAlbum(this.library.storage, id, photoIds);
  }

  removeFromAlbum(id: string, photoIds: readonly number[]) {
    return removeFromAlbum(this.library.storage, id, photoIds);
  }

  deleteAlbum(id: string): void {
    deleteAlbum(this.library.storage, id);
  }

  summarise(photoIds: readonly number[], options?: AlbumOptions) {
    return summariseSelection(this.library.storage, photoIds, options);
  }

  exportXmp(options?: XmpExportOptions) {
    return exportXmp(this.library.storage, options);
  }

  /**
   * The library's vocabulary (or `vocabulary`, e.g. an edit not saved yet, with the tags it
   * renames: Note [Verdicts under new names]) on the person's verdicts.
   */
  async evaluateLabelled(vocabulary?: Vocabulary, signal?: AbortSignal, renames: readonly TagRename[] = []) {
    return evaluateLabelled(this.library.storage, this.tagger, vocabulary ?? (await this.vocabulary.get()), signal, renames);
  }
}

export type { AlbumOptions, AlbumSummary, AlbumTag } from './albums.js';
export type { LabelledReport, LabelledTagReport } from './evaluate-labelled.js';
export type { TagProgress, TagSummary } from './tagger.js';
export type { PhotoTag, PhotoTags, TagCount, Verdict, VerdictsHeld } from './verdicts.js';
export type { XmpExportOptions, XmpExportSummary } from './xmp-export.js';
export { evaluateRetrieval, evaluateZeroShot } from './evaluate.js';
export type { RetrievalEvaluation, ZeroShotEvaluation } from './evaluate.js';
export { scoreWithModel } from './score-images.js';
export { loadDefaultVocabulary, parseVocabulary, readVocabularyFile, withTemplates } from './vocabulary.js';
export type { RefinedVector, RefinementContext, RefinementReport, RefinementStatus, TagForRefinement } from './refinements.js';
export type { TagDefinition, Vocabulary } from './vocabulary.js';
export { SIDECAR_STYLES } from './xmp.js';
export type { SidecarStyle } from './xmp.js';
