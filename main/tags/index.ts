/**
 * Tagging: the public surface for the app and the CLI.
 *
 * `TagService` over an open library (vocabulary, tagging runs, a person's verdicts, albums, XMP
 * export, evaluation on labelled tags); `evaluateZeroShot` and `evaluateRetrieval` for measuring
 * a model and vocabulary on labelled photos; `TagRefinements` for tags refined from a person's
 * verdicts (Note [Refined tags]); `benchmarkRescoring` for `npm run bench`.
 */
export { TagService } from './service.js';
export type {
  AlbumOptions,
  AlbumSummary,
  AlbumTag,
  LabelledReport,
  PhotoTag,
  PhotoTags,
  TagCount,
  TagProgress,
  TagServiceOptions,
  TagSummary,
  XmpExportOptions,
  XmpExportSummary,
} from './service.js';
export { evaluateRetrieval, evaluateZeroShot } from './evaluate.js';
export { embedEnsembles, scoreWithModel } from './score-images.js';
export type { RetrievalEvaluation, ZeroShotEvaluation } from './evaluate.js';
export { TagRefinements } from './refinements.js';
export type { RefinedVector, RefinementContext, RefinementReport, RefinementStatus, TagForRefinement } from './refinements.js';
export { benchmarkRescoring } from './benchmark.js';
export type { RescoreBenchOptions, RescoreBenchReport } from './benchmark.js';
export { DEFAULT_THRESHOLD, defaultVocabularyFile, loadDefaultVocabulary, parseVocabulary, readVocabularyFile, validateTemplate } from './vocabulary.js';
export type { TagDefinition, Vocabulary } from './vocabulary.js';
export { SIDECAR_STYLES } from './xmp.js';
export type { SidecarStyle } from './xmp.js';
