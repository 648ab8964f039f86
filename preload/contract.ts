/**
 * The one contract between the renderer and the app: every call the renderer may make, with the
 * schema its parameters are validated against in the main process, the type of its result, and
 * the events the app pushes.
 *
 * Note [No paths from the renderer]: no call takes a file-system path. Folders and model folders
 * are chosen in the main process's native dialogs; photos are named by opaque ids.
 */
import { z } from 'zod';

export const callSchemas = {
  'app.status': z.object({}),
  'models.list': z.object({}),
  'models.download': z.object({ id: z.string().min(1).max(200) }),
  'models.cancelDownload': z.object({ id: z.string().min(1).max(200) }),
  /** Opens a folder picker in the main process, then checks and installs the chosen folder. */
  'models.importFromDialog': z.object({}),
  'settings.update': z.object({ model: z.string().min(1).max(500).nullable().optional(), provider: z.string().min(1).max(20).optional() }),
} as const;

export type CallName = keyof typeof callSchemas;
export type CallParams<N extends CallName> = z.input<(typeof callSchemas)[N]>;

export interface CatalogueModel {
  id: string;
  name: string;
  repo: string;
  layout: 'immich' | 'hf';
  approxBytes: number;
  quality: string;
  languages: string;
  licence: string;
  dynamicBatch: boolean;
  installed: boolean;
}

export interface InstalledModelInfo {
  id: string;
  dir: string;
  dim: number;
  layout: 'immich' | 'hf';
}

export interface ModelsListing {
  installed: InstalledModelInfo[];
  broken: Array<{ id: string; dir: string; reason: string }>;
  catalogue: CatalogueModel[];
  downloading: string[];
}

export interface SettingsInfo {
  model: string | null;
  provider: string;
}

export interface AppStatus {
  dataDir: string;
  settings: SettingsInfo;
  /** The model in use, or null with `modelProblem` saying why (none installed, broken...). */
  model: { id: string; dim: number; layout: 'immich' | 'hf'; providers: { image: string; text: string } } | null;
  modelProblem: string | null;
  availableProviders: string[];
  providerChoices: string[];
}

export interface CallResults {
  'app.status': AppStatus;
  'models.list': ModelsListing;
  'models.download': { dir: string };
  'models.cancelDownload': { cancelled: boolean };
  'models.importFromDialog': { id: string; dir: string } | null;
  'settings.update': SettingsInfo;
}

export interface DownloadProgressInfo {
  file: string;
  /** 0-based index of `file` among the `fileCount` files being downloaded. */
  fileIndex: number;
  fileCount: number;
  /** Bytes done / total over all files. */
  bytesDone: number;
  bytesTotal: number;
  /** Network rate, moving average over the last few seconds. */
  bytesPerSecond: number;
  etaSeconds: number | null;
}

export type AppEvent =
  | { type: 'download-progress'; id: string; progress: DownloadProgressInfo }
  | { type: 'download-finished'; id: string; error: string | null };

/** A failed call, as the renderer sees it: a message a person can act on. */
export interface CallError {
  code: string;
  message: string;
}

export type CallOutcome<N extends CallName> = { ok: true; value: CallResults[N] } | { ok: false; error: CallError };

/** What preload exposes on `window.lumen`. */
export interface LumenApi {
  call<N extends CallName>(name: N, params: CallParams<N>): Promise<CallOutcome<N>>;
  /** Subscribes to app events; returns the unsubscribe function. */
  onEvent(listener: (event: AppEvent) => void): () => void;
}

export const IPC_CALL = 'lumen:call';
export const IPC_EVENT = 'lumen:event';
