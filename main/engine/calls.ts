/**
 * The engine's call table: what the engine process answers, for the main process (which passes
 * most renderer calls through unchanged) and for preview mode. The renderer's calls and their
 * schemas come from the contract; the few calls only the main process makes (with a path a
 * native dialog chose, or to serve a photo's file) are added here. Only a type import of Engine:
 * tests and the main process load this without onnxruntime.
 */
import { z } from 'zod';
import { MAX_SELECTED, callSchemas, type CallName, type CallResults, type JobInfo } from '../../preload/contract.js';
import { MAX_EXCLUSION_CHARS, MAX_EXCLUSIONS, MAX_FOLDERS_ADDED } from '../../preload/limits.js';
import type { TrashSelection } from '../duplicates/trash.js';
import type { AnyJob } from '../jobs/registry.js';
import type { Engine } from './engine.js';
import { UserError } from '../core/errors.js';
import { formatVocabulary, parseVocabulary, type Vocabulary } from '../tags/vocabulary.js';
import { cameraChoices, duplicatesInfo, folderChoices, formatChoices, lastDuplicatesInfo, pageInfo, photoDetails, photoInfo, timeline } from './photo-info.js';
import { NO_PHOTOS, photoTagsInfo, previewInfo, refinementInfo, tagList, tagListWithoutPhotos, timelineOf } from './tag-info.js';

/**
 * A vocabulary file the person imports in the app, checked and its problems said in the app's
 * words (Note [Problems in words] in tags/vocabulary.ts): the parser's own text is no help to
 * them, only the line where it stopped, when it says where and the file has lines.
 */
function importedVocabulary(text: string): Vocabulary {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const position = /at position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
    // A file of one line has nothing to find by its line.
    const line = position === undefined || !text.trimEnd().includes('\n') ? '' : ` (see line ${text.slice(0, Number(position)).split('\n').length})`;
    throw new UserError('bad-input', `That file is not a vocabulary exported from Lumen: it is not valid JSON${line}.`);
  }
  return parseVocabulary(raw, 'That file', 'words');
}

/** Renderer calls the main process answers itself (dialogs, the system shell). */
export const MAIN_PROCESS_CALLS = ['models.importFromDialog', 'library.addFromDialog', 'photos.reveal', 'photos.open', 'duplicates.trash'] as const satisfies readonly CallName[];
type MainProcessCall = (typeof MAIN_PROCESS_CALLS)[number];
export type ForwardedCall = Exclude<CallName, MainProcessCall>;

export const FORWARDED_CALLS = (Object.keys(callSchemas) as CallName[]).filter((name): name is ForwardedCall => !(MAIN_PROCESS_CALLS as readonly string[]).includes(name));

const forwarded = Object.fromEntries(FORWARDED_CALLS.map((name) => [name, callSchemas[name]])) as {
  [N in ForwardedCall]: (typeof callSchemas)[N];
};

const localPath = z.string().min(1).max(4096);

export const engineCallSchemas = {
  ...forwarded,
  'models.import': z.object({ dir: localPath }).strict(),
  'library.addFolders': z.object({ paths: z.array(localPath).min(1).max(MAX_FOLDERS_ADDED), excludes: z.array(z.string().min(1).max(MAX_EXCLUSION_CHARS)).max(MAX_EXCLUSIONS).optional() }).strict(),
  /** The file to serve for a photo URL, or to reveal or open; `remake` where the one served was gone or damaged (Note [Thumbnails made again]). */
  'photos.file': z.object({ id: z.number().int().positive(), kind: z.enum(['thumbnail', 'preview', 'original']), remake: z.literal(true).optional() }).strict(),
  /** The files of copies to move to the trash, with their groups (Note [Copies named by id]). */
  'duplicates.selection': callSchemas['duplicates.trash'],
  /** The copies of that selection moved to the trash (none, when all stayed): Note [What a moved copy leaves]. */
  'duplicates.moved': z.object({ paths: z.array(localPath).max(MAX_SELECTED), differing: z.array(localPath).max(MAX_SELECTED).default([]) }).strict(),
  dispose: z.object({}).strict(),
};

export type EngineCallName = keyof typeof engineCallSchemas;

export type EngineCallResults = Pick<CallResults, ForwardedCall> & {
  'models.import': { id: string; dir: string };
  'library.addFolders': CallResults['library.addFromDialog'];
  'photos.file': { path: string };
  'duplicates.selection': TrashSelection;
  'duplicates.moved': null;
  dispose: null;
};

export type EngineParams<N extends EngineCallName> = z.output<(typeof engineCallSchemas)[N]>;
export type EngineHandlers = { [N in EngineCallName]: (params: EngineParams<N>) => Promise<EngineCallResults[N]> };

function jobInfo(engine: Engine, job: AnyJob): JobInfo {
  return engine.jobs.list().find((entry) => entry.id === job.id) as JobInfo;
}

/**
 * Note [Before a library]: the app's pages open before a folder is added (Note [Lazy start] in
 * engine.ts), and what they read is answered as a library without photos would answer it: no
 * photos, folders or albums, and the built-in vocabulary (its tags on no photo yet). So each page
 * shows its empty state and the templates to edit, not an error. What changes a library (saving a
 * vocabulary, tagging, verdicts, albums) still needs one and says so (Note [No library yet]):
 * made for it, a library would hold no folder, and nothing to tag.
 */
export function engineHandlers(engine: Engine): EngineHandlers {
  const storage = () => engine.library().storage;
  /** What `read` reads of the library, or `none` before there is one (Note [Before a library]). */
  const ofLibrary = async <T>(read: () => T | Promise<T>, none: T): Promise<T> => (engine.hasLibrary() ? read() : none);
  return {
    'app.status': () => engine.status(),
    'models.list': () => engine.listModels(),
    'models.download': async ({ id }) => ({ dir: await engine.downloadModel(id).done }),
    'models.cancelDownload': async ({ id }) => engine.cancelDownload(id),
    'models.import': ({ dir }) => engine.importModel(dir),
    'models.remove': async ({ id }) => {
      const { bytes } = await engine.removeModel(id);
      return { id, bytes };
    },
    'settings.update': (change) => engine.updateSettings(change),
    'library.addFolders': async ({ paths, excludes }) => {
      const { folders, refused } = await engine.addFolders(paths, excludes ?? null);
      return { folders, refused };
    },
    'library.removeFolder': async ({ folderId }) => {
      await engine.removeFolder(folderId);
      return { removed: true };
    },
    'library.setExcludes': async ({ folderId, excludes }) => engine.setExcludes(folderId, excludes),
    'library.index': async ({ retryFailed }) => ({ jobId: engine.index({ retryFailed }).job.id }),
    'library.failures': async () => engine.failures(),
    'library.readText': async ({ all }) => ({ jobId: engine.readText({ all }).job.id }),
    'library.textStatus': async () => storage().ocr.counts(),
    'jobs.pause': async ({ jobId }) => {
      const job = engine.jobs.actedOnByPerson(jobId);
      job.pause();
      return jobInfo(engine, job);
    },
    'jobs.resume': async ({ jobId }) => {
      const job = engine.jobs.actedOnByPerson(jobId);
      job.resume();
      return jobInfo(engine, job);
    },
    'jobs.cancel': async ({ jobId }) => {
      const job = engine.jobs.actedOnByPerson(jobId);
      job.cancel();
      return jobInfo(engine, job);
    },
    'jobs.dismiss': async ({ jobId }) => ({ dismissed: engine.jobs.dismissFailure(jobId) }),
    'photos.timeline': ({ filters, first }) => ofLibrary(() => timeline(storage(), filters, first), { total: 0, ...NO_PHOTOS }),
    'photos.get': async ({ ids }) => storage().photos.rows(ids).map(photoInfo),
    'photos.details': async ({ id }) => photoDetails(storage(), id),
    'photos.folders': () => ofLibrary(() => folderChoices(engine.library().folders().map((folder) => folder.path), storage()), []),
    'photos.cameras': () => ofLibrary(() => cameraChoices(storage()), []),
    'photos.formats': () => ofLibrary(() => formatChoices(storage()), []),
    'photos.text': ({ id, read }) => engine.photoText(id, { read }),
    'photos.file': async ({ id, kind, remake }) => ({ path: await engine.photoFile(id, kind, { remake }) }),
    'search.query': async ({ query, options }) => pageInfo(await engine.search(query, options)),
    'search.count': async ({ query, options }) => {
      const { total, belowCutoff } = await engine.search(query, { ...options, count: true });
      return { total, belowCutoff };
    },
    'search.similar': async ({ photoId, options }) => pageInfo(await engine.similar(photoId, options)),
    'search.image': async ({ bytes, options }) => pageInfo(await engine.similar(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), options)),
    'tags.list': async () => (engine.hasLibrary() ? tagList(engine.tags(), storage()) : tagListWithoutPhotos(await engine.vocabulary())),
    'tags.photos': ({ tag }) => ofLibrary(() => timelineOf(storage(), storage().tags.photosOf(tag)), NO_PHOTOS),
    'tags.run': async ({ full }) => ({ jobId: engine.tagLibrary({ full }).job.id }),
    'tags.ofPhoto': async ({ id }) => photoTagsInfo(engine.tags().verdicts.tagsOf(id)),
    'tags.verdict': async ({ photoIds, tag, verdict }) => {
      const before = await engine.giveVerdict(photoIds, tag, verdict);
      const [only] = photoIds;
      return { given: photoIds.length, photo: photoIds.length === 1 && only !== undefined ? photoTagsInfo(engine.tags().verdicts.tagsOf(only)) : null, before };
    },
    'tags.setRefinement': async ({ tag, enabled }) => (await engine.setRefinement(tag, enabled)).map(refinementInfo),
    'vocabulary.get': async () => engine.vocabularyInfo(),
    'vocabulary.save': async ({ vocabulary, renames, basedOn }) => engine.saveVocabulary(vocabulary, renames, basedOn),
    'vocabulary.reset': async () => engine.saveVocabulary(null),
    'vocabulary.import': async ({ json }) => engine.importVocabulary(importedVocabulary(json)),
    'vocabulary.export': async () => ({ json: formatVocabulary(await engine.vocabulary()) }),
    'vocabulary.preview': async ({ vocabulary, tag, renames }) => previewInfo(storage(), await engine.previewTag(vocabulary, tag, renames)),
    'vocabulary.evaluate': async ({ vocabulary, renames }) => engine.evaluateVocabulary(vocabulary, renames),
    'albums.list': () => ofLibrary(() => engine.tags().albums(), []),
    'albums.names': () => ofLibrary(() => engine.tags().savedAlbumNames(), []),
    'albums.photos': async ({ id }) => timelineOf(storage(), engine.tags().albumPhotos(id)),
    // Note [Albums followed]: an album saved, renamed, changed or deleted in one window was shown as
    // it had been in the others (Rename and Delete offered for an album gone) until an action
    // there failed. Each change is said to every window (`albums-changed`), the one that made it
    // too, and their albums are read again; a change refused says nothing.
    'albums.save': async ({ name, photoIds }) => engine.changeAlbums((tags) => tags.saveAlbum(name, photoIds)),
    'albums.rename': async ({ id, name }) => engine.changeAlbums((tags) => tags.renameAlbum(id, name)),
    'albums.add': async ({ id, photoIds }) => engine.changeAlbums((tags) => tags.addToAlbum(id, photoIds)),
    'albums.remove': async ({ id, photoIds }) => engine.changeAlbums((tags) => tags.removeFromAlbum(id, photoIds)),
    'albums.delete': async ({ id }) => {
      engine.changeAlbums((tags) => tags.deleteAlbum(id));
      return { deleted: true };
    },
    // The window shows byte-identical copies as one photo: each copy's sidecar is written too.
    // A tag's page writes the photos it was rejected on as well, which takes its keyword out of
    // their sidecars (Note [Sidecar merge] in tags/xmp.ts).
    'xmp.export': async ({ tag, photoIds, style }) => engine.exportXmp({ style, photoIds: tag ? storage().tags.photosTaggedOrRejected(tag) : photoIds, copies: true }).done,
    'duplicates.find': async ({ threshold }) => duplicatesInfo(await engine.duplicates.find({ threshold }).done),
    'duplicates.last': async () => {
      const last = engine.duplicates.last();
      return last && lastDuplicatesInfo(last);
    },
    'duplicates.selection': async ({ photoIds }) => engine.duplicates.selection(photoIds),
    'duplicates.moved': async ({ paths, differing }) => {
      await engine.duplicates.forgetMoved(paths, differing);
      return null;
    },
    dispose: async () => {
      await engine.dispose();
      return null;
    },
  };
}
