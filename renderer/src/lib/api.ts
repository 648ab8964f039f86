/**
 * The renderer's only way out: `window.lumen`, exposed by the preload (see preload/contract.ts).
 * Only types are imported from the contract, so zod never reaches the renderer bundle.
 */
import type { AppEvent, CallName, CallOutcome, CallParams, LumenApi } from '../../../preload/contract.js';
import { isPreviewPage, previewApi } from './preview-api.js';

export type { AppEvent, CallName, CallOutcome, CallParams, LumenApi };
export type {
  EngineStatus,
  IndexProgressInfo,
  OcrProgressInfo,
  AlbumInfo,
  AlbumName,
  EvaluationInfo,
  LabelledReportInfo,
  PhotoTagsInfo,
  RefinementInfo,
  TagInfo,
  TagPreviewInfo,
  VocabularyInfo,
  XmpExportInfo,
  ModelProblem,
  PhotoDetails,
  PhotoInfo,
  PhotoTextInfo,
  TextLineInfo,
  TextStatusInfo,
  SearchHitInfo,
  SearchPageInfo,
  Timeline,
  LibraryTimeline,
  FolderChoice,
  CameraChoice,
  FolderInfo,
  FailureInfo,
  JobInfo,
  CatalogueModel,
  DownloadProgressInfo,
  InstalledModelInfo,
  ModelsListing,
  SettingsInfo,
  DuplicateGroupInfo,
  DuplicatePhotoInfo,
  DuplicatesInfo,
  DuplicateTrashInfo,
} from '../../../preload/contract.js';

declare global {
  interface Window {
    readonly lumen?: LumenApi;
  }
}

/** Stands in when the page runs outside the app (a plain browser): every call says so. */
const missingApi: LumenApi = {
  call: async () => ({
    ok: false,
    error: { code: 'unavailable', message: 'Lumen’s engine is not reachable: open this page in the Lumen app.' },
  }),
  onEvent: () => () => {},
  photoUrl: () => '',
};

export function getLumenApi(): LumenApi {
  return window.lumen ?? (isPreviewPage() ? previewApi() : missingApi);
}
